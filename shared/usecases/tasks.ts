import type { Deps } from '../deps.ts';
import { lightOf, yellowAt } from '../domain/calendar.ts';
import { findItem, type Item } from '../domain/catalog.ts';
import { DomainError, conflict, forbidden, notFound } from '../domain/errors.ts';
import { REMEDIES_NOTICE, type ApplicationRecord } from '../domain/application.ts';
import { isBureauStep, OUTCOME_SCHEMAS, ownerOf, Step, type Outcome, type TaskRecord } from '../domain/task.ts';
import { sha256Hex } from '../domain/canonical.ts';
import { amend } from './amend.ts';
import type { Caller } from '../domain/caller.ts';
import { parseWith } from '../domain/validation.ts';
import { acceptanceDue, decisionDue, DEFERRED_DAYS, ISSUE_DAYS, receivedAt } from '../domain/deadlines.ts';

type TaskDeps = Pick<Deps, 'clock' | 'catalog' | 'calendar' | 'lightRule' | 'applications' | 'tasks' | 'workflow'>;

function itemOf(deps: Pick<Deps, 'catalog'>, app: ApplicationRecord): Item {
  const item = findItem(deps.catalog, app.itemCode, app.itemVersion);
  if (!item) throw new Error(`item ${app.itemCode} v${app.itemVersion} of ${app.applicationId} is not in the catalogue`);
  return item;
}

/**
 * Opens an officer task for a flow's callback state.
 * Input: the task token, the application, the step.
 * Steps: find who owns the step (department, rank), when it is due, store the task.
 * Output: the task id. Opening the same token twice stores one task.
 */
export async function openTask(deps: TaskDeps, input: { taskToken: string; applicationId: string; step: string; dept?: string }) {
  const step = Step.parse(input.step);
  const app = await deps.applications.get(input.applicationId);
  if (!app) throw new Error(`application ${input.applicationId} not found`);
  const item = itemOf(deps, app);
  const now = deps.clock.now();
  const owner = ownerOf(item, step);
  // A joint review names its department: each listed one reviews in parallel.
  const dept = step === 'joint-review' && input.dept ? input.dept : owner.dept;
  const rank = owner.rank;
  const due =
    step === 'acceptance'
      ? acceptanceDue(deps.calendar, app)
      : app.due
        ? { at: new Date(app.due.promisedAt), calendar: app.due.calendar ?? 'official' }
        : deps.calendar.deadline(now, item.promisedLimitDays);
  const dueAt = due.at.toISOString();
  const task: TaskRecord = {
    taskId: `tsk_${sha256Hex(input.taskToken).slice(0, 24)}`,
    applicationId: app.applicationId,
    applicationNo: app.applicationNo,
    itemCode: app.itemCode,
    step,
    dept,
    rank,
    status: 'open',
    openedAt: now.toISOString(),
    dueAt,
    dueCalendar: due.calendar,
    // Only the bureau's steps are supervised, and only while the clock runs.
    ...(!isBureauStep(step) || app.clockPaused ? {} : { watch: 'open' as const, watchAt: yellowAt(deps.calendar, now, new Date(dueAt), deps.lightRule).toISOString() }),
    taskToken: input.taskToken,
  };
  await deps.tasks.open(task);
  return { taskId: task.taskId };
}

export function taskView(deps: Pick<Deps, 'calendar' | 'lightRule' | 'clock'>, t: TaskRecord) {
  const light = t.status === 'open' ? lightOf(deps.calendar, deps.clock.now(), new Date(t.openedAt), new Date(t.dueAt), deps.lightRule) : 'green';
  return {
    taskId: t.taskId,
    applicationId: t.applicationId,
    applicationNo: t.applicationNo,
    itemCode: t.itemCode,
    step: t.step,
    dept: t.dept,
    rank: t.rank,
    status: t.status,
    openedAt: t.openedAt,
    dueAt: t.dueAt,
    light,
    ...(t.outcome ? { outcome: t.outcome, completedBy: t.completedBy, completedAt: t.completedAt } : {}),
  };
}

/** The open tasks of the caller's department and rank, the most urgent first. */
export async function listTasks(deps: Pick<Deps, 'tasks' | 'calendar' | 'lightRule' | 'clock'>, caller: Caller) {
  const tasks = await deps.tasks.listOpen(caller.dept!, caller.rank!);
  return tasks.sort((a, b) => a.dueAt.localeCompare(b.dueAt)).map((t) => taskView(deps, t));
}

/** What an outcome does to the application; officer steps that only examine leave it as it is. */
function applyOutcome(deps: TaskDeps, app: ApplicationRecord, item: Item, task: TaskRecord, outcome: Outcome, caller: Caller, now: Date, deemed = false): ApplicationRecord {
  const at = now.toISOString();
  const next: ApplicationRecord = { ...app };
  const approve = (decision: ApplicationRecord['decision']) => {
    next.status = 'approved';
    next.decision = decision;
    next.due = { ...next.due!, issueAt: deps.calendar.deadline(now, ISSUE_DAYS).at.toISOString() };
  };
  const accept = () => {
    next.status = 'accepted';
    next.acceptedAt = at;
    next.due = decisionDue(deps.calendar, now, item);
  };
  switch (outcome.outcome) {
    case 'accept':
      accept();
      // An instant item is accepted and decided by the window in one step.
      // An instant item is accepted and decided by the window in one step; a deemed acceptance
      // (Art. 32) only accepts it, and the flow asks the decider (see statemachines/instant.asl.json).
      if (app.flow === 'instant' && !deemed) approve({ outcome: 'approve', opinion: outcome.opinion ?? '符合条件，准予许可', by: caller.sub, at });
      break;
    case 'accept-deferred': {
      const deferrable = new Set(item.materials.filter((m) => m.deferrable).map((m) => m.code));
      const wrong = outcome.deferred.filter((c) => !deferrable.has(c));
      if (wrong.length) {
        throw new DomainError(422, 'task.invalid-outcome', '只能对事项允许容缺的材料容缺受理', wrong.map((c) => ({ path: 'deferred', code: 'material.not-deferrable', message: `材料“${c}”不允许容缺` })));
      }
      accept();
      next.deferred = { materialCodes: outcome.deferred, dueAt: deps.calendar.deadline(now, DEFERRED_DAYS).at.toISOString() };
      if (app.flow === 'instant' && !deemed) approve({ outcome: 'approve', opinion: outcome.opinion ?? '容缺受理，准予许可', by: caller.sub, at });
      break;
    }
    case 'correction':
      next.status = 'correcting';
      next.corrections = { items: outcome.items, requestedAt: at };
      break;
    case 'refuse':
      next.status = 'refused';
      next.refusal = { reason: outcome.reason, legalBasis: outcome.legalBasis, by: caller.sub, at };
      break;
    case 'approve':
      approve({ outcome: 'approve', opinion: outcome.opinion, by: caller.sub, at });
      break;
    case 'deny':
      next.status = 'denied';
      next.decision = { outcome: 'deny', reason: outcome.reason, legalBasis: outcome.legalBasis, remedies: REMEDIES_NOTICE, by: caller.sub, at };
      break;
    case 'escalate':
      if (task.rank === 'director') throw new DomainError(422, 'task.invalid-outcome', '副局长决定不能再提请', []);
      break;
  }
  return next;
}

const flowEnded = () => conflict('task.flow-ended', '该任务所属的办理流程已经终止（流程失败或申请已撤回），不能再办理');

/** The task, if it is open and belongs to the caller's department and rank. */
async function openTaskOf(deps: Pick<Deps, 'tasks'>, caller: Caller, taskId: string): Promise<TaskRecord> {
  const task = await deps.tasks.get(taskId);
  if (!task) throw notFound('task.not-found', '任务不存在');
  if (task.dept !== caller.dept || task.rank !== caller.rank) throw forbidden('task.not-yours', '该任务不属于您的部门或职级');
  // A task closed by its flow's end (a failure, a withdrawal) is not the same as one done.
  if (task.status === 'cancelled') throw flowEnded();
  if (task.status !== 'open') throw conflict('task.completed', '该任务已经办理完毕');
  return task;
}

/**
 * Completes an officer task (SPEC: POST /v1/tasks/{taskId}/complete).
 * Input: the officer, the task id, the outcome.
 * Steps: the task must be open and belong to the caller's department and rank; validate the
 * outcome for the step; write the task's completion, the application's new state and the
 * audit event in one transaction guarded by both (so of racing completions one wins), with the
 * outcome for the flow in the outbox, which the relay sends to Step Functions.
 * Output: the completed task and the application's status.
 */
export async function completeTask(deps: TaskDeps, caller: Caller, taskId: string, body: unknown, options: { deemed?: boolean } = {}) {
  let task = await openTaskOf(deps, caller, taskId);
  const outcome = parseWith(OUTCOME_SCHEMAS[task.step], body) as Outcome;
  let lostRace = false;
  const { app } = await amend(deps, task.applicationId, async (app) => {
    // Lost a race: either the task was completed meanwhile (→ 409 now) or the application moved
    // for another reason, and the outcome is applied to its new state.
    if (lostRace) task = await openTaskOf(deps, caller, taskId);
    lostRace = true;
    if (app.flowError) throw flowEnded();
    if (app.status === 'suspended') throw conflict('application.suspended', '办件处于中止状态，恢复后才能继续办理');
    const now = deps.clock.now();
    // Deemed acceptance (Art. 32): accepted from the day the complete application was received.
    const next = applyOutcome(deps, app, itemOf(deps, app), task, outcome, caller, options.deemed ? receivedAt(app) : now, !!options.deemed);
    const { outcome: kind, ...rest } = outcome;
    const reason = 'reason' in rest ? rest.reason : 'opinion' in rest ? rest.opinion : undefined;
    return {
      next,
      at: now.toISOString(),
      entry: {
        actor: caller.sub,
        action: `${task.step}.${kind}`,
        details: { taskId, step: task.step, dept: task.dept, rank: task.rank, ...rest },
        ...(reason ? { reason } : {}),
        ...('legalBasis' in rest && rest.legalBasis ? { legalBasis: rest.legalBasis } : {}),
      },
      completeTask: { taskId, by: caller.sub, at: now.toISOString(), outcome },
      // The flow is told through the outbox, in the same write: a commit whose callback fails is delivered later (SPEC rule 15).
      callback: { kind: 'success' as const, taskToken: task.taskToken, output: options.deemed ? { ...outcome, deemed: true } : outcome },
    };
  });
  return { taskId, status: 'completed' as const, outcome, application: { applicationId: app.applicationId, status: app.status } };
}
