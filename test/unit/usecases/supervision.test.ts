import { describe, expect, it, vi } from 'vitest';
import { listCases, listLights, runSupervisionScan } from '../../../shared/usecases/supervision.ts';
import { completeTask } from '../../../shared/usecases/tasks.ts';
import { correctApplication } from '../../../shared/usecases/corrections.ts';
import type { TaskRecord } from '../../../shared/domain/task.ts';
import { fakeDeps, type FakeDeps } from '../../support/fakes.ts';
import { accepted, actions, applicantOf, drug, ENTERPRISE_CODE, openStep, stored, submit, uploadMaterial } from './scenario.ts';

/**
 * Electronic supervision (SPEC rules 4 and 10): the scan reads the steps whose light may have
 * changed, turns them yellow and red, opens one case per overdue step and deems an untouched
 * acceptance accepted from the day of receipt. Submitted Monday 1 June 2026, 10:00 Beijing:
 * acceptance due at the end of Monday 8 June, yellow from Friday 5 June.
 */
const FRIDAY_5 = '2026-06-05T02:00:00Z';
const TUESDAY_9 = '2026-06-09T02:00:00Z';

async function waitingForAcceptance(deps: FakeDeps, itemCode = 'pharmacy-retail-license') {
  const id = await submit(deps, itemCode);
  const task = await openStep(deps, id, 'acceptance');
  return { id, task };
}

describe('the supervision scan', () => {
  it('reads nothing while no step is close to its due time', async () => {
    const deps = fakeDeps();
    for (let i = 0; i < 3; i++) await waitingForAcceptance(deps);
    deps.clock.set('2026-06-04T15:59:59Z'); // the last second before Friday in Beijing

    expect(await runSupervisionScan(deps)).toEqual({ read: 0, yellow: 0, red: 0, casesOpened: 0, deemedAccepted: 0, failed: 0 });
  });

  it('turns a step yellow once when one working day is left, and looks at it again when it falls due', async () => {
    // Prepare
    const deps = fakeDeps();
    const { id, task } = await waitingForAcceptance(deps);
    deps.clock.set(FRIDAY_5);

    // Act
    const first = await runSupervisionScan(deps);
    const second = await runSupervisionScan(deps);

    // Assess
    expect(first).toEqual({ read: 1, yellow: 1, red: 0, casesOpened: 0, deemedAccepted: 0, failed: 0 });
    expect(second).toEqual({ read: 0, yellow: 0, red: 0, casesOpened: 0, deemedAccepted: 0, failed: 0 });
    expect(await deps.tasks.get(task.taskId)).toMatchObject({ light: 'yellow', watch: 'open', watchAt: '2026-06-08T15:59:59.999Z' });
    expect((await listLights(deps, 'yellow', 'drug')).map((t) => [t.taskId, t.light])).toEqual([[task.taskId, 'yellow']]);
    expect(await listLights(deps, 'yellow', 'construction')).toEqual([]);
    const trail = await deps.applications.audit(id);
    expect(trail.map((e) => e.action)).toEqual(['submitted', 'supervision.yellow']);
    expect(trail[1]).toMatchObject({ actor: 'system:supervision', at: '2026-06-05T02:00:00.000Z', details: { taskId: task.taskId, step: 'acceptance', dueAt: '2026-06-08T15:59:59.999Z' } });
    expect((await stored(deps, id)).status).toBe('submitted');
  });

  it('turns an untouched acceptance red, opens one case naming step, department and rank, and deems it accepted from the day of receipt', async () => {
    // Prepare
    const deps = fakeDeps();
    const { id, task } = await waitingForAcceptance(deps);
    deps.clock.set(FRIDAY_5);
    await runSupervisionScan(deps);
    deps.clock.set(TUESDAY_9);

    // Act
    const report = await runSupervisionScan(deps);

    // Assess
    expect(report).toEqual({ read: 1, yellow: 0, red: 1, casesOpened: 1, deemedAccepted: 1, failed: 0 });
    const cases = await listCases(deps);
    expect(cases).toEqual([
      {
        caseId: `case_${task.taskId}`,
        kind: 'overdue',
        status: 'open',
        applicationId: id,
        applicationNo: task.applicationNo,
        itemCode: 'pharmacy-retail-license',
        dept: 'drug',
        step: 'acceptance',
        rank: 'clerk',
        taskId: task.taskId,
        dueAt: '2026-06-08T15:59:59.999Z',
        openedAt: '2026-06-09T02:00:00.000Z',
        detail: expect.stringContaining('drug（clerk）'),
      },
    ]);
    const app = await stored(deps, id);
    expect(app.status).toBe('accepted');
    expect(app.acceptedAt).toBe('2026-06-01T02:00:00.000Z'); // the day of receipt, not the day of the scan
    expect(app.due).toEqual({ promisedAt: '2026-06-15T15:59:59.999Z', legalAt: '2026-06-30T15:59:59.999Z', calendar: 'official' });
    expect(await actions(deps, id)).toEqual(['submitted', 'supervision.yellow', 'supervision.red', 'supervision.case-opened', 'acceptance.accept']);
    expect((await deps.applications.audit(id)).at(-1)).toMatchObject({ actor: 'system:deemed-acceptance', at: '2026-06-09T02:00:00.000Z', reason: expect.stringContaining('第三十二条') });
    expect(await deps.tasks.get(task.taskId)).toMatchObject({ status: 'completed', completedBy: 'system:deemed-acceptance' });
    expect(deps.workflow.successes(task.taskToken)).toHaveLength(1);
    // Idempotent: the next scan reads nothing and does nothing.
    expect(await runSupervisionScan(deps)).toEqual({ read: 0, yellow: 0, red: 0, casesOpened: 0, deemedAccepted: 0, failed: 0 });
    expect(await listCases(deps)).toHaveLength(1);
  });

  it('deems a corrected application accepted from the day the correction arrived', async () => {
    // Prepare: correction requested on 1 June, made on Thursday 4 June: acceptance due Thursday 11 June.
    const deps = fakeDeps();
    const { id, task } = await waitingForAcceptance(deps);
    await completeTask(deps, drug.clerk, task.taskId, { outcome: 'correction', items: [{ field: 'pharmacistCount', reason: '人数有误' }] });
    await openStep(deps, id, 'correction');
    deps.clock.set('2026-06-04T03:00:00Z');
    await correctApplication(deps, applicantOf(ENTERPRISE_CODE), id, { materials: [], form: { pharmacistCount: 4 } });
    const again = await openStep(deps, id, 'acceptance');
    expect(again.dueAt).toBe('2026-06-11T15:59:59.999Z');
    deps.clock.set('2026-06-12T02:00:00Z');

    // Act
    const report = await runSupervisionScan(deps);

    // Assess: accepted 4 June; promised 5, 8–12, 15–18 June → 18 June.
    expect(report).toMatchObject({ red: 1, casesOpened: 1, deemedAccepted: 1 });
    const app = await stored(deps, id);
    expect(app.acceptedAt).toBe('2026-06-04T03:00:00.000Z');
    expect(app.due!.promisedAt).toBe('2026-06-18T15:59:59.999Z');
  });

  it('opens a case for an overdue review without deciding anything for the officer', async () => {
    const deps = fakeDeps();
    const id = await accepted(deps, 'pharmacy-retail-license');
    const review = await openStep(deps, id, 'review');
    deps.clock.set('2026-06-16T02:00:00Z'); // the day after the promised 15 June

    const report = await runSupervisionScan(deps);

    expect(report).toEqual({ read: 1, yellow: 0, red: 1, casesOpened: 1, deemedAccepted: 0, failed: 0 });
    expect(await deps.tasks.get(review.taskId)).toMatchObject({ status: 'open', light: 'red' });
    expect((await deps.tasks.get(review.taskId))!.watch).toBeUndefined();
    expect((await listLights(deps, 'red')).map((t) => t.taskId)).toEqual([review.taskId]);
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept', 'supervision.red', 'supervision.case-opened']);
  });

  it('leaves an acceptance the officer decided meanwhile as decided', async () => {
    // Prepare: the scan read the step just before the clerk accepted it.
    const deps = fakeDeps();
    const { id, task } = await waitingForAcceptance(deps);
    deps.clock.set(TUESDAY_9);
    const stale = await deps.tasks.watchDue(TUESDAY_9);
    await completeTask(deps, drug.clerk, task.taskId, { outcome: 'accept' });
    vi.spyOn(deps.tasks, 'watchDue').mockResolvedValueOnce(stale);

    // Act
    const report = await runSupervisionScan(deps);

    // Assess: accepted by the clerk today, not deemed from the day of receipt.
    expect(report).toMatchObject({ read: 1, red: 0, deemedAccepted: 0, failed: 0 });
    const app = await stored(deps, id);
    expect(app.acceptedAt).toBe('2026-06-09T02:00:00.000Z');
    expect((await deps.applications.audit(id)).find((e) => e.action === 'acceptance.accept')!.actor).toBe(drug.clerk.sub);
    expect(deps.workflow.successes(task.taskToken)).toHaveLength(1);
  });

  it('goes on when one step fails, puts that step back into the index, and finishes it at the next scan', async () => {
    // Prepare: three overdue reviews; lighting the second fails once.
    const deps = fakeDeps();
    const reviews: TaskRecord[] = [];
    for (let i = 0; i < 3; i++) reviews.push(await openStep(deps, await accepted(deps, 'pharmacy-retail-license'), 'review'));
    deps.clock.set('2026-06-16T02:00:00Z');
    const failing = reviews[1];
    const setLight = deps.tasks.setLight.bind(deps.tasks);
    vi.spyOn(deps.tasks, 'setLight').mockImplementation(async (taskId, light, watchAt) => {
      if (taskId === failing.taskId && light === 'red') throw new Error('ProvisionedThroughputExceededException');
      return setLight(taskId, light, watchAt);
    });
    const failures: [string, string][] = [];

    // Act
    const first = await runSupervisionScan(deps, (t, e) => failures.push([t.taskId, (e as Error).message]));

    // Assess: the two others are done; the failing one waits in the index, due now.
    expect(first).toEqual({ read: 3, yellow: 0, red: 2, casesOpened: 2, deemedAccepted: 0, failed: 1 });
    expect(failures).toEqual([[failing.taskId, 'ProvisionedThroughputExceededException']]);
    expect(await deps.tasks.get(failing.taskId)).toMatchObject({ watch: 'open', watchAt: '2026-06-16T02:00:00.000Z' });
    expect((await deps.tasks.get(failing.taskId))!.light).toBeUndefined();

    vi.mocked(deps.tasks.setLight).mockRestore();
    deps.clock.set('2026-06-16T02:15:00Z');
    const second = await runSupervisionScan(deps);
    expect(second).toEqual({ read: 1, yellow: 0, red: 1, casesOpened: 1, deemedAccepted: 0, failed: 0 });
    expect((await listCases(deps)).map((c) => c.taskId).sort()).toEqual(reviews.map((r) => r.taskId).sort());
  });

  it('redoes only what is undone: a step whose case could not be opened gets its case, not a second red event', async () => {
    // Prepare: the light is set, then opening the case fails.
    const deps = fakeDeps();
    const { id, task } = await waitingForAcceptance(deps);
    deps.clock.set(TUESDAY_9);
    vi.spyOn(deps.cases, 'open').mockRejectedValueOnce(new Error('network'));

    // Act
    const first = await runSupervisionScan(deps);
    deps.clock.set('2026-06-09T02:15:00Z');
    const second = await runSupervisionScan(deps);

    // Assess
    expect(first).toEqual({ read: 1, yellow: 0, red: 1, casesOpened: 0, deemedAccepted: 0, failed: 1 });
    expect(second).toEqual({ read: 1, yellow: 0, red: 0, casesOpened: 1, deemedAccepted: 1, failed: 0 });
    expect(await actions(deps, id)).toEqual(['submitted', 'supervision.red', 'supervision.case-opened', 'acceptance.accept']);
    expect(await deps.tasks.get(task.taskId)).toMatchObject({ status: 'completed' });
  });

  it('deems an instant item accepted without approving it', async () => {
    const deps = fakeDeps();
    const { id } = await waitingForAcceptance(deps, 'pharmacist-registration');
    deps.clock.set(TUESDAY_9);

    const report = await runSupervisionScan(deps);

    expect(report.deemedAccepted).toBe(1);
    const app = await stored(deps, id);
    expect(app.decision).toBeUndefined();
    expect(app.status).toBe('accepted');
  });
});
