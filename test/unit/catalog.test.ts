import { describe, expect, it } from 'vitest';
import { loadCatalog } from '#shared/domain/catalog.ts';
import { yinchuanCatalog } from '#shared/catalog/yinchuan.ts';
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
