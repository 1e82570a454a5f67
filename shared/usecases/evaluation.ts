import type { Deps } from '../deps.ts';
import { conflict, notFound } from '../domain/errors.ts';
import type { Caller } from '../domain/caller.ts';
import { isOwner } from './view.ts';
import { getApplication } from './queries.ts';
import { amend } from './amend.ts';

/**
 * The applicant's evaluation (好差评, SPEC rule 13): once per completed application; a score of
 * 1 or 2 opens a follow-up case for the department.
 */
export async function evaluateApplication(deps: Pick<Deps, 'clock' | 'calendar' | 'lightRule' | 'applications' | 'cases' | 'catalog'>, caller: Caller, applicationId: string, input: { score: number; comment?: string }) {
  const { app } = await amend(deps, applicationId, (app) => {
    if (!isOwner(caller, app)) throw notFound('application.not-found', '办件不存在');
    if (app.status !== 'completed') throw conflict('evaluation.not-completed', '办结后才能评价');
    if (app.evaluation) throw conflict('evaluation.already', '每个办件只能评价一次');
    const at = deps.clock.now().toISOString();
    return {
      next: { ...app, evaluation: { score: input.score, ...(input.comment ? { comment: input.comment } : {}), at } },
      at,
      entry: { actor: caller.sub, action: 'evaluated', details: { score: input.score }, ...(input.comment ? { reason: input.comment } : {}) },
    };
  });
  if (input.score <= 2) {
    await deps.cases.open({
      caseId: `case_eval_${applicationId}`,
      kind: 'evaluation',
      status: 'open',
      applicationId,
      applicationNo: app.applicationNo,
      itemCode: app.itemCode,
      dept: app.department,
      openedAt: app.evaluation!.at,
      detail: `差评回访：${app.applicationNo} 评分 ${input.score}${input.comment ? `，“${input.comment}”` : ''}`,
    });
  }
  return getApplication(deps, caller, applicationId);
}
