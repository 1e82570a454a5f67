import type { Deps } from '../deps.ts';
import type { Caller } from '../domain/caller.ts';
import { conflict, forbidden, notFound } from '../domain/errors.ts';
import { LICENSE_STATUS_NAMES, licenseMetadata, REVOCATION_STATUS, type RevocationKind } from '../domain/license.ts';
import { licenseAnnouncement } from '../domain/events.ts';
import { amend } from './amend.ts';

/**
 * Ends a license with reason and legal basis (SPEC: POST /v1/licenses/{licenseNo}/revoke), by the
 * chief representative or the deputy director: 撤销 (`revoke`, Art. 69, the default) → status 03,
 * 注销 (`cancel`, Art. 70) → 04, 吊销 (`penalty`, the regulator's penalty recorded here) → 07.
 * The license stays stored and verifies with its status.
 */
export async function revokeLicense(
  deps: Pick<Deps, 'clock' | 'applications' | 'licenses' | 'catalog' | 'calendar'>,
  caller: Caller,
  licenseNo: string,
  input: { reason: string; legalBasis: string; kind?: RevocationKind },
) {
  if (caller.rank !== 'chief' && caller.rank !== 'director') throw forbidden('auth.rank', '撤销、注销或吊销证照须由首席代表或副局长办理');
  const record = await deps.licenses.get(licenseNo);
  if (!record) throw notFound('license.not-found', '证照不存在');
  const owner = await deps.applications.get(record.applicationId);
  if (owner?.department !== caller.dept) throw forbidden('license.other-department', '该证照不属于您的部门');
  const at = deps.clock.now().toISOString();
  const kind = input.kind ?? 'revoke';
  const statusCode = REVOCATION_STATUS[kind];
  if (!(await deps.licenses.revoke(licenseNo, { at, by: caller.sub, reason: input.reason, legalBasis: input.legalBasis, kind }))) {
    throw conflict('license.already-revoked', '该证照已被撤销、注销或吊销');
  }
  const details = { licenseNo, ...(record.identifier ? { identifier: record.identifier } : {}), kind, statusCode };
  // The license library is told with the license's metadata and how it ended (SPEC rule 15).
  const announce = [licenseAnnouncement('license.revoked', licenseMetadata(record), { revocation: { kind, statusCode, statusName: LICENSE_STATUS_NAMES[statusCode], revokedAt: at, reason: input.reason, legalBasis: input.legalBasis } })];
  await amend(deps, record.applicationId, (app) => ({ next: app, at: deps.clock.now().toISOString(), entry: { actor: caller.sub, action: 'license.revoked', details, reason: input.reason }, announce }), { attempts: 6 });
  return { licenseNo, identifier: record.identifier ?? null, status: 'revoked' as const, statusCode, statusName: LICENSE_STATUS_NAMES[statusCode], kind, revokedAt: at, reason: input.reason, legalBasis: input.legalBasis };
}
