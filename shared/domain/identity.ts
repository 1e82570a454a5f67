/**
 * One number per applicant (一号): the resident ID number (GB 11643-1999) for a person, the
 * unified social credit code (GB 32100-2015) for an enterprise. Both carry a check character,
 * validated here before anything is stored. Masking keeps the numbers out of every view that
 * is not the applicant's own and out of every log line.
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
// First two digits of the administrative division code (GB/T 2260): provinces, autonomous
// regions, municipalities, Hong Kong, Macao and Taiwan.
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
]);

export type IdNumberProblem = 'format' | 'area' | 'birthDate' | 'checksum';

/** Returns why an ID number is invalid, or null when it is valid. `today` is YYYY-MM-DD. */
export function idNumberProblem(id: string, today: string): IdNumberProblem | null {
  if (!/^\d{17}[\dX]$/.test(id)) return 'format';
  if (!PROVINCES.has(Number(id.slice(0, 2)))) return 'area';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  const iso = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (y < 1800 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || iso > today) return 'birthDate';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === id[17] ? null : 'checksum';
}

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeProblem = 'format' | 'checksum';

/** Returns why a unified social credit code is invalid, or null when it is valid. */
export function creditCodeProblem(code: string): CreditCodeProblem | null {
  // Registration authority (1-9, A-G, Y), institution type, 6-digit division code, 9-char
  // organisation code, check character; I, O, Z, S and V are never used.
  if (!/^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/.test(code)) return 'format';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARS.indexOf(code[i]) * CREDIT_WEIGHTS[i];
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CHARS[check] === code[17] ? null : 'checksum';
}

/** `640104199001011234` → `640104********1234`. Works for both kinds of number. */
export function maskSubjectId(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/**
 * What an applicant's number looks like as an actor (the subject of its token): an ID number or a
 * unified social credit code, 18 characters, the third to the eighth the division code. A credit
 * code may begin with letters (Y1…, N2…, A1…); officers, `system` and the other actors never look so.
 */
const SUBJECT_ID_SHAPE = /^[0-9A-Z]{2}\d{6}[0-9A-Za-z]{10}$/;

/**
 * An actor as anyone but the applicant may see it, wherever it goes out (a view, an audit trail,
 * an event): an applicant's number masked, any other actor as it is. `own`: the viewer is the
 * applicant, who sees it in full.
 */
export const maskActor = (actor: string, own = false) => (own || !SUBJECT_ID_SHAPE.test(actor) ? actor : maskSubjectId(actor));

/** A person's name keeps its first character: 张三 → 张*, 欧阳娜娜 → 欧***. */
export function maskPersonName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

/** A phone number keeps its first three and last four digits. */
export function maskPhone(phone: string): string {
  return phone.length < 7 ? '*'.repeat(phone.length) : `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}
