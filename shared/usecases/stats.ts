import type { Deps } from '../deps.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import { chinaDate, endOfChinaDay, startOfChinaDay } from '../domain/calendar.ts';
import { findItem } from '../domain/catalog.ts';
import { addCounts, bucketOf, contribution, countsDelta, figuresOf, statsScope, zeroCounts, type StatCounts } from '../domain/stats.ts';
import type { StatsChange } from '../ports.ts';

/**
 * What a change of an application adds to its statistics bucket: the difference between what it
 * counts for after the change and before (nothing before: it is being submitted). The one hook
 * of the statistics in the write path: amend() and the submission put it into their transaction.
 */
export function statsChange(deps: Pick<Deps, 'catalog' | 'calendar'>, before: ApplicationRecord | undefined, after: ApplicationRecord): StatsChange | undefined {
  const item = findItem(deps.catalog, after.itemCode, after.itemVersion);
  if (!item) throw new Error(`application ${after.applicationId}: item ${after.itemCode} v${after.itemVersion} is not in the catalogue`);
  const add = countsDelta(before && contribution(before, item, deps.calendar), contribution(after, item, deps.calendar));
  return Object.keys(add).length ? { ...bucketOf(after), add } : undefined;
}

/** The China days a [from, to) period touches: statistics are kept by day, so a period is counted in whole days. */
export function statsDays(period: { from: string; to: string }) {
  const fromDay = chinaDate(new Date(period.from));
  const toDay = chinaDate(new Date(Date.parse(period.to) - 1));
  return { fromDay, toDay, period: { from: startOfChinaDay(fromDay).toISOString(), to: new Date(endOfChinaDay(toDay).getTime() + 1).toISOString() } };
}

type StatsQuery = { from: string; to: string; dept?: string; itemCode?: string };

/** The buckets of a query: one query per department and item of the catalogue the filter keeps. */
async function bucketsOf(deps: Pick<Deps, 'catalog' | 'stats'>, query: StatsQuery) {
  const { fromDay, toDay, period } = statsDays(query);
  const scopes = [...new Set(deps.catalog.items.filter((i) => (!query.dept || i.department === query.dept) && (!query.itemCode || i.code === query.itemCode)).map((i) => statsScope(i.department, i.code)))];
  return { period, buckets: scopes.length ? await deps.stats.read(scopes, fromDay, toDay) : [] };
}
type Buckets = Awaited<ReturnType<typeof bucketsOf>>;

/** The figures of all the buckets together. */
const totalOf = (query: StatsQuery, { period, buckets }: Buckets) => ({
  period,
  filter: { dept: query.dept ?? null, itemCode: query.itemCode ?? null },
  ...figuresOf(buckets.reduce((sum, b) => addCounts(sum, b.counts), zeroCounts())),
});

/** The figures per department and item (those with applications in the period). */
function byItemOf(catalog: Deps['catalog'], { buckets }: Buckets) {
  const byScope = new Map<string, StatCounts>();
  for (const b of buckets) byScope.set(b.scope, addCounts(byScope.get(b.scope) ?? zeroCounts(), b.counts));
  return [...byScope]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([scope, counts]) => {
      const [dept, itemCode] = scope.split('#');
      return { dept, itemCode, itemName: findItem(catalog, itemCode)?.name ?? itemCode, ...figuresOf(counts) };
    });
}

/**
 * Statistics (SPEC rule 14) of the applications submitted in the China days of [from, to), by
 * department and item, from the daily buckets: at most one item per day, department and item
 * is read, however many applications the period holds.
 */
export async function statistics(deps: Pick<Deps, 'catalog' | 'stats'>, query: StatsQuery) {
  return totalOf(query, await bucketsOf(deps, query));
}

/** The same figures in total and per department and item (for the CSV export), from one read of the buckets. */
export async function statisticsWithItems(deps: Pick<Deps, 'catalog' | 'stats'>, query: StatsQuery) {
  const buckets = await bucketsOf(deps, query);
  return { ...totalOf(query, buckets), items: byItemOf(deps.catalog, buckets) };
}
