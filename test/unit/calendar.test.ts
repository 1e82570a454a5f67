import { describe, expect, it } from 'vitest';
import {
  OFFICIAL_SCHEDULES,
  WorkingCalendar,
  YearScheduleInput,
  chinaDate,
  lightOf,
  scheduleProblems,
  scheduleWarnings,
  statutoryHolidays,
  yearScheduleInput,
  yellowAt,
  type YearSchedule,
} from '#shared/domain/calendar.ts';
import { lunarHolidaysByRule } from '#shared/calendar/lunar-rule.ts';
import { RULE_YEARS } from '#shared/calendar/statutory.ts';

const cal = new WorkingCalendar();
const at = (iso: string) => new Date(iso);
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
const isWeekend = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() % 6 === 0;

describe('the working-day calendar (official 2025 and 2026 schedules)', () => {
  it('knows the adjusted working days (调休) and the holidays', () => {
    expect(cal.isWorkingDay('2026-02-14')).toBe(true); // Saturday worked before Spring Festival
    expect(cal.isWorkingDay('2026-02-16')).toBe(false); // Spring Festival
    expect(cal.isWorkingDay('2026-10-10')).toBe(true); // Saturday worked after National Day
    expect(cal.isWorkingDay('2026-10-05')).toBe(false);
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday worked before National Day 2025
    expect(cal.isWorkingDay('2025-10-08')).toBe(false);
  });

  it('counts a limit across Spring Festival 2026 without counting the start day', () => {
    // Accepted Friday 13 Feb 2026: Sat 14 Feb is worked (1), 15–23 Feb off, then 24, 25, 26 …
    expect(cal.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    expect(cal.addWorkingDays('2026-02-13', 2)).toBe('2026-02-24');
    expect(cal.addWorkingDays('2026-02-13', 5)).toBe('2026-02-27');
  });

  it('counts 20 working days across National Day 2026', () => {
    // From Wed 23 Sep 2026: 24, 28, 29, 30 Sep; 9, 10 (Sat, worked), 12–16, 19–23, 26–28 Oct.
    expect(cal.addWorkingDays('2026-09-23', 20)).toBe('2026-10-28');
  });

  it('counts back and between, the start day excluded', () => {
    expect(cal.subtractWorkingDays('2026-02-24', 2)).toBe('2026-02-13'); // 24 ← 14 (Sat, worked) ← 13
    expect(cal.workingDaysBetween('2026-02-13', '2026-02-27')).toBe(5);
    expect(cal.workingDaysBetween('2026-02-27', '2026-02-13')).toBe(0);
    expect(cal.addWorkingDays('2026-02-15', 0)).toBe('2026-02-15');
  });

  it('ends a limit at the end of the last working day, China time', () => {
    const due = cal.dueAfter(at('2026-11-20T02:00:00Z'), 5); // Friday 20 Nov, 10:00 in Beijing
    expect(due.toISOString()).toBe('2026-11-27T15:59:59.999Z'); // Friday 27 Nov, 23:59:59.999 +08:00
    expect(chinaDate(at('2026-11-20T17:00:00Z'))).toBe('2026-11-21'); // already Saturday in Beijing
    expect(cal.deadline(at('2026-11-20T02:00:00Z'), 5)).toEqual({ at: due, calendar: 'official' });
  });

  it('takes the city overrides, last', () => {
    const city = new WorkingCalendar({ overrides: { holidays: ['2026-11-23', '2027-03-01'], workdays: ['2026-02-15'] } });
    expect(city.isWorkingDay('2026-11-23')).toBe(false);
    expect(city.addWorkingDays('2026-11-20', 1)).toBe('2026-11-24');
    expect(city.isWorkingDay('2026-02-15')).toBe(true); // over the official schedule
    expect(city.isWorkingDay('2027-03-01')).toBe(false); // and over a provisional year
    expect(city.yearView(2026).workdays).toContain('2026-02-15');
    expect(city.yearView(2026).holidays).not.toContain('2026-02-15');
    expect(city.yearView(2027).holidays).toContain('2027-03-01');
  });

  it('refuses what is not a date rather than counting wrong', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2026-2-3', 1)).toThrow(RangeError);
    expect(() => new WorkingCalendar({ overrides: { holidays: ['2026/11/23'] } })).toThrow(RangeError);
  });
});

describe('the statutory holidays by rule', () => {
  it.each(OFFICIAL_SCHEDULES.map((s) => [s.year, s] as const))('are all days off in the official %i schedule', (year, schedule) => {
    const days = statutoryHolidays(year);
    expect(days).toHaveLength(13);
    const off = new Set(schedule.holidays);
    for (const { date, name } of days) expect(off.has(date), `${date} ${name}`).toBe(true);
    expect(scheduleWarnings(schedule)).toEqual([]);
  });

  it('know 除夕 and the lunar festivals of 2025 and 2026', () => {
    const byName = (year: number, name: string) => statutoryHolidays(year).filter((h) => h.name === name).map((h) => h.date);
    expect(byName(2025, '春节')).toEqual(['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31']); // 除夕 named in the 2025 notice
    expect(byName(2026, '春节')).toEqual(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19']); // 除夕 is 腊月廿九 (the notice: 15 Feb is 廿八)
    expect(byName(2025, '中秋节')).toEqual(['2025-10-06']); // merged into National Day in the 2025 notice
  });

  /*
   * 2027–2030 by hand, not by the library:
   *  - 春节 初一: 2027-02-06, 2028-01-26, 2029-02-13, 2030-02-03, as the published Chinese New
   *    Year tables give them; 除夕 is the day before. (2027 and 2030 are the two years where the
   *    new moon falls within minutes of midnight and Node's ICU Chinese calendar says 2027-02-07
   *    and 2030-02-02: it is the one that is wrong.)
   *  - 清明: the Qingming term is on 5 Apr 2027, 4 Apr 2028, 4 Apr 2029, 5 Apr 2030 (the term
   *    moves about 6 hours later each year and a day back each leap year: 2026 Apr 5 02:40).
   *  - 端午 (lunar 5/5) 2027-06-09, 2028-05-28, 2029-06-16, 2030-06-05; 中秋 (lunar 8/15)
   *    2027-09-15, 2028-10-03, 2029-09-22, 2030-09-12: the published festival tables, and the
   *    same as Node's ICU Chinese calendar (checked independently below).
   */
  const HAND: Record<number, { eve: string; spring: string[]; qingming: string; duanwu: string; zhongqiu: string }> = {
    2027: { eve: '2027-02-05', spring: ['2027-02-06', '2027-02-07', '2027-02-08'], qingming: '2027-04-05', duanwu: '2027-06-09', zhongqiu: '2027-09-15' },
    2028: { eve: '2028-01-25', spring: ['2028-01-26', '2028-01-27', '2028-01-28'], qingming: '2028-04-04', duanwu: '2028-05-28', zhongqiu: '2028-10-03' },
    2029: { eve: '2029-02-12', spring: ['2029-02-13', '2029-02-14', '2029-02-15'], qingming: '2029-04-04', duanwu: '2029-06-16', zhongqiu: '2029-09-22' },
    2030: { eve: '2030-02-02', spring: ['2030-02-03', '2030-02-04', '2030-02-05'], qingming: '2030-04-05', duanwu: '2030-06-05', zhongqiu: '2030-09-12' },
  };
  it.each(Object.entries(HAND))('are right for %s, checked by hand', (y, h) => {
    const year = Number(y);
    const expected = [
      { date: `${y}-01-01`, name: '元旦' },
      ...[h.eve, ...h.spring].map((date) => ({ date, name: '春节' })),
      { date: h.qingming, name: '清明节' },
      { date: `${y}-05-01`, name: '劳动节' },
      { date: `${y}-05-02`, name: '劳动节' },
      { date: h.duanwu, name: '端午节' },
      { date: h.zhongqiu, name: '中秋节' },
      ...['01', '02', '03'].map((d) => ({ date: `${y}-10-${d}`, name: '国庆节' })),
    ];
    const sort = (xs: { date: string; name: string }[]) => [...xs].sort((a, b) => (a.date + a.name < b.date + b.name ? -1 : 1));
    expect(sort(statutoryHolidays(year))).toEqual(sort(expected));
  });

  it('has the shape of the rule every year from 1950 to 2100', () => {
    for (let year = 1950; year <= 2100; year++) {
      const days = statutoryHolidays(year);
      const spring = days.filter((d) => d.name === '春节').map((d) => d.date);
      const one = (name: string) => days.find((d) => d.name === name)!.date.slice(5);
      expect(days, `${year}`).toHaveLength(13);
      expect(spring.slice(1)).toEqual([1, 2, 3].map((n) => plusDays(spring[0], n)));
      expect(spring[0].slice(5) >= '01-20' && spring[0].slice(5) <= '02-19', `${year} 除夕 ${spring[0]}`).toBe(true);
      expect(one('清明节') >= '04-03' && one('清明节') <= '04-06', `${year} 清明`).toBe(true);
      expect(one('端午节') >= '05-27' && one('端午节') <= '06-25', `${year} 端午`).toBe(true);
      expect(one('中秋节') >= '09-07' && one('中秋节') <= '10-08', `${year} 中秋`).toBe(true);
    }
  });

  it('agrees with the ICU Chinese calendar 2025–2100, but for its two near-midnight new moons', () => {
    // An independent implementation (Node's ICU): a check on the library, not the reference.
    const fmt = new Intl.DateTimeFormat('en-u-ca-chinese', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric' });
    const lunar = (date: string) => {
      const parts = Object.fromEntries(fmt.formatToParts(new Date(`${date}T12:00:00+08:00`)).map((p) => [p.type, p.value]));
      return `${parts.month}/${parts.day}`;
    };
    const disagree: string[] = [];
    for (let year = 2025; year <= 2100; year++) {
      const days = statutoryHolidays(year);
      const first = days.filter((d) => d.name === '春节')[1].date;
      if (lunar(first) !== '1/1') disagree.push(`${year} 春节`);
      if (lunar(days.find((d) => d.name === '端午节')!.date) !== '5/5') disagree.push(`${year} 端午`);
      if (lunar(days.find((d) => d.name === '中秋节')!.date) !== '8/15') disagree.push(`${year} 中秋`);
    }
    expect(disagree.filter((d) => d !== '2027 春节' && d !== '2030 春节')).toEqual([]);
  });

  it('keeps the fixed-date holidays past the lunar range, and never throws', () => {
    expect(statutoryHolidays(2300).map((d) => d.name)).toEqual(['元旦', '劳动节', '劳动节', '国庆节', '国庆节', '国庆节']);
    expect(cal.isWorkingDay('2300-10-02')).toBe(false);
    expect(cal.addWorkingDays('2150-12-30', 30)).toMatch(/^2151-02-/);
  });
});

// A 2027 schedule made up for the test, in the manner of the 2025 notice: NOT the real one.
const HYPOTHETICAL_2027: YearSchedule = {
  year: 2027,
  source: 'test fixture (hypothetical, not a State Council notice)',
  holidays: ['2027-01-01', '2027-01-02', '2027-01-03', ...[5, 6, 7, 8, 9, 10, 11, 12].map((d) => `2027-02-${String(d).padStart(2, '0')}`)],
  workdays: ['2027-01-31', '2027-02-20'],
};

describe('a year with no official schedule is provisional', () => {
  it('is counted by rule, not refused', () => {
    expect(cal.yearStatus(2026)).toBe('official');
    expect(cal.yearStatus(2027)).toBe('provisional');
    // Sun 20 Dec 2026: 21–25, 28–31 Dec (9); 1 Jan 2027 is 元旦; 4–8 (14), 11–15 (19), 18 Jan (20).
    const d = cal.deadline(at('2026-12-20T02:00:00Z'), 20);
    expect(d).toEqual({ at: at('2027-01-18T15:59:59.999Z'), calendar: 'provisional' });
    expect(cal.kindBetween('2026-12-20', '2027-01-18')).toBe('provisional');
    expect(cal.kindBetween('2026-12-20', '2026-12-31')).toBe('official');
    expect(cal.kindBetween('2027-01-18', '2026-12-20')).toBe('provisional');
  });

  it('has no 调休: Spring Festival 2027 by rule is 除夕 to 初三, weekends as they fall', () => {
    // Mon 1 Feb 2027: 2, 3, 4 (3); 5 (除夕, Fri) off; 6, 7 weekend; 8 (初三, Mon) off; 9–12 (7); 15, 16, 17 (10).
    expect(cal.addWorkingDays('2027-02-01', 10)).toBe('2027-02-17');
  });

  it('becomes official when its schedule is published, and moves a deadline across a 调休 day', () => {
    const after = cal.withSchedule(HYPOTHETICAL_2027);
    expect(after.yearStatus(2027)).toBe('official');
    expect(cal.yearStatus(2027)).toBe('provisional'); // the old calendar is unchanged
    // 2, 3, 4 (3); 5–12 Feb off; 15–19 (8); Sat 20 Feb worked (9); 22 Feb (10).
    expect(after.addWorkingDays('2027-02-01', 10)).toBe('2027-02-22');
    expect(after.deadline(at('2027-02-01T02:00:00Z'), 10)).toEqual({ at: at('2027-02-22T15:59:59.999Z'), calendar: 'official' });
    expect(after.deadline(at('2026-12-20T02:00:00Z'), 20).calendar).toBe('official');
    expect(after.schedules().map((s) => s.year)).toEqual([2025, 2026, 2027]);
    // Replacing a year replaces it.
    const again = after.withSchedule({ ...HYPOTHETICAL_2027, workdays: [] });
    expect(again.addWorkingDays('2027-02-01', 10)).toBe('2027-02-23');
    expect(again.schedules()).toHaveLength(3);
  });

  it('officialThrough() is the last year of the unbroken run from 2025', () => {
    expect(cal.officialThrough()).toBe(2026);
    expect(cal.withSchedule(HYPOTHETICAL_2027).officialThrough()).toBe(2027);
    expect(cal.withSchedule({ ...HYPOTHETICAL_2027, year: 2028, holidays: ['2028-01-01'], workdays: [] }).officialThrough()).toBe(2026);
    expect(new WorkingCalendar({ official: [] }).officialThrough()).toBe(2024);
  });

  it('shows a year as GET /v1/calendar/{year} does', () => {
    const official = cal.yearView(2026);
    expect(official).toMatchObject({ year: 2026, status: 'official', workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'] });
    expect(official.source).toContain('2026年部分节假日安排');
    expect(official.holidays).toHaveLength(33);
    const provisional = cal.yearView(2027);
    expect(provisional).toEqual({
      year: 2027,
      status: 'provisional',
      holidays: [...new Set(statutoryHolidays(2027).map((h) => h.date))].sort(),
      workdays: [],
    });
    expect(provisional.holidays).toContain('2027-02-06'); // 初一, a Saturday: statutory days on weekends too
    expect(cal.yearView(2028).holidays).toHaveLength(12); // 中秋 on 3 Oct: 13 statutory days, 12 dates
  });
});

describe('deadlines across the year end and the Golden Week', () => {
  it('crosses from 2026 into 2027', () => {
    // Mon 21 Dec 2026 + 10: 22–25 (4), 28–31 (8), 1 Jan off, 4 (9), 5 Jan 2027 (10).
    expect(cal.addWorkingDays('2026-12-21', 10)).toBe('2027-01-05');
    expect(cal.workingDaysBetween('2026-12-21', '2027-01-05')).toBe(10);
    expect(cal.subtractWorkingDays('2027-01-05', 3)).toBe('2026-12-30');
    // Mon 28 Dec 2026 + 5: 29–31 (3), 1 Jan off, 4 (4), 5 (5).
    expect(cal.addWorkingDays('2026-12-28', 5)).toBe('2027-01-05');
    // + 45: 29–31 Dec (3); Jan 4–29 (23); Feb 1–4 (27); 5 and 8 Feb off; 9–12 (31), 15–19 (36), 22–26 (41); 1–4 Mar (45).
    expect(cal.deadline(at('2026-12-28T01:00:00Z'), 45)).toEqual({ at: at('2027-03-04T15:59:59.999Z'), calendar: 'provisional' });
    // Thu 24 Dec + 5 ends on 31 Dec: 2027 is never touched.
    expect(cal.deadline(at('2026-12-24T01:00:00Z'), 5)).toEqual({ at: at('2026-12-31T15:59:59.999Z'), calendar: 'official' });
  });

  it('skips 1–3 Oct 2030 (and 中秋 on 12 Sep)', () => {
    // Fri 20 Sep 2030: 23–27 (5), 30 (6); 1–3 Oct off; 4 (7); 7, 8, 9 (10).
    expect(cal.addWorkingDays('2030-09-20', 10)).toBe('2030-10-09');
    expect(cal.addWorkingDays('2030-09-09', 3)).toBe('2030-09-13');
    expect(cal.isWorkingDay('2030-10-04')).toBe(true); // no 调休 guessed
  });
});

describe('schedule input', () => {
  it('accepts the shipped schedules', () => {
    for (const s of OFFICIAL_SCHEDULES) {
      expect(scheduleProblems(s)).toEqual([]);
      expect(yearScheduleInput(s.year).safeParse(s).success).toBe(true);
    }
  });

  it('says in Chinese what is wrong', () => {
    const bad = { year: 2027, holidays: ['2027-02-30', '2028-01-01', '2027-10-01'], workdays: ['2027-10-01', '2027-10-06'], source: ' ' };
    const problems = scheduleProblems(bad);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('2027-02-30'), expect.stringContaining('不在2027年内'), expect.stringContaining('不能既放假又上班'), expect.stringContaining('是周三'), expect.stringContaining('来源')]));
    const parsed = yearScheduleInput(2027).safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['holidays.0', 'holidays.1', 'workdays.0', 'workdays.1', 'source']));
    expect(YearScheduleInput.safeParse({ holidays: ['2027-01-01', '2028-01-01'], workdays: [], source: 'x' }).success).toBe(false);
    // Only statutory days the schedule would make working days: those on weekdays (6 February, a Saturday, is off anyway).
    const warned = scheduleWarnings({ ...HYPOTHETICAL_2027, holidays: ['2027-01-01'] }).map((w) => /\d{4}-\d{2}-\d{2}/.exec(w)![0]);
    expect(warned).toEqual(['2027-02-05', '2027-02-08', '2027-04-05', '2027-06-09', '2027-09-15', '2027-10-01']);
  });

  it('the calendar refuses only what it cannot count with', () => {
    expect(() => cal.withSchedule({ ...HYPOTHETICAL_2027, holidays: ['2028-01-01'] })).toThrow(RangeError);
    expect(cal.withSchedule({ ...HYPOTHETICAL_2027, source: '' }).yearStatus(2027)).toBe('official');
  });
});

describe('supervision lights', () => {
  const start = at('2026-11-02T02:00:00Z'); // Monday
  const due = cal.dueAfter(start, 10); // end of Monday 16 Nov
  it('is green early, yellow with one working day left, red when overdue', () => {
    expect(lightOf(cal, at('2026-11-03T02:00:00Z'), start, due)).toBe('green');
    expect(lightOf(cal, at('2026-11-13T02:00:00Z'), start, due)).toBe('yellow'); // Friday: one working day left
    expect(lightOf(cal, at('2026-11-16T10:00:00Z'), start, due)).toBe('yellow'); // the due day
    expect(lightOf(cal, at('2026-11-16T16:00:01Z'), start, due)).toBe('red');
  });
  it('is yellow once 80 % of the time is used', () => {
    expect(lightOf(cal, at('2026-11-12T06:00:00Z'), start, due)).toBe('yellow');
  });
});

describe('the moment a step turns yellow', () => {
  it('is the first instant lightOf says yellow, so the scan can index it', () => {
    for (const [start, days] of [['2026-11-02T02:00:00Z', 10], ['2026-09-23T03:00:00Z', 20], ['2026-06-01T02:00:00Z', 45], ['2026-02-13T02:00:00Z', 5], ['2026-12-10T02:00:00Z', 45]] as const) {
      const started = at(start);
      const due = cal.dueAfter(started, days);
      const y = yellowAt(cal, started, due);
      expect(lightOf(cal, new Date(y.getTime() - 1), started, due), `${start}+${days}`).toBe('green');
      expect(lightOf(cal, y, started, due), `${start}+${days}`).toBe('yellow');
    }
  });
});

describe('every adjusted working day of 2025 and 2026', () => {
  // The weekend days worked in lieu (调休), from the State Council's notices for 2025 and 2026.
  const adjusted = ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11', '2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];
  it.each(adjusted)('%s is a working day and counts in a limit', (day) => {
    expect(isWeekend(day)).toBe(true); // a Saturday or a Sunday
    expect(cal.isWorkingDay(day)).toBe(true);
    // Counting one working day from the day before lands on it.
    expect(cal.addWorkingDays(plusDays(day, -1), 1)).toBe(day);
  });
});

describe('the precomputed tables', () => {
  /** Day by day, as the calendar used to count: the reference the tables must agree with. */
  const slowAdd = (c: WorkingCalendar, date: string, n: number) => {
    let d = date;
    for (let left = n; left > 0; ) if (c.isWorkingDay((d = plusDays(d, 1)))) left--;
    return d;
  };

  it('agree with counting day by day, 2025 to 2035, both ways', () => {
    const c = cal.withSchedule(HYPOTHETICAL_2027);
    for (let i = 0; i < 400; i++) {
      const start = plusDays('2025-01-01', (i * 97) % 3650);
      const n = (i * 7) % 120;
      const end = c.addWorkingDays(start, n);
      expect(end, `${start}+${n}`).toBe(slowAdd(c, start, n));
      expect(c.workingDaysBetween(start, end)).toBe(n);
      // Back n working days from the end: n working days in [back, end), and back no later than start.
      const back = c.subtractWorkingDays(end, n);
      expect(c.workingDaysBetween(plusDays(back, -1), plusDays(end, -1)), `${end}-${n}`).toBe(n);
      expect(back <= start && (n === 0 || c.isWorkingDay(back)), `${end}-${n}`).toBe(true);
    }
  });

  it('compute 10,000 45-working-day deadlines, each consistent', () => {
    const t0 = Date.parse('2025-06-01T02:00:00Z');
    for (let i = 0; i < 10_000; i++) {
      const start = new Date(t0 + i * 6 * 3600_000); // every 6 hours, into 2032
      const { at: due, calendar } = cal.deadline(start, 45);
      const dueDay = chinaDate(due);
      expect(cal.isWorkingDay(dueDay)).toBe(true);
      expect(cal.workingDaysBetween(chinaDate(start), dueDay)).toBe(45);
      expect(calendar).toBe(dueDay <= '2026-12-31' ? 'official' : 'provisional');
    }
  });
});

describe('the lunar holidays table the functions read', () => {
  it('gives, for every year of RULE_YEARS, the days tyme4ts computes (scripts/lunar-holidays.ts rewrites it)', () => {
    const differing: string[] = [];
    for (let year = RULE_YEARS.first; year <= RULE_YEARS.last; year++) {
      const rule = lunarHolidaysByRule(year);
      const days = statutoryHolidays(year);
      const dates = (name: string) => days.filter((h) => h.name === name).map((h) => h.date);
      const newYear = new Date(`${rule.springFestival}T00:00:00Z`).getTime();
      const spring = [-1, 0, 1, 2].map((i) => new Date(newYear + i * 86_400_000).toISOString().slice(0, 10));
      const expected = { 春节: spring, 清明节: [rule.qingming], 端午节: [rule.dragonBoat], 中秋节: [rule.midAutumn] };
      for (const [name, want] of Object.entries(expected)) if (JSON.stringify(dates(name)) !== JSON.stringify(want)) differing.push(`${year} ${name}: ${dates(name)} ≠ ${want}`);
    }
    expect(differing).toEqual([]);
  });
});
