import type { Deps } from '../deps.ts';
import { verifyChain } from '../domain/audit.ts';
import type { Caller } from '../domain/caller.ts';
import { notFound } from '../domain/errors.ts';
import { canRead } from './queries.ts';
import { isOwner, maskDetails } from './view.ts';
import { maskActor } from '../domain/identity.ts';

/**
 * The audit trail of an application and whether its hash chain is intact, recomputed now (SPEC
 * rule 11). Subject ids and names are masked for everyone but the owner, as in the application
 * view; the hashes are those of the stored events, so the chain can still be checked.
 */
export async function readAudit(deps: Pick<Deps, 'applications'>, caller: Caller, applicationId: string) {
  const app = await deps.applications.get(applicationId);
  if (!app || !canRead(caller, app) || caller.role === 'applicant') throw notFound('application.not-found', '办件不存在');
  const events = await deps.applications.audit(applicationId);
  const { intact, brokenAt } = verifyChain(events, app.audit);
  const own = isOwner(caller, app);
  return {
    applicationId,
    events: events.map(({ seq, at, actor, action, details, reason, legalBasis, prevHash, hash }) => ({ seq, at, actor: maskActor(actor, own), action, details: maskDetails(details, own), ...(reason ? { reason } : {}), ...(legalBasis ? { legalBasis } : {}), prevHash, hash })),
    intact,
    ...(brokenAt ? { brokenAt } : {}),
    algorithm: app.audit.alg ?? 'SHA-256',
  };
}
