import type { Deps } from '../deps.ts';
import { chainEvent, headOf } from '../domain/audit.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { ConflictError } from '../ports.ts';
import type { Caller } from '../http/api.ts';
import { isOwner } from './view.ts';
import { getApplication } from './queries.ts';

const WITHDRAWABLE = ['submitted', 'correcting', 'accepted', 'suspended'];

/**
 * Withdrawal by the applicant (撤回, SPEC rule 7), possible until the decision.
 * Steps: the application becomes withdrawn and its open tasks are cancelled in one
 * transaction, with the reason on its trail; then its flow is stopped.
 * Output: the application as the applicant sees it.
 */
export async function withdrawApplication(deps: Pick<Deps, 'clock' | 'calendar' | 'lightRule' | 'applications' | 'tasks' | 'workflow'>, caller: Caller, applicationId: string, reason: string) {
  for (let attempt = 0; ; attempt++) {
    const app = await deps.applications.get(applicationId);
    if (!app || !isOwner(caller, app)) throw notFound('application.not-found', '办件不存在');
    if (!WITHDRAWABLE.includes(app.status)) throw conflict('application.not-withdrawable', '已作出决定或已办结的办件不能撤回');
    const open = await deps.tasks.openForApplication(applicationId);
    const at = deps.clock.now().toISOString();
    const event = chainEvent(applicationId, app.audit, at, { actor: caller.sub, action: 'withdrawn', reason, details: { cancelledTasks: open.map((t) => t.taskId) } });
    try {
      await deps.applications.commit({
        next: { ...app, status: 'withdrawn', completedAt: at, audit: headOf(event) },
        expectedSeq: app.audit.seq,
        events: [event],
        cancelTasks: open.map((t) => t.taskId),
      });
    } catch (e) {
      if (e instanceof ConflictError && attempt < 3) continue;
      throw e;
    }
    await deps.workflow.stop(app.flow, applicationId, '申请人撤回申请');
    return getApplication(deps, caller, applicationId);
  }
}
