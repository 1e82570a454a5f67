import type { Deps } from '../deps.ts';
import type { Caller } from '../domain/caller.ts';
import { conflict, forbidden, notFound } from '../domain/errors.ts';
import { amend } from './amend.ts';

/** Revokes a license (吊销/撤销) with reason and legal basis; it stays stored and verifies as revoked. */
export async function revokeLicense(deps: Pick<Deps, 'clock' | 'applications' | 'licenses'>, caller: Caller, licenseNo: string, input: { reason: string; legalBasis: string }) {
  if (caller.rank !== 'chief' && caller.rank !== 'director') throw forbidden('auth.rank', '吊销证照须由首席代表或副局长办理');
  const record = await deps.licenses.get(licenseNo);
  if (!record) throw notFound('license.not-found', '证照不存在');
  const owner = await deps.applications.get(record.applicationId);
  if (owner?.department !== caller.dept) throw forbidden('license.other-department', '该证照不属于您的部门');
  const at = deps.clock.now().toISOString();
  if (!(await deps.licenses.revoke(licenseNo, { at, by: caller.sub, ...input }))) throw conflict('license.already-revoked', '该证照已被吊销');
  await amend(deps, record.applicationId, (app) => ({ next: app, at: deps.clock.now().toISOString(), entry: { actor: caller.sub, action: 'license.revoked', details: { licenseNo }, reason: input.reason } }), { attempts: 6 });
  return { licenseNo, status: 'revoked' as const, revokedAt: at, reason: input.reason, legalBasis: input.legalBasis };
}
