import { canonicalJson } from './canonical.ts';
import { mod3736 } from './identifier.ts';
import { chinaDate } from './calendar.ts';

/**
 * Licenses (电子证照, SPEC rule 8). A license number (证照编号) reads PREFIX-AREA-YEAR-SEQUENCE-CHECK,
 * e.g. `ZYYS-640100-2026-000123-7`; the check character is ISO/IEC 7064 MOD 37,36, which catches
 * every single-character error and most transpositions. Its national identity, the 证照标识, is
 * in identifier.ts.
 */
export function licenseNumber(prefix: string, areaCode: string, year: number, sequence: number): string {
  const body = `${prefix}${areaCode}${year}${String(sequence).padStart(6, '0')}`;
  return `${prefix}-${areaCode}-${year}-${String(sequence).padStart(6, '0')}-${mod3736(body)}`;
}

export function isWellFormedLicenseNumber(no: string): boolean {
  const m = /^([A-Z]{2,4})-(\d{6})-(\d{4})-(\d{6})-([0-9A-Z])$/.exec(no);
  return !!m && mod3736(`${m[1]}${m[2]}${m[3]}${m[4]}`) === m[5];
}

export type LicenseStatus = 'valid' | 'revoked' | 'expired';

/** License status codes (证照状态代码) as the national license libraries exchange them. */
export const LICENSE_STATUS_NAMES = { '01': '有效', '02': '暂扣', '03': '撤销', '04': '注销', '05': '失效', '07': '吊销' } as const;
export type LicenseStatusCode = keyof typeof LICENSE_STATUS_NAMES;

/**
 * How a license is ended by the bureau or the regulator: 撤销 (revoke, Art. 69) → 03,
 * 注销 (cancel, Art. 70) → 04, 吊销 (penalty revocation, recorded here) → 07.
 */
export const REVOCATION_KINDS = ['revoke', 'cancel', 'penalty'] as const;
export type RevocationKind = (typeof REVOCATION_KINDS)[number];
export const REVOCATION_STATUS: Record<RevocationKind, LicenseStatusCode> = { revoke: '03', cancel: '04', penalty: '07' };

/** 持证主体代码类型 (GB/T 36903): 111 公民身份号码, 001 统一社会信用代码. */
export const HOLDER_CODE_TYPES = { person: { code: '111', name: '公民身份号码' }, enterprise: { code: '001', name: '统一社会信用代码' } } as const;

/** The national identity and GB/T 36903 metadata a license is sealed with. */
export interface NationalLicenseData {
  /** 证照标识 (GB/T 36904). */
  identifier: string;
  /** 证照类型代码: the defining authority's credit code and 3 digits. */
  typeCode: string;
  /** 证照类型名称. */
  typeName: string;
  /** 颁发机构代码: the bureau's credit code. */
  issuerCode: string;
  /** 管辖属地: the administrative division (GB/T 2260) and its name. */
  area: { code: string; name: string };
  /** 持证主体代码类型代码. */
  holderCodeType: '111' | '001';
  /** 关联证照标识: the license this one reissues (a renewal keeps the serial, the version goes up). */
  previousIdentifier?: string;
}

/** What the seal signs: the license's data, exactly as printed, and the sealed PDF's hash. */
export interface LicenseData {
  licenseNo: string;
  licenseName: string;
  itemCode: string;
  itemName: string;
  applicationNo: string;
  holder: { kind: 'person' | 'enterprise'; name: string; subjectId: string };
  fields: { label: string; value: string }[];
  issuer: string;
  issuedAt: string;
  expiresAt: string | null;
  verifyUrl: string;
  /** Position in a batch, 1-based, and the batch size. */
  copy: { index: number; of: number };
  /** Absent only on licenses sealed before the national identity was introduced. */
  national?: NationalLicenseData;
}

/**
 * The exact UTF-8 string the seal signs: the canonical JSON of the data and the PDF's SHA-256,
 * `{"license":{…},"pdfSha256":"<hex>"}`. A third party verifies the signature over its bytes.
 */
export function sealDigestInput(data: LicenseData, pdfSha256: string): string {
  return canonicalJson({ license: data, pdfSha256 });
}

export function licenseStatus(record: { revokedAt?: string | null; expiresAt: string | null }, now: Date): LicenseStatus {
  if (record.revokedAt) return 'revoked';
  if (record.expiresAt && Date.parse(record.expiresAt) < now.getTime()) return 'expired';
  return 'valid';
}

/**
 * A license's status as a word and as its code, computed when read: an ended license keeps the
 * code of how it was ended (03, 04, 07); one past its validity is 05; otherwise 01.
 */
export function licenseState(record: { revokedAt?: string | null; revocation?: { kind?: RevocationKind }; expiresAt: string | null }, now: Date) {
  const status = licenseStatus(record, now);
  const statusCode: LicenseStatusCode = status === 'revoked' ? REVOCATION_STATUS[record.revocation?.kind ?? 'revoke'] : status === 'expired' ? '05' : '01';
  return { status, statusCode, statusName: LICENSE_STATUS_NAMES[statusCode] };
}

/**
 * The license's metadata as GB/T 36903 names it (证照名称, 证照标识, 证照类型代码, 证照编号, 颁发机构
 * and its code, 颁发日期, 有效期起止, 持证主体, 持证主体代码 and its type, 管辖属地, 关联事项). The
 * holder's number is given as recorded: callers mask it for anyone but the holder.
 */
export function licenseMetadata(record: { licenseNo: string; data: LicenseData; issuedAt: string; expiresAt: string | null }) {
  const { data } = record;
  const n = data.national;
  const holderType = HOLDER_CODE_TYPES[data.holder.kind];
  return {
    name: data.licenseName,
    identifier: n?.identifier ?? null,
    typeCode: n?.typeCode ?? null,
    typeName: n?.typeName ?? data.licenseName,
    number: record.licenseNo,
    issuer: data.issuer,
    issuerCode: n?.issuerCode ?? null,
    issueDate: chinaDate(new Date(record.issuedAt)),
    validFrom: chinaDate(new Date(record.issuedAt)),
    validUntil: record.expiresAt ? chinaDate(new Date(record.expiresAt)) : null,
    holder: data.holder.name,
    holderCode: data.holder.subjectId,
    holderCodeType: n?.holderCodeType ?? holderType.code,
    holderCodeTypeName: holderType.name,
    area: n?.area.code ?? null,
    areaName: n?.area.name ?? null,
    itemCode: data.itemCode,
    itemName: data.itemName,
    ...(n?.previousIdentifier ? { previousIdentifier: n.previousIdentifier } : {}),
  };
}
export type LicenseMetadata = ReturnType<typeof licenseMetadata>;

/** Validity ends the day before the same date N years on, at the end of that day in China time. */
export function expiryOf(issuedAt: Date, validityYears: number | null): string | null {
  if (validityYears === null) return null;
  const china = new Date(issuedAt.getTime() + 8 * 3600 * 1000);
  const end = Date.UTC(china.getUTCFullYear() + validityYears, china.getUTCMonth(), china.getUTCDate()) - 8 * 3600 * 1000 - 1;
  return new Date(end).toISOString();
}
