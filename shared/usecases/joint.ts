import type { Deps } from '../deps.ts';
import { findItem } from '../domain/catalog.ts';
import { REMEDIES_NOTICE } from '../domain/application.ts';
import { amend } from './amend.ts';

/**
 * Concludes a joint review (并联审批, SPEC rule 6): one department's objection denies the
 * application with its reasons (一票否决); otherwise the decision goes to the item's decider.
 * Input: the application and the departments' outcomes in the order they were listed.
 * Output: whether anyone objected.
 */
export async function concludeJointReview(deps: Pick<Deps, 'clock' | 'catalog' | 'applications' | 'calendar'>, input: { applicationId: string; reviews: { outcome: string; opinion?: string }[] }) {
  let objected = false;
  await amend(deps, input.applicationId, (app) => {
    const item = findItem(deps.catalog, app.itemCode, app.itemVersion)!;
    const departments = item.jointDepartments ?? [];
    const objections = input.reviews.map((r, i) => ({ dept: departments[i], ...r })).filter((r) => r.outcome === 'fail');
    objected = objections.length > 0;
    if (!objected || app.status !== 'accepted') return null;
    const names = new Map(deps.catalog.departments.map((d) => [d.code, d.name]));
    const at = deps.clock.now().toISOString();
    const reason = objections.map((o) => `${names.get(o.dept) ?? o.dept}：${o.opinion ?? '不同意'}`).join('；');
    return {
      next: { ...app, status: 'denied', decision: { outcome: 'deny', reason, legalBasis: item.legalBasis[0], remedies: REMEDIES_NOTICE, by: 'joint-review', at } },
      at,
      entry: { actor: 'system', action: 'joint-review.objected', details: { objections }, reason, legalBasis: item.legalBasis[0] },
    };
  });
  return { objected };
}
