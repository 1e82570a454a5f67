import { describe, expect, it } from 'vitest';
import { CalendarYearUnknownError, WorkingCalendar, chinaDate, lightOf } from '#shared/domain/calendar.ts';

const cal = new WorkingCalendar();
const at = (iso: string) => new Date(iso);

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

  it('ends a limit at the end of the last working day, China time', () => {
    const due = cal.dueAfter(at('2026-11-20T02:00:00Z'), 5); // Friday 20 Nov, 10:00 in Beijing
    expect(due.toISOString()).toBe('2026-11-27T15:59:59.999Z'); // Friday 27 Nov, 23:59:59.999 +08:00
    expect(chinaDate(at('2026-11-20T17:00:00Z'))).toBe('2026-11-21'); // already Saturday in Beijing
  });

  it('refuses to count in a year it does not know, loudly', () => {
    expect(() => cal.addWorkingDays('2026-12-20', 30)).toThrow(CalendarYearUnknownError);
  });

  it('takes the city overrides', () => {
    const city = new WorkingCalendar({ holidays: ['2026-11-23'] });
    expect(city.isWorkingDay('2026-11-23')).toBe(false);
    expect(city.addWorkingDays('2026-11-20', 1)).toBe('2026-11-24');
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
  it('is the first instant lightOf says yellow, so the scan can index it', async () => {
    const { yellowAt } = await import('#shared/domain/calendar.ts');
    for (const [start, days] of [['2026-11-02T02:00:00Z', 10], ['2026-09-23T03:00:00Z', 20], ['2026-06-01T02:00:00Z', 45], ['2026-02-13T02:00:00Z', 5]] as const) {
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
    expect(new Date(`${day}T00:00:00Z`).getUTCDay() % 6).toBe(0); // a Saturday or a Sunday
    expect(cal.isWorkingDay(day)).toBe(true);
    // Counting one working day from the day before lands on it.
    const before = new Date(Date.parse(`${day}T00:00:00Z`) - 86400_000).toISOString().slice(0, 10);
    expect(cal.addWorkingDays(before, 1)).toBe(day);
  });
});
