import * as z from 'zod/mini';
import { dayNumber, weekday, yearOf } from './dates.ts';
import { RULE_YEARS, statutoryHolidays } from './statutory.ts';

/**
 * One year's official holiday schedule, as the State Council's notice (国务院办公厅关于XXXX年部分
 * 节假日安排的通知) publishes it. A day of that year is a working day iff it is in `workdays`, or
 * it is Monday to Friday and not in `holidays`.
 */
export interface YearSchedule {
  year: number;
  /** Every day off of every holiday period, as the notice lists them (weekend days included: harmless). */
  holidays: string[];
  /** The weekend days worked in exchange (调休上班). */
  workdays: string[];
  /** The document the dates come from: its title, number and date. */
  source: string;
  /** When it was published: the notice's date (YYYY-MM-DD), or the moment an admin entered it. */
  publishedAt?: string;
}

interface Problem {
  path: (string | number)[];
  message: string;
  /** The calendar cannot be computed with it (a date that is not one, or not in the year); the rest is sanity. */
  fatal?: boolean;
}

const WEEKDAY_NAMES = ['日', '一', '二', '三', '四', '五', '六'];

/** What is wrong with a schedule; `year` undefined: the dates must just share one year. */
function problemsOf(s: { holidays: string[]; workdays: string[]; source: string; publishedAt?: string }, year?: number): Problem[] {
  const problems: Problem[] = [];
  if (year !== undefined && !(Number.isInteger(year) && year >= 1 && year <= 9999)) problems.push({ path: ['year'], message: `年份无效：${year}`, fatal: true });
  if (!s.source.trim()) problems.push({ path: ['source'], message: '须注明来源：国务院办公厅通知的标题、文号和日期' });
  if (s.holidays.length === 0) problems.push({ path: ['holidays'], message: '放假日期不能为空' });
  let theYear = year;
  const seen = new Map<string, 'holidays' | 'workdays'>();
  for (const list of ['holidays', 'workdays'] as const) {
    const label = list === 'holidays' ? '放假日期' : '调休上班日期';
    s[list].forEach((date, i) => {
      const path = [list, i];
      const y = yearOf(date);
      if (y < 0) return void problems.push({ path, message: `${label}应为 YYYY-MM-DD 格式的有效日期：${date}`, fatal: true });
      theYear ??= y;
      if (y !== theYear) problems.push({ path, message: year === undefined ? `所有日期应在同一年内：${date}` : `${label}${date}不在${year}年内`, fatal: true });
      const before = seen.get(date);
      if (before === list) problems.push({ path, message: `${label}${date}重复` });
      else if (before) problems.push({ path, message: `${date}不能既放假又上班` });
      seen.set(date, list);
      const wd = weekday(dayNumber(date));
      if (list === 'workdays' && wd !== 0 && wd !== 6) problems.push({ path, message: `调休上班日期应为周六或周日，${date}是周${WEEKDAY_NAMES[wd]}` });
    });
  }
  return problems;
}

/** What is wrong with a schedule, in Chinese, for the admin who entered it; [] when it is sound. */
export const scheduleProblems = (s: YearSchedule): string[] => problemsOf(s, s.year).map((p) => p.message);

/**
 * The problems that make a schedule unusable: a date that is not one, or not in its year. The
 * calendar refuses only these, so that a schedule stored with an oddity (a weekday marked 上班)
 * still loads; the input schema below refuses every problem before anything is stored.
 */
export const fatalScheduleProblems = (s: YearSchedule): string[] => problemsOf(s, s.year).filter((p) => p.fatal).map((p) => p.message);

/**
 * What looks odd without being wrong: a statutory day, by the rule, that the schedule does not
 * give off. Either a typo (the wrong year pasted), or the law changed; the admin decides.
 */
export function scheduleWarnings(s: YearSchedule): string[] {
  if (s.year < RULE_YEARS.first || s.year > RULE_YEARS.last) return [];
  const off = new Set(s.holidays);
  const worked = new Set(s.workdays);
  // A statutory day on a weekend is off without being listed: only one the schedule makes a working day is said.
  const isWeekend = (date: string) => [0, 6].includes(weekday(dayNumber(date)));
  const isWorkingDay = (date: string) => worked.has(date) || (!off.has(date) && !isWeekend(date));
  return statutoryHolidays(s.year)
    .filter((h) => isWorkingDay(h.date))
    .map((h) => `按《全国年节及纪念日放假办法》，${h.date}（${h.name}）应放假，但不在放假日期中`);
}

const refine = (year?: number) => (s: { holidays: string[]; workdays: string[]; source: string; publishedAt?: string }, ctx: z.core.$RefinementCtx) => {
  for (const p of problemsOf(s, year)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
};

const body = z.object({
  holidays: z.array(z.string(), { error: '放假日期应为日期列表' }),
  workdays: z._default(z.array(z.string(), { error: '调休上班日期应为日期列表' }), []),
  source: z.string({ error: '须注明来源' }),
  publishedAt: z.optional(z.string()),
});

/** The body of PUT /v1/calendar/{year}, checked except for the year (see yearScheduleInput). */
export const YearScheduleInput = body.check(z.superRefine(refine()));

/** The body of PUT /v1/calendar/{year}, every date checked to be in `year`. */
export const yearScheduleInput = (year: number) => body.check(z.superRefine(refine(year)));
