import type { Deps } from '../deps.ts';
import { notFound, forbidden } from '../domain/errors.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import { licenseStatus } from '../domain/license.ts';
import { maskSubjectId } from '../domain/identity.ts';
import type { Caller } from '../domain/caller.ts';
import { applicationView, isOwner } from './view.ts';

/**
 * Who may read an application: its applicant, the officers of its department, supervisors.
 * Anyone else is told it does not exist, so that ids cannot be probed.
 */
export function canRead(caller: Caller, app: ApplicationRecord): boolean {
  return isOwner(caller, app) || (caller.role === 'officer' && caller.dept === app.department) || caller.role === 'supervisor';
}

export async function getApplication(deps: Pick<Deps, 'applications' | 'calendar' | 'lightRule' | 'clock'>, caller: Caller, applicationId: string) {
  const app = await deps.applications.get(applicationId);
  if (!app || !canRead(caller, app)) throw notFound('application.not-found', '办件不存在');
  return applicationView(deps, app, await deps.applications.audit(applicationId), caller);
}

/** The caller's own applications, newest first, without their timelines. */
export async function listOwnApplications(deps: Pick<Deps, 'applications' | 'calendar' | 'lightRule' | 'clock'>, caller: Caller) {
  const apps = await deps.applications.listByApplicant(caller.sub);
  return apps.map((app) => {
    const { timeline: _timeline, ...rest } = applicationView(deps, app, [], caller);
    return rest;
  });
}

const DOWNLOAD_TTL_SECONDS = 300;

/** License metadata and a short-lived download URL of the sealed PDF, for the holder and the officers. */
export async function getLicense(deps: Pick<Deps, 'licenses' | 'licenseFiles' | 'applications' | 'clock'>, caller: Caller, licenseNo: string) {
  const record = await deps.licenses.get(licenseNo);
  if (!record) throw notFound('license.not-found', '证照不存在');
  const holder = caller.role === 'applicant' && caller.sub === record.holderId;
  if (!holder && caller.role !== 'officer' && caller.role !== 'supervisor') throw notFound('license.not-found', '证照不存在');
  if (caller.role === 'officer') {
    const app = await deps.applications.get(record.applicationId);
    if (app?.department !== caller.dept) throw forbidden('license.other-department', '该证照不属于您的部门');
  }
  const { subjectId, ...holderRest } = record.data.holder;
  return {
    licenseNo,
    licenseName: record.data.licenseName,
    itemCode: record.data.itemCode,
    itemName: record.data.itemName,
    applicationId: record.applicationId,
    holder: { ...holderRest, subjectId: holder ? subjectId : maskSubjectId(subjectId) },
    fields: record.data.fields,
    issuer: record.data.issuer,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    status: licenseStatus(record, deps.clock.now()),
    sha256: record.pdfSha256,
    signature: { algorithm: record.signature.algorithm, keyId: record.signature.keyId },
    verifyUrl: record.data.verifyUrl,
    download: { url: await deps.licenseFiles.presignGet(record.pdfKey, DOWNLOAD_TTL_SECONDS, `${licenseNo}.pdf`), expiresInSeconds: DOWNLOAD_TTL_SECONDS },
  };
}
