import type { Deps } from '../deps.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import { conflict } from '../domain/errors.ts';
import { isBureauStep } from '../domain/task.ts';
import type { Caller } from '../domain/caller.ts';
import { amend } from './amend.ts';
import { getApplication } from './queries.ts';

/** What happens when an application's flow fails, and how an admin starts it again. */

const SYSTEM = 'system:flow';

/**
 * Records that an application's flow failed (a callback timed out, a step failed for good, an
 * outcome the flow does not know), from the execution's status change.
 * Steps: in one write guarded by the audit sequence, mark the application failed, close its
 * open tasks (completing one now answers 409 task.flow-ended) and append `flow.failed` to the
 * trail; then open a supervision case for the department, naming the step that was open.
 * A repeated event for the same failure changes nothing.
 * Output: whether it was recorded.
 */
export async function recordFlowFailure(deps: Pick<Deps, 'clock' | 'applications' | 'tasks' | 'cases' | 'catalog' | 'calendar'>, input: { applicationId: string; executionArn?: string; error?: string; cause?: string }) {
  const error = input.error || 'Unknown';
  const cause = String(input.cause ?? '').slice(0, 1000);
  let openSteps: { taskId: string; step: string; dept: string; rank: string }[] = [];
  let result;
  try {
    result = await amend(deps, input.applicationId, async (app) => {
      if (app.flowError) return null; // this failure is already recorded
      const at = deps.clock.now().toISOString();
      const open = await deps.tasks.openForApplication(app.applicationId);
      openSteps = open.map(({ taskId, step, dept, rank }) => ({ taskId, step, dept, rank }));
      return {
        next: { ...app, flowError: { error, cause, at, ...(input.executionArn ? { executionArn: input.executionArn } : {}) } },
        at,
        entry: { actor: SYSTEM, action: 'flow.failed', details: { error, openSteps: openSteps.map((s) => s.step), closedTasks: openSteps.map((s) => s.taskId) } },
        cancelTasks: openSteps.map((s) => s.taskId),
      };
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'application.not-found') return { recorded: false };
    throw e;
  }
  const app = result.app;
  if (!result.changed) return { recorded: false };
  // One case per failure: a redriven flow that fails again opens another.
  const step = openSteps.find((s) => isBureauStep(s.step as never)) ?? openSteps[0];
  await deps.cases.open({
    caseId: `case_flow_${app.applicationId}_${app.redrives ?? 0}`,
    kind: 'flow-failed',
    status: 'open',
    applicationId: app.applicationId,
    applicationNo: app.applicationNo,
    itemCode: app.itemCode,
    dept: step?.dept.startsWith('@') ? app.department : (step?.dept ?? app.department),
    ...(step ? { step: step.step, rank: step.rank, taskId: step.taskId } : {}),
    openedAt: app.flowError!.at,
    detail: `${app.applicationNo} 的办理流程异常终止（${error}）${step ? `，当时停留在“${step.step}”环节` : ''}；请核实后由管理员重新驱动流程`,
  });
  return { recorded: true };
}

/**
 * POST /v1/applications/{applicationId}/redrive (admin): restarts a failed flow from the state
 * that failed (Step Functions RedriveExecution): the steps that succeeded are not run again; a
 * callback that timed out opens its task anew.
 * Steps: the application's flow must have failed (409 flow.not-failed); clear the failure and
 * append `flow.redriven` to the trail first, so that a redriven flow that fails again at once is
 * recorded as a new failure; then redrive the execution. When Step Functions refuses (the
 * execution is too old to redrive), the failure is put back and recorded, and the caller gets 409.
 * Output: the application.
 */
export async function redriveFlow(deps: Pick<Deps, 'clock' | 'applications' | 'workflow' | 'calendar' | 'lightRule' | 'catalog'>, caller: Caller, applicationId: string) {
  let failure: NonNullable<ApplicationRecord['flowError']> | undefined;
  const { app } = await amend(deps, applicationId, (current) => {
    if (!current.flowError) throw conflict('flow.not-failed', '该办件的流程没有失败，无需重新驱动');
    const { flowError, ...rest } = current;
    failure = flowError;
    return {
      next: { ...rest, redrives: (current.redrives ?? 0) + 1 },
      at: deps.clock.now().toISOString(),
      entry: { actor: caller.sub, action: 'flow.redriven', details: { previousError: flowError.error } },
    };
  });
  try {
    await deps.workflow.redrive(app.flow, applicationId);
  } catch (e) {
    await amend(deps, applicationId, (current) => ({
      next: { ...current, flowError: failure },
      at: deps.clock.now().toISOString(),
      entry: { actor: caller.sub, action: 'flow.redrive-refused', details: { error: (e as { code?: string }).code ?? (e as Error).name } },
    }));
    throw e;
  }
  return getApplication(deps, { ...caller, role: 'supervisor' }, applicationId);
}
