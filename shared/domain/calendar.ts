import { dayNumber, isoDate, weekday, yearOf, yearStart } from '../calendar/dates.ts';
import { OFFICIAL_SCHEDULES } from '../calendar/official.ts';
import { fatalScheduleProblems, type YearSchedule } from '../calendar/schedule.ts';
import { statutoryHolidays } from '../calendar/statutory.ts';

export { OFFICIAL_SCHEDULES } from '../calendar/official.ts';
export { RULE_YEARS, statutoryHolidays, type StatutoryHoliday } from '../calendar/statutory.ts';
export { YearScheduleInput, fatalScheduleProblems, scheduleProblems, scheduleWarnings, yearScheduleInput, type YearSchedule } from '../calendar/schedule.ts';

/**
 * The city's working-day calendar (SPEC rule 5), in three layers, each over the one before:
 *  1. Monday to Friday, less the statutory holidays computed by rule (calendar/statutory.ts);
 *  2. for a year the State Council has published, its schedule instead: the days off of each
 *     holiday period and the weekends worked in exchange (调休), as data with their source;
 *  3. the city's own overrides.
 * A year without a published schedule is provisional: it is counted by rule, never refused, and
 * every deadline says which kind of calendar it rests on, so that it can be recounted when the
 * schedule comes out (each November for the next year). Everything is in China time (UTC+8).
 */

export interface CalendarOverrides {
  /** Extra days off, YYYY-MM-DD. */
  holidays?: string[];
  /** Extra working days (e.g. a weekend the city works), YYYY-MM-DD. */
  workdays?: string[];
}

export type CalendarKind = 'official' | 'provisional';

/** The first year of the 2025 law; officialThrough() counts unbroken official years from it. */
const FIRST_SCHEDULE_YEAR = 2025;

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** The calendar date in China of an instant, YYYY-MM-DD. */
export const chinaDate = (instant: Date): string => new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);

/** The last millisecond of a China calendar day, as an instant. */
export const endOfChinaDay = (date: string): Date => new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS + DAY_MS - 1);

/** The first millisecond of a China calendar day, as an instant. */
export const startOfChinaDay = (date: string): Date => new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS);

/**
 * One year, precomputed: deadlines and lights count working days thousands of times, and a
 * table turns each count into two array reads instead of a walk over dates and string sets.
 */
interface YearTable {
  readonly year: number;
  /** Day number of 1 January. */
  readonly first: number;
  /** 1 for a working day, by day of the year (0 = 1 January). */
  readonly work: Uint8Array;
  /** cum[i]: working days among the first i days of the year; cum[work.length] is the year's total. */
  readonly cum: Uint16Array;
}

/** The smallest day index i with cum[i + 1] >= k (1 ≤ k ≤ the year's total): the k-th working day. */
function kthWorkingDay(t: YearTable, k: number): number {
  let lo = 0;
  let hi = t.work.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t.cum[mid + 1] >= k) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Only a schedule's own fields: a stored record may carry more (who published it, its audit head).
const copy = ({ year, holidays, workdays, source, publishedAt }: YearSchedule): YearSchedule => ({
  year,
  holidays: [...holidays],
  workdays: [...workdays],
  source,
  ...(publishedAt === undefined ? {} : { publishedAt }),
});
const sortedUnique = (dates: Iterable<string>) => [...new Set(dates)].sort();

export class WorkingCalendar {
  private readonly official = new Map<number, YearSchedule>();
  private readonly overrides: { holidays: string[]; workdays: string[] };
  private readonly tables = new Map<number, YearTable>();

  /**
   * `official` defaults to the shipped schedules (2025, 2026). A RangeError for what cannot be
   * counted with: a date that is not one, or not in its schedule's year, or a year given twice.
   */
  constructor(input: { official?: readonly YearSchedule[]; overrides?: CalendarOverrides } = {}) {
    for (const s of input.official ?? OFFICIAL_SCHEDULES) {
      const problems = fatalScheduleProblems(s);
      if (this.official.has(s.year)) problems.push(`${s.year}年的安排重复`);
      if (problems.length) throw new RangeError(`${s.year}年节假日安排有误：${problems.join('；')}`);
      this.official.set(s.year, Object.freeze(copy(s)));
    }
    this.overrides = { holidays: [...(input.overrides?.holidays ?? [])], workdays: [...(input.overrides?.workdays ?? [])] };
    for (const d of [...this.overrides.holidays, ...this.overrides.workdays]) dayNumber(d);
  }

  /** The table of a year, built on first use. Past 9999 there is no YYYY-MM-DD date: RangeError. */
  private table(year: number): YearTable {
    let t = this.tables.get(year);
    if (t) return t;
    if (!(Number.isInteger(year) && year >= 1 && year <= 9999)) throw new RangeError(`year out of the calendar's range: ${year}`);
    const first = yearStart(year);
    const work = new Uint8Array(yearStart(year + 1) - first);
    for (let i = 0, wd = weekday(first); i < work.length; i++, wd = wd === 6 ? 0 : wd + 1) work[i] = wd === 0 || wd === 6 ? 0 : 1;
    const set = (dates: string[], value: 0 | 1) => {
      for (const d of dates) if (yearOf(d) === year) work[dayNumber(d) - first] = value;
    };
    const schedule = this.official.get(year);
    if (schedule) {
      set(schedule.holidays, 0);
      set(schedule.workdays, 1);
    } else {
      set(statutoryHolidays(year).map((h) => h.date), 0);
    }
    // The city has the last word; a date it lists both ways is worked (as before).
    set(this.overrides.holidays, 0);
    set(this.overrides.workdays, 1);
    const cum = new Uint16Array(work.length + 1);
    for (let i = 0; i < work.length; i++) cum[i + 1] = cum[i] + work[i];
    t = { year, first, work, cum };
    this.tables.set(year, t);
    return t;
  }

  isWorkingDay(date: string): boolean {
    const day = dayNumber(date);
    const t = this.table(yearOf(date));
    return t.work[day - t.first] === 1;
  }

  /** The Nth working day after `date` (the start day itself is not counted); N ≤ 0 is the day itself. */
  addWorkingDays(date: string, n: number): string {
    const day = dayNumber(date);
    if (!(n > 0)) return date;
    let t = this.table(yearOf(date));
    // The ordinal, within t's year, of the working day we want.
    let k = t.cum[day - t.first + 1] + Math.ceil(n);
    while (k > t.cum[t.work.length]) {
      k -= t.cum[t.work.length];
      t = this.table(t.year + 1);
    }
    return isoDate(t.first + kthWorkingDay(t, k));
  }

  /** The Nth working day before `date` (N ≤ 0 is the day itself). */
  subtractWorkingDays(date: string, n: number): string {
    const day = dayNumber(date);
    if (!(n > 0)) return date;
    let t = this.table(yearOf(date));
    // Working days before `date` in its year, then whole years back, until N are behind us.
    let before = t.cum[day - t.first];
    let left = Math.ceil(n);
    while (left > before) {
      left -= before;
      t = this.table(t.year - 1);
      before = t.cum[t.work.length];
    }
    return isoDate(t.first + kthWorkingDay(t, before - left + 1));
  }

  /** Working days strictly after `from` up to and including `to` (0 when `to` ≤ `from`). */
  workingDaysBetween(from: string, to: string): number {
    const a = dayNumber(from);
    const b = dayNumber(to);
    if (b <= a) return 0;
    const ta = this.table(yearOf(from));
    const tb = this.table(yearOf(to));
    let count = tb.cum[b - tb.first + 1] - ta.cum[a - ta.first + 1];
    for (let y = ta.year; y < tb.year; y++) {
      const t = this.table(y);
      count += t.cum[t.work.length];
    }
    return count;
  }

  /**
   * When a limit of N working days that starts at `start` ends: the end of the Nth working
   * day after the start day, as the Civil Code counts periods (Art. 201, 203).
   */
  dueAfter(start: Date, workingDays: number): Date {
    return endOfChinaDay(this.addWorkingDays(chinaDate(start), workingDays));
  }

  /** A deadline and the kind of calendar that produced it. */
  deadline(start: Date, workingDays: number): { at: Date; calendar: CalendarKind } {
    const startDay = chinaDate(start);
    const dueDay = this.addWorkingDays(startDay, workingDays);
    return { at: endOfChinaDay(dueDay), calendar: this.kindBetween(startDay, dueDay) };
  }

  /** The kind of calendar a computation over [fromDate, toDate] relied on: provisional if any year touched is provisional. */
  kindBetween(fromDate: string, toDate: string): CalendarKind {
    dayNumber(fromDate);
    dayNumber(toDate);
    const [a, b] = [yearOf(fromDate), yearOf(toDate)].sort((x, y) => x - y);
    for (let y = a; y <= b; y++) if (!this.official.has(y)) return 'provisional';
    return 'official';
  }

  yearStatus(year: number): CalendarKind {
    return this.official.has(year) ? 'official' : 'provisional';
  }

  /** The latest year Y such that every year from 2025 through Y has an official schedule (2024 if none). */
  officialThrough(): number {
    let y = FIRST_SCHEDULE_YEAR;
    while (this.official.has(y)) y++;
    return y - 1;
  }

  /**
   * GET /v1/calendar/{year}: the days off and the weekends worked, overrides included, exactly as
   * isWorkingDay counts them. Official: the schedule's lists and its source. Provisional: the
   * statutory days by rule, on weekdays and weekends alike, and no 调休 (only the city's).
   */
  yearView(year: number): { year: number; status: CalendarKind; source?: string; holidays: string[]; workdays: string[] } {
    this.table(year);
    const schedule = this.official.get(year);
    const inYear = (dates: string[]) => dates.filter((d) => yearOf(d) === year);
    const off = schedule ? schedule.holidays : statutoryHolidays(year).map((h) => h.date);
    const on = schedule ? schedule.workdays : [];
    return {
      year,
      status: schedule ? 'official' : 'provisional',
      ...(schedule ? { source: schedule.source } : {}),
      holidays: sortedUnique([...off, ...inYear(this.overrides.holidays)].filter((d) => !this.isWorkingDay(d))),
      workdays: sortedUnique([...on, ...inYear(this.overrides.workdays)].filter((d) => this.isWorkingDay(d))),
    };
  }

  /** A new calendar with one more (or a replaced) official year; this one is unchanged. */
  withSchedule(schedule: YearSchedule): WorkingCalendar {
    const official = [...this.official.values()].filter((s) => s.year !== schedule.year);
    return new WorkingCalendar({ official: [...official, schedule], overrides: this.overrides });
  }

  /** The same China time of day, `days` working days after the instant's day. */
  shiftWorkingDays(instant: Date, days: number): Date {
    const day = chinaDate(instant);
    return new Date(startOfChinaDay(this.addWorkingDays(day, days)).getTime() + (instant.getTime() - startOfChinaDay(day).getTime()));
  }

  /** The official schedules, by year (copies). */
  schedules(): YearSchedule[] {
    return [...this.official.values()].sort((a, b) => a.year - b.year).map(copy);
  }
}

export type Light = 'green' | 'yellow' | 'red';

export interface LightRule {
  /** Yellow when at most this many whole working days are left after today. */
  yellowDaysLeft: number;
  /** Yellow when this share of the working days between start and due has passed. */
  yellowRatio: number;
}

/** The rule unless a city sets its own (the catalogue's `lightRule`). */
export const DEFAULT_LIGHT_RULE: LightRule = { yellowDaysLeft: 1, yellowRatio: 0.8 };

/**
 * The light rule (SPEC rule 10), in working days, defined here once: of a step with `total`
 * working days from its start day to its due day, yellow once at most `daysLeft` are left after
 * today, or once `daysUsed` have passed (the start day not counted, today counted). `lightOf`
 * asks it of a moment; `yellowAt` solves it for the first such moment.
 */
function yellowThresholds(rule: LightRule, total: number): { daysLeft: number; daysUsed: number } {
  // The fewest whole days that are at least the ratio's share (the epsilon absorbs 0.7 × 10 = 7.000000000000001).
  return { daysLeft: rule.yellowDaysLeft, daysUsed: Math.ceil(rule.yellowRatio * total - 1e-9) };
}

/** The supervision light of a step that started at `startedAt` and is due at `dueAt` (SPEC rule 10). */
export function lightOf(calendar: WorkingCalendar, now: Date, startedAt: Date, dueAt: Date, rule: LightRule = DEFAULT_LIGHT_RULE): Light {
  if (now.getTime() > dueAt.getTime()) return 'red';
  const today = chinaDate(now);
  const dueDay = chinaDate(dueAt);
  const yellow = yellowThresholds(rule, calendar.workingDaysBetween(chinaDate(startedAt), dueDay));
  // Working days after today up to the due day: 0 on the due day, 1 the working day before.
  const daysLeft = calendar.workingDaysBetween(today, dueDay);
  // Time used, in working days: the working days since the start day, today included.
  const daysUsed = calendar.workingDaysBetween(chinaDate(startedAt), today);
  return daysLeft <= yellow.daysLeft || daysUsed >= yellow.daysUsed ? 'yellow' : 'green';
}

/**
 * When a step that started at `startedAt` and is due at `dueAt` turns yellow: the start of the
 * first China day on which lightOf says yellow. The supervision scan indexes open steps by this
 * instant, so that it reads only the steps whose light can have changed.
 */
export function yellowAt(calendar: WorkingCalendar, startedAt: Date, dueAt: Date, rule: LightRule = DEFAULT_LIGHT_RULE): Date {
  const startDay = chinaDate(startedAt);
  const dueDay = chinaDate(dueAt);
  const total = calendar.workingDaysBetween(startDay, dueDay);
  const yellow = yellowThresholds(rule, total);
  if (total <= yellow.daysLeft) return startedAt;
  const byDaysLeft = calendar.subtractWorkingDays(dueDay, yellow.daysLeft);
  const byDaysUsed = calendar.addWorkingDays(startDay, yellow.daysUsed);
  const day = byDaysLeft < byDaysUsed ? byDaysLeft : byDaysUsed;
  const at = startOfChinaDay(day);
  return at.getTime() < startedAt.getTime() ? startedAt : at;
}
