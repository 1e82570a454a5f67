import type { ApplicationRecord } from './application.ts';
import { chinaDate, type WorkingCalendar } from './calendar.ts';
import type { Item } from './catalog.ts';

/**
 * Statistics (SPEC rule 14) kept as counts per department, item and China day of submission:
 * each application adds its contribution to the bucket of the day it was submitted, and every
 * change to it adds the difference between its contribution after and before — in the same
 * transaction as the change, so each change counts exactly once. A period's figures are then
 * the sum of its days' buckets, whatever the number of applications.
 */

export const STAT_COUNTS = [
  'submitted', 'accepted', 'refused', 'withdrawn', 'approved', 'denied', 'completed',
  /** Decided after acceptance with a due time: the denominator of the on-time rate and the averages. */
  'decided', 'onTime', 'workingDaysUsed', 'legalLimitDays',
  'sameDayCompleted', 'zeroVisit', 'fullyOnline', 'evaluations', 'evaluationScore',
] as const;
export type StatCount = (typeof STAT_COUNTS)[number];
export type StatCounts = Record<StatCount, number>;

export const zeroCounts = (): StatCounts => Object.fromEntries(STAT_COUNTS.map((k) => [k, 0])) as StatCounts;

/** The bucket of an application: its department and item, and the China day it was submitted (none of which ever change). */
export const statsScope = (dept: string, itemCode: string) => `${dept}#${itemCode}`;
export const bucketOf = (app: Pick<ApplicationRecord, 'department' | 'itemCode' | 'submittedAt'>) => ({ scope: statsScope(app.department, app.itemCode), day: chinaDate(new Date(app.submittedAt)) });

/** What one application, as it stands, counts for in the statistics. */
export function contribution(app: ApplicationRecord, item: Item, calendar: Pick<WorkingCalendar, 'workingDaysBetween'>): StatCounts {
  const c = zeroCounts();
  c.submitted = 1;
  c.accepted = app.acceptedAt ? 1 : 0;
  c.refused = app.status === 'refused' ? 1 : 0;
  c.withdrawn = app.status === 'withdrawn' ? 1 : 0;
  c.approved = app.decision?.outcome === 'approve' ? 1 : 0;
  c.denied = app.decision?.outcome === 'deny' ? 1 : 0;
  if (app.decision && app.acceptedAt && app.due) {
    c.decided = 1;
    c.onTime = Date.parse(app.decision.at) <= Date.parse(app.due.promisedAt) ? 1 : 0;
    c.workingDaysUsed = calendar.workingDaysBetween(chinaDate(new Date(app.acceptedAt)), chinaDate(new Date(app.decision.at)));
    c.legalLimitDays = item.legalLimitDays + (app.extension?.days ?? 0);
  }
  if (app.status === 'completed') {
    c.completed = 1;
    c.sameDayCompleted = app.completedAt && chinaDate(new Date(app.completedAt)) === chinaDate(new Date(app.submittedAt)) ? 1 : 0;
  }
  c.zeroVisit = item.visits === 0 ? 1 : 0;
  c.fullyOnline = item.online === 'full' ? 1 : 0;
  if (app.evaluation) {
    c.evaluations = 1;
    c.evaluationScore = app.evaluation.score;
  }
  return c;
}

/** The counts to add to a bucket when an application goes from `before` (none: just submitted) to `after`; only those that change. */
export function countsDelta(before: StatCounts | undefined, after: StatCounts): Partial<StatCounts> {
  const delta: Partial<StatCounts> = {};
  for (const k of STAT_COUNTS) {
    const d = after[k] - (before?.[k] ?? 0);
    if (d) delta[k] = d;
  }
  return delta;
}

export function addCounts(into: StatCounts, more: Partial<StatCounts>): StatCounts {
  for (const k of STAT_COUNTS) into[k] += more[k] ?? 0;
  return into;
}

/** The figures of rule 14 from summed counts: rates from 0 to 1 (null without a denominator), averages to two places. */
export function figuresOf(c: StatCounts) {
  const rate = (n: number, d: number) => (d ? Math.round((n / d) * 10000) / 10000 : null);
  const avg = (sum: number, n: number) => (n ? Math.round((sum / n) * 100) / 100 : null);
  return {
    submitted: c.submitted,
    accepted: c.accepted,
    refused: c.refused,
    withdrawn: c.withdrawn,
    approved: c.approved,
    denied: c.denied,
    completed: c.completed,
    onTimeRate: rate(c.onTime, c.decided),
    averageWorkingDaysUsed: avg(c.workingDaysUsed, c.decided),
    averageLegalLimitDays: avg(c.legalLimitDays, c.decided),
    sameDayCompletionRate: rate(c.sameDayCompleted, c.completed),
    zeroVisitRate: rate(c.zeroVisit, c.submitted),
    fullyOnlineRate: rate(c.fullyOnline, c.submitted),
    averageEvaluation: avg(c.evaluationScore, c.evaluations),
  };
}
