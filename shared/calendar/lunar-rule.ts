import { LunarDay, SolarTerm, type SolarDay } from 'tyme4ts';

/**
 * The lunar statutory holidays of a year computed with tyme4ts (6tail), an astronomical
 * computation in Beijing time that agrees with the published tables (e.g. 春节 2027-02-06 and
 * 2030-02-03, where the new moon falls minutes from midnight and Node's ICU Chinese calendar is a
 * day off). Only scripts/lunar-holidays.ts and the tests import this: the functions read the
 * table it generates (lunar-holidays.ts), so that no bundle carries tyme4ts.
 */
const iso = (d: SolarDay): string => `${String(d.getYear()).padStart(4, '0')}-${String(d.getMonth()).padStart(2, '0')}-${String(d.getDay()).padStart(2, '0')}`;

export function lunarHolidaysByRule(year: number) {
  return {
    springFestival: iso(LunarDay.fromYmd(year, 1, 1).getSolarDay()),
    qingming: iso(SolarTerm.fromName(year, '清明').getJulianDay().getSolarDay()),
    dragonBoat: iso(LunarDay.fromYmd(year, 5, 5).getSolarDay()),
    midAutumn: iso(LunarDay.fromYmd(year, 8, 15).getSolarDay()),
  };
}
