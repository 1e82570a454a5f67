import { describe, expect, it } from 'vitest';
import { iso7064HybridCheck, licenseIdentifier, looksLikeIdentifier, mod3736, parseIdentifier, serialOf, typeCodeProblem, versionOf } from '#shared/domain/identifier.ts';

/**
 * 证照标识 (GB/T 36904) and its check character, ISO/IEC 7064 MOD 37,36, against identifiers
 * published in public material. Each is quoted with where it was found.
 */
const PUBLISHED = [
  {
    // 《全国一体化政务服务平台 电子证照 建筑施工企业安全生产管理人员考核合格证书》附录A.2's example, quoted in
    // github.com/Bruce1165/ryzggl, WS_GetData/gb/Update/Aqscglry/AcceptData.cs (field zzeCertID).
    id: '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S',
    parts: { typeCode: '11100000000013338W011', issuerCode: '11430000006122244L', serial: '20230000403', version: '002' },
  },
  {
    // The same serial at version 001: github.com/Bruce1165/ryzggl,
    // WS_GetData/gb/Imputation/Aqscglry/AcceptData.cs (field associatedZzeCertID, 格式参考).
    id: '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U',
    parts: { typeCode: '11100000000013338W011', issuerCode: '11430000006122244L', serial: '20230000403', version: '001' },
  },
  {
    // 建筑施工特种作业人员操作资格证书 of 吉林省住房和城乡建设厅: github.com/louis-tru/bclib, test/_license.sol
    // (certificate_identifier of the 电子证照数据目录 sample row).
    id: '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F',
    parts: { typeCode: '11100000000013338W032', issuerCode: '11220000013544541J', serial: '2430599', version: '001' },
  },
];

describe('ISO/IEC 7064 MOD 37,36', () => {
  it.each(PUBLISHED)('gives the check character of a published identifier: $id', ({ id, parts }) => {
    const check = id.slice(-1);
    expect(mod3736(`${parts.typeCode}${parts.issuerCode}${parts.serial}${parts.version}`)).toBe(check);
    expect(licenseIdentifier(parts)).toBe(id);
    expect(parseIdentifier(id)).toEqual(parts);
  });

  it('is the hybrid system of ISO 7064: appending the check character leaves the remainder 1', () => {
    // The standard's own property: with the check character appended, the running value ends at 1.
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const text of ['0', 'A', 'ZZZZ', '11100000000013338W01111430000006122244L20230000403002', 'ZYYS6401002026000123']) {
      const check = mod3736(text)!;
      let p = 36;
      for (const ch of text + check) p = (2 * ((p + alphabet.indexOf(ch)) % 36 || 36)) % 37;
      // After the last character, P (before doubling) is 1: 2 × 1 mod 37 = 2.
      expect(p).toBe(2);
    }
    // MOD 11,10 is the same construction over ten digits (0794 → 5, worked by hand).
    expect(iso7064HybridCheck('0794', '0123456789')).toBe('5');
  });

  it('catches every single-character change and every swap of two different neighbours', () => {
    const body = `${PUBLISHED[0].parts.typeCode}${PUBLISHED[0].parts.issuerCode}${PUBLISHED[0].parts.serial}${PUBLISHED[0].parts.version}`;
    const check = mod3736(body);
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (let i = 0; i < body.length; i++) {
      for (const c of alphabet) if (c !== body[i]) expect(mod3736(body.slice(0, i) + c + body.slice(i + 1))).not.toBe(check);
      if (i + 1 < body.length && body[i] !== body[i + 1]) expect(mod3736(body.slice(0, i) + body[i + 1] + body[i] + body.slice(i + 2))).not.toBe(check);
    }
  });

  it('refuses characters outside 0-9A-Z', () => {
    expect(mod3736('0624_001')).toBeUndefined();
  });
});

describe('证照标识', () => {
  const ours = { typeCode: '11100000MB0341032Y005', issuerCode: '11640100MB1F53281Y', serial: serialOf(1), version: versionOf(1) };

  it('is built from the type code, the issuer, the serial and the version', () => {
    const id = licenseIdentifier(ours);
    expect(id).toMatch(/^1\.2\.156\.3005\.2\.11100000MB0341032Y005\.11640100MB1F53281Y\.0000000001\.001\.[0-9A-Z]$/);
    expect(looksLikeIdentifier(id)).toBe(true);
    expect(parseIdentifier(id)).toEqual(ours);
  });

  it('is refused with a wrong check character, a missing field, or a bad type code', () => {
    const id = licenseIdentifier(ours);
    const wrong = id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
    expect(parseIdentifier(wrong)).toBeNull();
    expect(parseIdentifier(id.replace('.001.', '.'))).toBeNull();
    expect(parseIdentifier('ZYYS-640100-2026-000001-6')).toBeNull();
    expect(() => licenseIdentifier({ ...ours, typeCode: '11100000MB0341032X005' })).toThrow();
    expect(() => licenseIdentifier({ ...ours, version: '1' })).toThrow();
  });

  it('type codes are a valid credit code and three digits', () => {
    expect(typeCodeProblem('11100000000013338W041')).toBeNull();
    expect(typeCodeProblem('11100000000013338X041')).toBe('checksum');
    expect(typeCodeProblem('11100000000013338W41')).toBe('format');
    expect(typeCodeProblem('ZYYS')).toBe('format');
  });

  it('versions count issues: 001 first', () => {
    expect(versionOf(1)).toBe('001');
    expect(versionOf(2)).toBe('002');
    expect(() => versionOf(1000)).toThrow();
  });
});
