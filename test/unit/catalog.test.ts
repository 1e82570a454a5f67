import { describe, expect, it } from 'vitest';
import { loadCatalog } from '#shared/domain/catalog.ts';
import { yinchuanCatalog } from '#shared/catalog/yinchuan.ts';
import { zhenjiangCatalog } from '#shared/catalog/zhenjiang.ts';
import { creditCodeProblem } from '#shared/domain/identity.ts';
import { formProblems } from '#shared/domain/application.ts';
import { ownerOf, OUTCOME_SCHEMAS } from '#shared/domain/task.ts';

const catalog = loadCatalog(yinchuanCatalog);
const pharmacist = catalog.items.find((i) => i.code === 'pharmacist-registration')!;

describe('the catalogue', () => {
  it('loads the demo city with an instant and a promised item', () => {
    expect(catalog.items.map((i) => i.flow)).toEqual(expect.arrayContaining(['instant', 'promised']));
  });
  it('refuses a promised limit above the legal one, duplicate materials and unknown departments, all at once', () => {
    const bad = structuredClone(yinchuanCatalog);
    bad.items[1].promisedLimitDays = 30;
    bad.items[1].materials.push({ ...bad.items[1].materials[0] });
    bad.items[0].department = 'nowhere';
    expect(() => loadCatalog(bad)).toThrow(/promisedLimitDays[\s\S]*materials[\s\S]*department|department[\s\S]*promisedLimitDays/);
  });
});

describe('the codes of the national license identity', () => {
  it('give every license type a type code (a credit code with a valid check character, and 3 digits) and the city its issuer code', () => {
    for (const cat of [catalog, loadCatalog(zhenjiangCatalog)]) {
      expect(creditCodeProblem(cat.issuerCode)).toBeNull();
      for (const item of cat.items) {
        expect(item.license.typeCode).toMatch(/^[0-9A-Z]{18}\d{3}$/);
        expect(creditCodeProblem(item.license.typeCode.slice(0, 18)), item.code).toBeNull();
      }
    }
    // Retail and wholesale pharmacies hold the one national type, 药品经营许可证.
    const types = new Set(catalog.items.filter((i) => i.license.typeName === '药品经营许可证').map((i) => i.license.typeCode));
    expect(types.size).toBe(1);
  });

  it('refuses a type code whose credit code has a wrong check character, or of the wrong length', () => {
    const bad = structuredClone(yinchuanCatalog);
    bad.items[0].license.typeCode = '11100000MB0341032X005'; // Y is the check character
    bad.items[1].license.typeCode = '11100000MB0341032Y05';
    expect(() => loadCatalog(bad)).toThrow(/items\.0\.license\.typeCode: 证照类型代码中定义机构的统一社会信用代码校验位不正确[\s\S]*items\.1\.license\.typeCode: 证照类型代码应为/);
  });

  it('refuses an issuer code with a wrong check character, or registered outside the city', () => {
    expect(() => loadCatalog({ ...structuredClone(yinchuanCatalog), issuerCode: '11640100MB1F53281X' })).toThrow(/issuerCode: 统一社会信用代码校验位不正确/);
    expect(() => loadCatalog({ ...structuredClone(yinchuanCatalog), issuerCode: zhenjiangCatalog.issuerCode })).toThrow(/issuerCode: 颁发机构代码的登记管理机关行政区划 321100 不在本市 640100/);
  });

  it('refuses one type code under two type names, and a renewal field the form does not have', () => {
    const bad = structuredClone(yinchuanCatalog);
    bad.items[1].license.typeCode = bad.items[0].license.typeCode;
    const renewal = bad.items.find((i) => i.license.renews)!;
    renewal.license.renews = 'nowhere';
    expect(() => loadCatalog(bad)).toThrow(/license\.renews[\s\S]*对应了不同的类型名称|对应了不同的类型名称[\s\S]*license\.renews/);
  });
});

describe('form validation against the item', () => {
  it('reports every problem: missing, wrong option, wrong pattern, unknown field', () => {
    const problems = formProblems(pharmacist, { category: '西药', certificateNo: '!!', extra: 1 });
    expect(problems.map((p) => p.code).sort()).toEqual(['form.option', 'form.pattern', 'form.required', 'form.required', 'form.unknown-field']);
    expect(problems.every((p) => /[\u4e00-\u9fa5]/.test(p.message))).toBe(true);
  });
});

describe('officer steps', () => {
  it('give examination to the clerk and the decision to the item decider', () => {
    const pharmacy = catalog.items.find((i) => i.code === 'pharmacy-retail-license')!;
    expect(ownerOf(pharmacy, 'review')).toEqual({ dept: 'drug', rank: 'clerk' });
    expect(ownerOf(pharmacy, 'decision')).toEqual({ dept: 'drug', rank: 'chief' });
    expect(ownerOf(pharmacy, 'escalated-decision')).toEqual({ dept: 'drug', rank: 'director' });
  });
  it('require reason and legal basis to refuse or deny', () => {
    expect(OUTCOME_SCHEMAS.acceptance.safeParse({ outcome: 'refuse', reason: '不属于本机关职权范围' }).success).toBe(false);
    expect(OUTCOME_SCHEMAS.decision.safeParse({ outcome: 'deny', reason: '现场核查不合格', legalBasis: '《药品管理法》第五十二条' }).success).toBe(true);
    expect(OUTCOME_SCHEMAS.review.safeParse({ outcome: 'approve', opinion: 'x' }).success).toBe(false);
  });
});

describe('catalogue versions', () => {
  it('publishes the latest version and keeps the one a running application was submitted under', async () => {
    const { findItem, publishedItems } = await import('#shared/domain/catalog.ts');
    const input = structuredClone(yinchuanCatalog);
    const v2 = { ...structuredClone(input.items[0]), version: 2, promisedLimitDays: 1 };
    input.items.push(v2);
    const versioned = loadCatalog(input);
    expect(findItem(versioned, 'pharmacist-registration')!.version).toBe(2);
    expect(findItem(versioned, 'pharmacist-registration', 1)!.promisedLimitDays).toBe(0);
    expect(publishedItems(versioned).filter((i) => i.code === 'pharmacist-registration')).toHaveLength(1);
    input.items.push({ ...v2 });
    expect(() => loadCatalog(input)).toThrow(/pharmacist-registration@2/);
  });
});
