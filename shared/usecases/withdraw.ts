import type { Deps } from '../deps.ts';
import { conflict, notFound } from '../domain/errors.ts';
import type { Caller } from '../domain/caller.ts';
import { isOwner } from './view.ts';
import { getApplication } from './queries.ts';
import { amend } from './amend.ts';

const WITHDRAWABLE = ['submitted', 'correcting', 'accepted', 'suspended'];

/**
 * Withdrawal by the applicant (撤回, SPEC rule 7), possible until the decision.
 * Steps: the application becomes withdrawn and its open tasks are cancelled in one
 * transaction, with the reason on its trail and its flow's stop in the outbox.
 * Output: the application as the applicant sees it.
 */
export async function withdrawApplication(deps: Pick<Deps, 'clock' | 'calendar' | 'lightRule' | 'applications' | 'tasks' | 'workflow' | 'catalog'>, caller: Caller, applicationId: string, reason: string) {
  const { app } = await amend(deps, applicationId, async (app) => {
    if (!isOwner(caller, app)) throw notFound('application.not-found', '办件不存在');
    if (!WITHDRAWABLE.includes(app.status)) throw conflict('application.not-withdrawable', '已作出决定或已办结的办件不能撤回');
    const open = await deps.tasks.openForApplication(applicationId);
    const at = deps.clock.now().toISOString();
    return {
      next: { ...app, status: 'withdrawn', completedAt: at },
      at,
      entry: { actor: caller.sub, action: 'withdrawn', reason, details: { cancelledTasks: open.map((t) => t.taskId) } },
      cancelTasks: open.map((t) => t.taskId),
      // The flow is stopped through the outbox: a withdrawal whose stop failed is stopped later.
      callback: { kind: 'stop' as const, flow: app.flow, name: applicationId, cause: '申请人撤回申请' },
    };
  });
  return getApplication(deps, caller, applicationId);
}
