import { describe, expect, it } from 'vitest';
import { recordFlowFailure, redriveFlow } from '../../../shared/usecases/flow.ts';
import { completeTask } from '../../../shared/usecases/tasks.ts';
import { listCases } from '../../../shared/usecases/supervision.ts';
import { conflict } from '../../../shared/domain/errors.ts';
import { fakeDeps, type FakeDeps } from '../../support/fakes.ts';
import { accepted, actions, admin, drug, openStep, refusal, stored } from './scenario.ts';

/**
 * A flow that fails (a callback timed out, a step failed for good) and an admin's redrive, with
 * fake ports: recordFlowFailure is what the execution's status change runs.
 */
const EXECUTION = (id: string) => `arn:aws:states:local:000000000000:execution:oneseal-promised:${id}`;

async function atReview(deps: FakeDeps) {
  const id = await accepted(deps, 'pharmacy-retail-license');
  const review = await openStep(deps, id, 'review');
  return { id, review };
}

describe('a failed flow', () => {
  it('is recorded on the application, closes its open step and opens a case for the department, naming the step', async () => {
    // Prepare
    const deps = fakeDeps();
    const { id, review } = await atReview(deps);
    deps.clock.set('2026-06-03T02:00:00Z');

    // Act
    const result = await recordFlowFailure(deps, { applicationId: id, executionArn: EXECUTION(id), error: 'States.Timeout', cause: 'callback timed out' });

    // Assess
    expect(result).toEqual({ recorded: true });
    expect((await stored(deps, id)).flowError).toEqual({ error: 'States.Timeout', cause: 'callback timed out', at: '2026-06-03T02:00:00.000Z', executionArn: EXECUTION(id) });
    expect(await deps.tasks.get(review.taskId)).toMatchObject({ status: 'cancelled' });
    expect(await deps.tasks.listOpen('drug', 'clerk')).toEqual([]);
    expect(await refusal(completeTask(deps, drug.clerk, review.taskId, { outcome: 'pass' }))).toMatchObject({ status: 409, code: 'task.flow-ended' });
    expect((await deps.applications.audit(id)).at(-1)).toMatchObject({ action: 'flow.failed', actor: 'system:flow', details: { error: 'States.Timeout', openSteps: ['review'], closedTasks: [review.taskId] } });
    expect(await listCases(deps)).toEqual([
      expect.objectContaining({ caseId: `case_flow_${id}_0`, kind: 'flow-failed', dept: 'drug', step: 'review', rank: 'clerk', taskId: review.taskId, openedAt: '2026-06-03T02:00:00.000Z' }),
    ]);
  });

  it('records the same failure once, however often its event arrives', async () => {
    const deps = fakeDeps();
    const { id } = await atReview(deps);

    await recordFlowFailure(deps, { applicationId: id, error: 'States.TaskFailed' });
    const again = await recordFlowFailure(deps, { applicationId: id, error: 'States.TaskFailed' });

    expect(again).toEqual({ recorded: false });
    expect((await actions(deps, id)).filter((a) => a === 'flow.failed')).toHaveLength(1);
    expect(await listCases(deps)).toHaveLength(1);
  });

  it('names the application’s department when the flow waited for the applicant', async () => {
    const deps = fakeDeps();
    const id = await accepted(deps, 'pharmacy-retail-license');
    const app = await stored(deps, id);
    await deps.applications.commit({ next: { ...app, status: 'correcting' }, expectedSeq: app.audit.seq, events: [] });
    await openStep(deps, id, 'correction');

    await recordFlowFailure(deps, { applicationId: id, error: 'States.Timeout' });

    expect(await listCases(deps)).toEqual([expect.objectContaining({ dept: 'drug', step: 'correction' })]);
  });

  it('is not recorded for an application that does not exist', async () => {
    const deps = fakeDeps();

    expect(await recordFlowFailure(deps, { applicationId: 'app_nothing', error: 'States.Runtime' })).toEqual({ recorded: false });
    expect(await listCases(deps)).toEqual([]);
  });
});

describe('redriving a failed flow', () => {
  it('clears the failure, counts the redrive and restarts the execution from the failed state', async () => {
    // Prepare
    const deps = fakeDeps();
    const { id } = await atReview(deps);
    await recordFlowFailure(deps, { applicationId: id, error: 'States.Timeout' });

    // Act
    const view = await redriveFlow(deps, admin, id);

    // Assess
    expect(view.flow).toBe('waiting');
    const app = await stored(deps, id);
    expect(app.flowError).toBeUndefined();
    expect(app.redrives).toBe(1);
    expect(deps.workflow.calls.filter((c) => c.kind === 'redrive')).toEqual([{ kind: 'redrive', flow: 'promised', name: id }]);
    expect((await deps.applications.audit(id)).at(-1)).toMatchObject({ action: 'flow.redriven', actor: admin.sub, details: { previousError: 'States.Timeout' } });
  });

  it('records a second failure after a redrive as a new one, with its own case', async () => {
    const deps = fakeDeps();
    const { id } = await atReview(deps);
    await recordFlowFailure(deps, { applicationId: id, error: 'States.Timeout' });
    await redriveFlow(deps, admin, id);
    await openStep(deps, id, 'review'); // the redriven callback opens its task anew

    const again = await recordFlowFailure(deps, { applicationId: id, error: 'States.TaskFailed' });

    expect(again).toEqual({ recorded: true });
    expect((await listCases(deps)).map((c) => c.caseId).sort()).toEqual([`case_flow_${id}_0`, `case_flow_${id}_1`]);
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept', 'flow.failed', 'flow.redriven', 'flow.failed']);
  });

  it('answers 409 flow.not-failed for a flow that did not fail, and redrives nothing', async () => {
    const deps = fakeDeps();
    const { id } = await atReview(deps);

    expect(await refusal(redriveFlow(deps, admin, id))).toMatchObject({ status: 409, code: 'flow.not-failed' });
    expect(deps.workflow.calls.filter((c) => c.kind === 'redrive')).toEqual([]);
  });

  it('puts the failure back, on the record, when Step Functions refuses to redrive', async () => {
    const deps = fakeDeps();
    const { id } = await atReview(deps);
    await recordFlowFailure(deps, { applicationId: id, error: 'States.Timeout', cause: 'long ago' });
    deps.workflow.refuseRedrive = conflict('flow.not-redrivable', 'Step Functions 不能重新驱动该流程');

    const refused = await refusal(redriveFlow(deps, admin, id));

    expect(refused).toMatchObject({ status: 409, code: 'flow.not-redrivable' });
    const app = await stored(deps, id);
    expect(app.flowError).toMatchObject({ error: 'States.Timeout', cause: 'long ago' });
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept', 'flow.failed', 'flow.redriven', 'flow.redrive-refused']);
    expect((await deps.applications.audit(id)).at(-1)!.details).toEqual({ error: 'flow.not-redrivable' });
  });
});
