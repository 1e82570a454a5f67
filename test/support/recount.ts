import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../../shared/deps.ts';
import type { ApplicationRecord } from '../../shared/domain/application.ts';
import { chinaDate } from '../../shared/domain/calendar.ts';
import { findItem } from '../../shared/domain/catalog.ts';
import { documentClient } from '../../shared/adapters/aws/dynamo.ts';
import { config } from '../../shared/config.ts';
import { statsDays } from '../../shared/usecases/stats.ts';
import { blockedAttempts } from '../../shared/usecases/supervision.ts';

/**
 * The statistics recounted from the applications themselves, in the tests only: what the daily
 * buckets (usecases/stats.ts) must always equal. It reads every application given to it, so it is
 * kept out of the functions: nothing deployed can read a city's applications whole.
 */
export async function recountStatistics(deps: Pick<Deps, 'catalog' | 'calendar' | 'counters'>, applications: ApplicationRecord[], query: { from: string; to: string; dept?: string; itemCode?: string }) {
  const { period } = statsDays(query);
  const apps = applications.filter(
    (a) => a.cityCode === deps.catalog.areaCode && a.submittedAt >= period.from && a.submittedAt < period.to && (!query.dept || a.department === query.dept) && (!query.itemCode || a.itemCode === query.itemCode),
  );
  const item = (a: (typeof apps)[number]) => findItem(deps.catalog, a.itemCode, a.itemVersion)!;
  const rate = (n: number, d: number) => (d ? Math.round((n / d) * 10000) / 10000 : null);
  const decided = apps.filter((a) => a.decision && a.acceptedAt && a.due);
  const onTime = decided.filter((a) => Date.parse(a.decision!.at) <= Date.parse(a.due!.promisedAt));
  const used = decided.map((a) => ({
    used: deps.calendar.workingDaysBetween(chinaDate(new Date(a.acceptedAt!)), chinaDate(new Date(a.decision!.at))),
    legal: item(a).legalLimitDays + (a.extension?.days ?? 0),
  }));
  const completed = apps.filter((a) => a.status === 'completed');
  const evaluated = apps.filter((a) => a.evaluation);
  const avg = (xs: number[]) => (xs.length ? Math.round((xs.reduce((s, x) => s + x, 0) / xs.length) * 100) / 100 : null);
  return {
    period,
    filter: { dept: query.dept ?? null, itemCode: query.itemCode ?? null },
    submitted: apps.length,
    accepted: apps.filter((a) => a.acceptedAt).length,
    refused: apps.filter((a) => a.status === 'refused').length,
    withdrawn: apps.filter((a) => a.status === 'withdrawn').length,
    approved: apps.filter((a) => a.decision?.outcome === 'approve').length,
    denied: apps.filter((a) => a.decision?.outcome === 'deny').length,
    completed: completed.length,
    onTimeRate: rate(onTime.length, decided.length),
    averageWorkingDaysUsed: avg(used.map((u) => u.used)),
    averageLegalLimitDays: avg(used.map((u) => u.legal)),
    sameDayCompletionRate: rate(completed.filter((a) => a.completedAt && chinaDate(new Date(a.completedAt)) === chinaDate(new Date(a.submittedAt))).length, completed.length),
    zeroVisitRate: rate(apps.filter((a) => item(a).visits === 0).length, apps.length),
    fullyOnlineRate: rate(apps.filter((a) => item(a).online === 'full').length, apps.length),
    averageEvaluation: avg(evaluated.map((a) => a.evaluation!.score)),
    blockedAttempts: await blockedAttempts(deps, { ...query, ...period }),
  };
}

/** Every application of the Applications table this process is configured with (a Scan: the tests' DynamoDB Local only). */
export async function scanApplications(): Promise<ApplicationRecord[]> {
  const db = documentClient();
  const apps: ApplicationRecord[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: config().APPLICATIONS_TABLE, ConsistentRead: true, ExclusiveStartKey }));
    apps.push(...((page.Items ?? []) as ApplicationRecord[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  db.destroy();
  return apps;
}
