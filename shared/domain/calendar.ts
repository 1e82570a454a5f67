import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { DomainError } from './errors.ts';

/**
 * The city's working-day calendar (SPEC rule 5): Monday to Friday, less the national public
 * holidays, plus the adjusted working days (调休) that fall on weekends, plus the city's own
 * overrides. Everything is counted in China time (UTC+8). A date in a year the calendar does
 * not know is refused: a deadline is never guessed.
 */

export interface CalendarOverrides {
  /** Extra days off, YYYY-MM-DD. */
  holidays?: string[];
  /** Extra working days (e.g. a weekend the city works), YYYY-MM-DD. */
  workdays?: string[];
}

/** Thrown rather than guessing: the city adds the year's official schedule to its overrides. */
export class CalendarYearUnknownError extends DomainError {
  constructor(readonly year: number) {
    super(503, 'calendar.year-unknown', `工作日历尚未收录${year}年的节假日安排，无法计算期限；请管理员补充${year}年官方安排后再办理`, undefined, { year });
    this.name = 'CalendarYearUnknownError';
  }
}

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** The calendar date in China of an instant, YYYY-MM-DD. */
export const chinaDate = (instant: Date): string => new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);

/** The last millisecond of a China calendar day, as an instant. */
export const endOfChinaDay = (date: string): Date => new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS + DAY_MS - 1);

/** The first millisecond of a China calendar day, as an instant. */
export const startOfChinaDay = (date: string): Date => new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS);

const nextDate = (date: string, days = 1): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export class WorkingCalendar {
  private readonly holidays: Set<string>;
  private readonly workdays: Set<string>;
  private readonly knownYears: Set<number>;

  constructor(overrides: CalendarOverrides = {}) {
    this.holidays = new Set([...Object.keys(chineseDays.holidays), ...(overrides.holidays ?? [])]);
    this.workdays = new Set([...Object.keys(chineseDays.workdays), ...(overrides.workdays ?? [])]);
    this.knownYears = new Set(Object.keys(chineseDays.holidays).map((d) => Number(d.slice(0, 4))));
    for (const d of overrides.holidays ?? []) this.knownYears.add(Number(d.slice(0, 4)));
  }

  isWorkingDay(date: string): boolean {
    const year = Number(date.slice(0, 4));
    if (!this.knownYears.has(year)) throw new CalendarYearUnknownError(year);
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The Nth working day after `date` (the start day itself is not counted); N = 0 is the day itself. */
  addWorkingDays(date: string, n: number): string {
    let d = date;
    for (let left = n; left > 0; ) {
      d = nextDate(d);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** The Nth working day before `date` (N = 0 is the day itself). */
  subtractWorkingDays(date: string, n: number): string {
    let d = date;
    for (let left = n; left > 0; ) {
      d = nextDate(d, -1);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** Working days strictly after `from` up to and including `to` (0 when `to` ≤ `from`). */
  workingDaysBetween(from: string, to: string): number {
    let count = 0;
    for (let d = nextDate(from); d <= to; d = nextDate(d)) if (this.isWorkingDay(d)) count++;
    return count;
  }

  /**
   * When a limit of N working days that starts at `start` ends: the end of the Nth working
   * day after the start day, as the Civil Code counts periods (Art. 201, 203).
   */
  dueAfter(start: Date, workingDays: number): Date {
    return endOfChinaDay(this.addWorkingDays(chinaDate(start), workingDays));
  }
}

export type Light = 'green' | 'yellow' | 'red';

export interface LightRule {
  /** Yellow when at most this many whole working days are left after today. */
  yellowDaysLeft: number;
  /** Yellow when this share of the working days between start and due has passed. */
  yellowRatio: number;
}

export const DEFAULT_LIGHT_RULE: LightRule = { yellowDaysLeft: 1, yellowRatio: 0.8 };

/** The supervision light of a step that started at `startedAt` and is due at `dueAt` (SPEC rule 10). */
export function lightOf(calendar: WorkingCalendar, now: Date, startedAt: Date, dueAt: Date, rule: LightRule = DEFAULT_LIGHT_RULE): Light {
  if (now.getTime() > dueAt.getTime()) return 'red';
  const today = chinaDate(now);
  const dueDay = chinaDate(dueAt);
  // Working days after today up to the due day: 0 on the due day, 1 the working day before.
  const daysLeft = calendar.workingDaysBetween(today, dueDay);
  // Time used, in working days: the working days since the start day, today included.
  const total = calendar.workingDaysBetween(chinaDate(startedAt), dueDay);
  const used = total > 0 ? calendar.workingDaysBetween(chinaDate(startedAt), today) / total : 1;
  return daysLeft <= rule.yellowDaysLeft || used >= rule.yellowRatio ? 'yellow' : 'green';
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
  if (total <= rule.yellowDaysLeft) return startedAt;
  const byDaysLeft = calendar.subtractWorkingDays(dueDay, rule.yellowDaysLeft);
  const byRatio = calendar.addWorkingDays(startDay, Math.ceil(rule.yellowRatio * total));
  const day = byDaysLeft < byRatio ? byDaysLeft : byRatio;
  const at = startOfChinaDay(day);
  return at.getTime() < startedAt.getTime() ? startedAt : at;
}
