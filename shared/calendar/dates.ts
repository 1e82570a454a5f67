/**
 * Day arithmetic on China calendar dates written YYYY-MM-DD, without Date objects: the working-day
 * calendar runs these in its hot paths (a deadline, a supervision light), where parsing strings
 * into Dates would cost more than the lookup itself. A "day number" counts days from 1970-01-01
 * in the proleptic Gregorian calendar; it has no time zone, being a count of calendar dates.
 */

const DIGIT_0 = 48;

const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - DIGIT_0;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
};

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/** The day number of a civil date (H. Hinnant's days_from_civil). */
export function civilToDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** The year of a YYYY-MM-DD date, or -1 when the string is not a real date. */
export function yearOf(date: string): number {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return -1;
  const year = digits(date, 0, 4);
  const month = digits(date, 5, 7);
  const day = digits(date, 8, 10);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
  return year;
}

export const isDate = (date: string): boolean => yearOf(date) > 0;

/** The day number of a YYYY-MM-DD date; a RangeError for anything else, rather than a wrong count. */
export function dayNumber(date: string): number {
  if (yearOf(date) < 0) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return civilToDay(digits(date, 0, 4), digits(date, 5, 7), digits(date, 8, 10));
}

/** The day number of 1 January of a year. */
export const yearStart = (year: number): number => civilToDay(year, 1, 1);

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** The YYYY-MM-DD date of a day number (H. Hinnant's civil_from_days). */
export function isoDate(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}
