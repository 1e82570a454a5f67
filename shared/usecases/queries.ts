import type { SealAlgorithm } from '../domain/signer.ts';
import type { Deps } from '../deps.ts';
import { notFound, forbidden } from '../domain/errors.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import { licenseMetadata, licenseState } from '../domain/license.ts';
import { maskSubjectId } from '../domain/identity.ts';
import type { Caller } from '../domain/caller.ts';
import { applicationView, isOwner } from './view.ts';
import { findLicense, signedDataOf } from './verify.ts';

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

/**
 * A license as its holder or an officer of its department may read it (anyone else: not found),
 * by its number or its 证照标识; `holder` tells whether the caller holds it.
 */
async function readableLicense(deps: Pick<Deps, 'licenses' | 'applications'>, caller: Caller, ref: string) {
  const record = await findLicense(deps, ref);
  if (!record) throw notFound('license.not-found', '证照不存在');
  const holder = caller.role === 'applicant' && caller.sub === record.holderId;
  if (!holder && caller.role !== 'officer' && caller.role !== 'supervisor') throw notFound('license.not-found', '证照不存在');
  if (caller.role === 'officer') {
    const app = await deps.applications.get(record.applicationId);
    if (app?.department !== caller.dept) throw forbidden('license.other-department', '该证照不属于您的部门');
  }
  return { record, holder };
}

/**
 * License metadata — with the GB/T 36903 fields (`metadata`), the 证照标识 and the status code —
 * and a short-lived download URL of the sealed PDF. The PDF prints the holder's full ID number,
 * so only the holder and the officers of the issuing department get the URL; a supervisor reads
 * the masked metadata and verifies the license, but cannot download it (docs/api.md).
 */
export async function getLicense(deps: Pick<Deps, 'licenses' | 'licenseFiles' | 'applications' | 'clock'>, caller: Caller, ref: string) {
  const { record, holder } = await readableLicense(deps, caller, ref);
  const { licenseNo } = record;
  const { subjectId, ...holderRest } = record.data.holder;
  const metadata = licenseMetadata(record);
  return {
    licenseNo,
    identifier: record.identifier ?? null,
    licenseName: record.data.licenseName,
    itemCode: record.data.itemCode,
    itemName: record.data.itemName,
    applicationId: record.applicationId,
    holder: { ...holderRest, subjectId: holder ? subjectId : maskSubjectId(subjectId) },
    fields: record.data.fields,
    issuer: record.data.issuer,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    ...licenseState(record, deps.clock.now()),
    ...(record.revocation ? { revocation: { kind: record.revocation.kind ?? 'revoke', reason: record.revocation.reason, legalBasis: record.revocation.legalBasis, at: record.revokedAt } } : {}),
    metadata: { ...metadata, holderCode: holder ? metadata.holderCode : maskSubjectId(metadata.holderCode) },
    sha256: record.pdfSha256,
    signature: { algorithm: record.signature.algorithm as SealAlgorithm, keyId: record.signature.keyId },
    verifyUrl: record.data.verifyUrl,
    ...(holder || caller.role === 'officer'
      ? { download: { url: await deps.licenseFiles.presignGet(record.pdfKey, DOWNLOAD_TTL_SECONDS, `${licenseNo}.pdf`), expiresInSeconds: DOWNLOAD_TTL_SECONDS } }
      : {}),
  };
}

/**
 * What a third party needs, with the PDF and `GET /v1/seal/keys`, to verify a license offline
 * (GET /v1/licenses/{licenseNo}/seal): the exact UTF-8 string the seal signed — which names the
 * PDF's SHA-256 — and the base64 DER signature over its bytes, with the key that made it.
 */
export async function getLicenseSeal(deps: Pick<Deps, 'licenses' | 'applications'>, caller: Caller, ref: string) {
  const { record } = await readableLicense(deps, caller, ref);
  // The signed string names the holder in full, as the PDF does: it goes where the PDF goes (the
  // holder, the issuing department), not to a supervisor, who verifies with GET …/verify.
  if (caller.role === 'supervisor') throw forbidden('license.seal-not-for-supervisors', '证照签章原文含持证人完整证件号码，仅持证人和发证部门可以查看');
  return {
    licenseNo: record.licenseNo,
    identifier: record.identifier ?? null,
    signedData: signedDataOf(record),
    pdfSha256: record.pdfSha256,
    signature: { algorithm: record.signature.algorithm as SealAlgorithm, keyId: record.signature.keyId, value: record.signature.value },
  };
}
