import { canonicalJson } from './canonical.ts';

/**
 * Licenses (电子证照, SPEC rule 8). A license number reads TYPE-AREA-YEAR-SEQUENCE-CHECK, e.g.
 * `ZYYS-640100-2026-000123-7`; the check character is ISO/IEC 7064 MOD 37,36, which catches
 * every single-character error and most transpositions.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function mod3736(chars: string): string {
  let p = 36;
  for (const c of chars) {
    let s = (p + ALPHABET.indexOf(c)) % 36;
    if (s === 0) s = 36;
    p = (s * 2) % 37;
  }
  return ALPHABET[(37 - p) % 36];
}

export function licenseNumber(typeCode: string, areaCode: string, year: number, sequence: number): string {
  const body = `${typeCode}${areaCode}${year}${String(sequence).padStart(6, '0')}`;
  return `${typeCode}-${areaCode}-${year}-${String(sequence).padStart(6, '0')}-${mod3736(body)}`;
}

export function isWellFormedLicenseNumber(no: string): boolean {
  const m = /^([A-Z]{2,4})-(\d{6})-(\d{4})-(\d{6})-([0-9A-Z])$/.exec(no);
  return !!m && mod3736(`${m[1]}${m[2]}${m[3]}${m[4]}`) === m[5];
}

export type LicenseStatus = 'valid' | 'revoked' | 'expired';

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
}

/** The digest the seal signs: SHA-256 over the canonical JSON of the data and the PDF's SHA-256. */
export function sealDigestInput(data: LicenseData, pdfSha256: string): string {
  return canonicalJson({ license: data, pdfSha256 });
}

export function licenseStatus(record: { revokedAt?: string | null; expiresAt: string | null }, now: Date): LicenseStatus {
  if (record.revokedAt) return 'revoked';
  if (record.expiresAt && Date.parse(record.expiresAt) < now.getTime()) return 'expired';
  return 'valid';
}

/** Validity ends the day before the same date N years on, at the end of that day in China time. */
export function expiryOf(issuedAt: Date, validityYears: number | null): string | null {
  if (validityYears === null) return null;
  const china = new Date(issuedAt.getTime() + 8 * 3600 * 1000);
  const end = Date.UTC(china.getUTCFullYear() + validityYears, china.getUTCMonth(), china.getUTCDate()) - 8 * 3600 * 1000 - 1;
  return new Date(end).toISOString();
}
