import type { YearSchedule } from './schedule.ts';

/**
 * The official schedules we ship, typed from the State Council's notices (and checked against
 * the chinese-days package's 2025–2026 data, which we used before). A later year is published
 * each November; an admin adds it with PUT /v1/calendar/{year} until it is shipped here too.
 * Until then that year is provisional: statutory days by rule, no 调休.
 */

/** Every date from `from` to `to`, both included (within one month). */
const span = (from: string, to: string): string[] => {
  const prefix = from.slice(0, 8);
  const days: string[] = [];
  for (let d = Number(from.slice(8)); d <= Number(to.slice(8)); d++) days.push(`${prefix}${String(d).padStart(2, '0')}`);
  return days;
};

export const OFFICIAL_SCHEDULES: readonly YearSchedule[] = [
  {
    year: 2025,
    source: '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）',
    publishedAt: '2024-11-12',
    holidays: [
      '2025-01-01', // 元旦: 1 Jan (Wed), no 调休
      ...span('2025-01-28', '2025-01-31'), ...span('2025-02-01', '2025-02-04'), // 春节: 除夕 28 Jan – 初七 4 Feb
      ...span('2025-04-04', '2025-04-06'), // 清明节
      ...span('2025-05-01', '2025-05-05'), // 劳动节
      '2025-05-31', '2025-06-01', '2025-06-02', // 端午节
      ...span('2025-10-01', '2025-10-08'), // 国庆节、中秋节 (中秋 6 Oct), merged: 8 days
    ],
    workdays: [
      '2025-01-26', '2025-02-08', // 春节 (Sun, Sat)
      '2025-04-27', // 劳动节 (Sun)
      '2025-09-28', '2025-10-11', // 国庆节 (Sun, Sat)
    ],
  },
  {
    year: 2026,
    source: '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社受权发布）',
    publishedAt: '2025-11-04',
    holidays: [
      ...span('2026-01-01', '2026-01-03'), // 元旦
      ...span('2026-02-15', '2026-02-23'), // 春节: 腊月廿八 15 Feb – 初七 23 Feb, 9 days (除夕 is 廿九, 16 Feb)
      ...span('2026-04-04', '2026-04-06'), // 清明节
      ...span('2026-05-01', '2026-05-05'), // 劳动节
      ...span('2026-06-19', '2026-06-21'), // 端午节
      ...span('2026-09-25', '2026-09-27'), // 中秋节
      ...span('2026-10-01', '2026-10-07'), // 国庆节
    ],
    workdays: [
      '2026-01-04', // 元旦 (Sun)
      '2026-02-14', '2026-02-28', // 春节 (Sat, Sat)
      '2026-05-09', // 劳动节 (Sat)
      '2026-09-20', '2026-10-10', // 国庆节 (Sun, Sat)
    ],
  },
];
