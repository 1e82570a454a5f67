import { isoDate, yearStart } from './dates.ts';
import { LUNAR_HOLIDAYS } from './lunar-holidays.ts';

/**
 * The statutory holidays (法定节假日) of a year, computed by rule from the 全国年节及纪念日放假办法
 * as the State Council revised it in November 2024, in force from 1 January 2025: 13 days.
 *
 *   元旦    1 January                                  1 day
 *   春节    除夕 (last day of lunar month 12) and 初一–初三   4 days
 *   清明节  the day of the Qingming solar term             1 day
 *   劳动节  1–2 May                                     2 days
 *   端午节  lunar 5/5                                    1 day
 *   中秋节  lunar 8/15                                   1 day
 *   国庆节  1–3 October                                  3 days
 *
 * These are the days off by law only. Which weekdays around them are also off, and which
 * weekends are worked in exchange (调休), the State Council decides each year; we never guess
 * that (see official.ts). The same rule is applied to years before 2025 too, where the law was
 * different (春节 3 days, 劳动节 1 day until 2024): the calendar is for counting deadlines from
 * 2025 on, and an earlier year only ever matters as a provisional one.
 *
 * Lunar dates and solar terms come from tyme4ts (6tail), an astronomical computation in Beijing
 * time that agrees with the published tables (e.g. 春节 2027-02-06 and 2030-02-03, where the new
 * moon falls minutes from midnight and Node's ICU Chinese calendar is a day off), computed once
 * into a table (lunar-holidays.ts, made by scripts/lunar-holidays.ts with lunar-rule.ts) so that
 * no function loads tyme4ts. We use it for RULE_YEARS only: before 1900 its Gregorian dates and our day arithmetic part ways (it switches
 * to the Julian calendar before 1582), and past 2200 a new moon near midnight is a guess. Outside
 * that range a year keeps its fixed-date holidays (元旦, 劳动节, 国庆节) and nothing lunar.
 */
export const RULE_YEARS = { first: 1900, last: 2200 } as const;

export interface StatutoryHoliday {
  /** YYYY-MM-DD, China date. */
  date: string;
  /** 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节 or 国庆节. */
  name: string;
}

/** The i-th lunar holiday of a year in RULE_YEARS (0 春节 初一, 1 清明, 2 端午, 3 中秋), from the table. */
function lunar(year: number, i: number): number {
  const at = (year - LUNAR_HOLIDAYS.first) * 8 + i * 2;
  return yearStart(year) + parseInt(LUNAR_HOLIDAYS.table.slice(at, at + 2), 36);
}

// A year's answer never changes.
const cache = new Map<number, readonly StatutoryHoliday[]>();

function compute(year: number): StatutoryHoliday[] {
  const y = String(year).padStart(4, '0');
  const days: StatutoryHoliday[] = [{ date: `${y}-01-01`, name: '元旦' }];
  if (year >= RULE_YEARS.first && year <= RULE_YEARS.last) {
    // 除夕 is the day before 初一, whether the twelfth month has 29 or 30 days.
    const newYear = lunar(year, 0);
    for (let i = -1; i <= 2; i++) days.push({ date: isoDate(newYear + i), name: '春节' });
    days.push({ date: isoDate(lunar(year, 1)), name: '清明节' });
    days.push({ date: isoDate(lunar(year, 2)), name: '端午节' });
    days.push({ date: isoDate(lunar(year, 3)), name: '中秋节' });
  }
  days.push({ date: `${y}-05-01`, name: '劳动节' }, { date: `${y}-05-02`, name: '劳动节' });
  for (const d of ['01', '02', '03']) days.push({ date: `${y}-10-${d}`, name: '国庆节' });
  // 中秋节 can fall on 1–3 October (2028-10-03): both entries stay, one day off.
  return days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The statutory holidays of `year` (1..9999), by date; a date can appear twice (中秋 on 国庆). */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw new RangeError(`no such year: ${year}`);
  let days = cache.get(year);
  if (!days) cache.set(year, (days = Object.freeze(compute(year).map((d) => Object.freeze(d)))));
  return days.map((d) => ({ ...d }));
}
