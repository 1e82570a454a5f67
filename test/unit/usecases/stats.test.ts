import { describe, expect, it } from 'vitest';
import { statistics, statsPeriod } from '../../../shared/usecases/supervision.ts';
import { recountStatistics } from '../../support/recount.ts';
import { completeTask } from '../../../shared/usecases/tasks.ts';
import { withdrawApplication } from '../../../shared/usecases/withdraw.ts';
import { fakeDeps } from '../../support/fakes.ts';
import { accepted, applicantOf, drug, ENTERPRISE_CODE, openStep, submit } from './scenario.ts';

/**
 * Statistics kept as daily buckets (SPEC rule 14): every change of an application adds its
 * difference to its bucket in the same write, so the buckets always equal a recount of the
 * applications themselves.
 */
describe('the statistics buckets', () => {
  it('equal a recount of the applications after submissions, an acceptance, a refusal, a review and a withdrawal', async () => {
    const deps = fakeDeps();
    const refused = await submit(deps, 'pharmacy-retail-license');
    await completeTask(deps, drug.clerk, (await openStep(deps, refused, 'acceptance')).taskId, { outcome: 'refuse', reason: '申请事项不属于本机关职权范围', legalBasis: '《中华人民共和国行政许可法》第三十二条第一款第（二）项' });
    const reviewed = await accepted(deps, 'pharmacy-retail-license');
    await completeTask(deps, drug.clerk, (await openStep(deps, reviewed, 'review')).taskId, { outcome: 'pass' });
    const withdrawn = await submit(deps, 'pharmacy-retail-license');
    await withdrawApplication(deps, applicantOf(ENTERPRISE_CODE), withdrawn, '不再需要');
    await submit(deps, 'pharmacist-registration');
    deps.clock.set('2026-06-02T03:00:00Z'); // the next day, another bucket
    await accepted(deps, 'pharmacy-retail-license');

    const period = statsPeriod(deps.clock.now(), '2026-06-01', '2026-06-30');
    const figures = await statistics(deps, period);
    expect(figures).toEqual(await recountStatistics(deps, [...deps.applications.items.values()], period));
    expect(figures).toMatchObject({ submitted: 5, accepted: 2, refused: 1, withdrawn: 1 });
    for (const filter of [{ itemCode: 'pharmacist-registration' }, { dept: 'drug' }, { itemCode: 'catering-filing' }]) {
      expect(await statistics(deps, { ...period, ...filter })).toEqual(await recountStatistics(deps, [...deps.applications.items.values()], { ...period, ...filter }));
    }
    // One bucket a department, item and day: three here, whatever the number of applications.
    expect(deps.stats.buckets.size).toBe(3);
    expect(await statistics(deps, statsPeriod(deps.clock.now(), '2026-06-02', '2026-06-02'))).toMatchObject({ submitted: 1, accepted: 1 });
  });
});
