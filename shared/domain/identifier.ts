import { creditCodeProblem } from './identity.ts';

/**
 * The license's national identity (证照标识, GB/T 36904, as provincial license libraries implement
 * it): `1.2.156.3005.2.<typeCode>.<issuerCode>.<serial>.<version>.<check>`.
 * - typeCode (证照类型代码): the 18-character unified social credit code of the authority that
 *   defines the license type, then 3 digits;
 * - issuerCode (颁发机构代码): the issuing bureau's credit code;
 * - serial: unique per type and issuer; version: 3 digits, `001` for a first issue;
 * - check: one character of ISO/IEC 7064 MOD 37,36 over typeCode + issuerCode + serial + version.
 */
export const IDENTIFIER_ROOT = '1.2.156.3005.2';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * An ISO/IEC 7064 hybrid system, MOD (M+1),M, over an alphabet of M characters whose values
 * are their positions. From the standard's definition:
 *   P₁ = M; for each character aⱼ, left to right: Sⱼ = Pⱼ + aⱼ, reduced mod M with 0 read
 *   as M (‖Sⱼ‖M), and Pⱼ₊₁ = (2 × ‖Sⱼ‖M) mod (M+1);
 * the check character a₁ is the one that makes the whole string, check included, give
 * ‖Pₙ₊₁ + a₁‖M = 1 — so a₁ = (M + 1 − Pₙ₊₁) mod M.
 * Returns undefined when a character is outside the alphabet.
 */
export function iso7064HybridCheck(text: string, alphabet: string): string | undefined {
  const m = alphabet.length;
  let p = m;
  for (const ch of text) {
    const value = alphabet.indexOf(ch);
    if (value < 0) return undefined;
    const s = (p + value) % m || m;
    p = (2 * s) % (m + 1);
  }
  return alphabet[(m + 1 - p) % m];
}

/** ISO/IEC 7064 MOD 37,36 (GB/T 17710): the hybrid system over 0-9A-Z. */
export const mod3736 = (text: string) => iso7064HybridCheck(text.toUpperCase(), ALPHANUMERIC);

export interface IdentifierParts {
  typeCode: string;
  issuerCode: string;
  serial: string;
  version: string;
}

/** A license type code: a valid credit code (GB 32100 checksum) of the defining authority, then 3 digits. */
export function typeCodeProblem(code: string): 'format' | 'checksum' | null {
  if (!/^[0-9A-Z]{18}\d{3}$/.test(code)) return 'format';
  return creditCodeProblem(code.slice(0, 18));
}

const SERIAL = /^[0-9A-Z]{1,40}$/;
const VERSION = /^\d{3}$/;

export function licenseIdentifier(parts: IdentifierParts): string {
  const { typeCode, issuerCode, serial, version } = parts;
  if (typeCodeProblem(typeCode) || creditCodeProblem(issuerCode) || !SERIAL.test(serial) || !VERSION.test(version)) {
    throw new Error(`cannot make a license identifier of ${JSON.stringify(parts)}`);
  }
  return [IDENTIFIER_ROOT, typeCode, issuerCode, serial, version, mod3736(`${typeCode}${issuerCode}${serial}${version}`)].join('.');
}

/** Anything that starts as a license identifier does: told apart from a license number at a glance. */
export const looksLikeIdentifier = (text: string) => text.startsWith(`${IDENTIFIER_ROOT}.`);

/** The parts of a well-formed identifier whose check character is right, or null. */
export function parseIdentifier(text: string): IdentifierParts | null {
  if (!looksLikeIdentifier(text)) return null;
  const fields = text.slice(IDENTIFIER_ROOT.length + 1).split('.');
  if (fields.length !== 5) return null;
  const [typeCode, issuerCode, serial, version, check] = fields;
  if (!/^[0-9A-Z]{21}$/.test(typeCode) || !/^[0-9A-Z]{18}$/.test(issuerCode) || !SERIAL.test(serial) || !VERSION.test(version)) return null;
  return mod3736(`${typeCode}${issuerCode}${serial}${version}`) === check ? { typeCode, issuerCode, serial, version } : null;
}

/** Serials are counters, printed with ten digits. */
export const serialOf = (n: number) => String(n).padStart(10, '0');

/** Versions count issues of one serial: 001 first, 002 on the first reissue, … */
export const versionOf = (n: number) => {
  if (!Number.isInteger(n) || n < 1 || n > 999) throw new Error(`version ${n} is out of range`);
  return String(n).padStart(3, '0');
};
