import { createPublicKey, verify } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { chainEvent } from '../domain/audit.ts';
import { sha256Hex } from '../domain/canonical.ts';
import { chinaDate } from '../domain/calendar.ts';
import { findItem } from '../domain/catalog.ts';
import { notFound } from '../domain/errors.ts';
import { licenseFields, type ApplicationRecord } from '../domain/application.ts';
import { expiryOf, licenseNumber, licenseStatus, sealDigestInput, type LicenseData } from '../domain/license.ts';
import { maskPersonName, maskSubjectId } from '../domain/identity.ts';
import type { LicenseRecord } from '../ports.ts';
import { renderLicensePdf } from '../seal/pdf.ts';

type SealDeps = Pick<Deps, 'clock' | 'catalog' | 'applications' | 'licenses' | 'licenseFiles' | 'counters' | 'signer' | 'publicBaseUrl' | 'fontFile'>;

/**
 * Seals the licenses of an approved application with the city's one approval seal (SPEC rule 8).
 * Input: the application id (from the flow).
 * Steps: reserve the license numbers once (kept on the application, so a retry reuses them);
 * for each license not yet sealed: render the PDF, sign the canonical data and the PDF's
 * SHA-256, store the PDF and the record; then mark the application issued.
 * Output: the license numbers.
 */
export async function sealLicenses(deps: SealDeps, input: { applicationId: string }) {
  let app = (await deps.applications.get(input.applicationId))!;
  if (app.status !== 'approved' && app.status !== 'issued' && app.status !== 'completed' && app.status !== 'delivering') {
    throw new Error(`application ${app.applicationId} is ${app.status}, not approved`);
  }
  const item = findItem(deps.catalog, app.itemCode)!;
  const now = deps.clock.now();
  const year = Number(chinaDate(now).slice(0, 4));

  if (!app.licenses) {
    const first = await deps.counters.reserve(`license#${item.license.typeCode}#${year}`, app.quantity);
    const licenses = Array.from({ length: app.quantity }, (_, i) => ({ licenseNo: licenseNumber(item.license.typeCode, deps.catalog.areaCode, year, first + i) }));
    const event = chainEvent(app.applicationId, app.audit, now.toISOString(), { actor: 'system', action: 'license.numbered', details: { licenses: licenses.map((l) => l.licenseNo) } });
    const next = { ...app, licenses, audit: { seq: event.seq, hash: event.hash } };
    await deps.applications.commit({ next, expectedSeq: app.audit.seq, events: [event] });
    app = next;
  }

  const issuedAt = now.toISOString();
  const expiresAt = expiryOf(now, item.license.validityYears);
  for (const [i, { licenseNo }] of app.licenses!.entries()) {
    if (await deps.licenses.get(licenseNo)) continue;
    const data: LicenseData = {
      licenseNo,
      licenseName: item.license.name,
      itemCode: item.code,
      itemName: item.name,
      applicationNo: app.applicationNo,
      holder: { kind: app.applicant.kind, name: app.applicant.name, subjectId: app.applicantId },
      fields: licenseFields(item, app.form),
      issuer: deps.catalog.bureauName,
      issuedAt,
      expiresAt,
      verifyUrl: `${deps.publicBaseUrl}/v1/licenses/${licenseNo}/verify`,
      copy: { index: i + 1, of: app.licenses!.length },
    };
    const pdf = await renderLicensePdf(data, deps.fontFile);
    const pdfSha256 = sha256Hex(pdf);
    const message = Buffer.from(sealDigestInput(data, pdfSha256), 'utf8');
    const signature = await deps.signer.sign(message);
    const pdfKey = `licenses/${licenseNo}.pdf`;
    await deps.licenseFiles.put(pdfKey, pdf, 'application/pdf');
    const record: LicenseRecord = {
      licenseNo,
      applicationId: app.applicationId,
      holderId: app.applicantId,
      data,
      pdfKey,
      pdfSha256,
      signature: { algorithm: deps.signer.algorithm, keyId: deps.signer.keyId, digest: sha256Hex(message), value: Buffer.from(signature).toString('base64') },
      issuedAt,
      expiresAt,
    };
    await deps.licenseFiles.put(`licenses/${licenseNo}.seal.json`, Buffer.from(JSON.stringify(record)), 'application/json');
    await deps.licenses.put(record);
  }

  if (app.status === 'approved') {
    const event = chainEvent(app.applicationId, app.audit, deps.clock.now().toISOString(), {
      actor: 'system',
      action: 'license.sealed',
      details: { licenses: app.licenses!.map((l) => l.licenseNo), seal: deps.signer.keyId, algorithm: deps.signer.algorithm },
    });
    await deps.applications.commit({ next: { ...app, status: 'issued', audit: { seq: event.seq, hash: event.hash } }, expectedSeq: app.audit.seq, events: [event] });
  }
  return { licenses: app.licenses!.map((l) => l.licenseNo) };
}

/**
 * Delivers the sealed licenses (SPEC rule 9). Electronic delivery completes the application at
 * once; pickup and EMS leave it waiting for the pickup or the courier.
 */
export async function deliver(deps: Pick<Deps, 'clock' | 'applications'>, input: { applicationId: string }) {
  const app = (await deps.applications.get(input.applicationId))!;
  if (app.status !== 'issued') return { status: app.status };
  const at = deps.clock.now().toISOString();
  const electronic = app.delivery.method === 'electronic';
  const event = chainEvent(app.applicationId, app.audit, at, {
    actor: 'system',
    action: electronic ? 'delivery.electronic' : `delivery.${app.delivery.method}.awaiting`,
    details: { method: app.delivery.method },
  });
  const next: ApplicationRecord = electronic
    ? { ...app, status: 'completed', completedAt: at, delivery: { ...app.delivery, status: 'delivered' } }
    : { ...app, delivery: { ...app.delivery, status: app.delivery.method === 'pickup' ? 'awaiting-pickup' : 'awaiting-courier' } };
  next.audit = { seq: event.seq, hash: event.hash };
  await deps.applications.commit({ next, expectedSeq: app.audit.seq, events: [event] });
  return { status: next.status };
}

/** Records that a flow failed, so that the application shows it and supervisors can act. */
export async function recordFlowFailure(deps: Pick<Deps, 'clock' | 'applications'>, input: { applicationId: string; error?: { Error?: string; Cause?: string } }) {
  const app = await deps.applications.get(input.applicationId);
  if (!app) return { recorded: false };
  const at = deps.clock.now().toISOString();
  const error = { error: input.error?.Error ?? 'Unknown', cause: String(input.error?.Cause ?? '').slice(0, 1000), at };
  const event = chainEvent(app.applicationId, app.audit, at, { actor: 'system', action: 'flow.failed', details: { error: error.error } });
  await deps.applications.commit({ next: { ...app, flowError: error, audit: { seq: event.seq, hash: event.hash } }, expectedSeq: app.audit.seq, events: [event] });
  return { recorded: true };
}

/** Public verification (SPEC: GET /v1/licenses/{licenseNo}/verify): recompute the PDF's hash and check the seal. */
export async function verifyLicense(deps: Pick<Deps, 'clock' | 'licenses' | 'licenseFiles' | 'signer'>, licenseNo: string, pdfBytes?: Uint8Array) {
  const record = await deps.licenses.get(licenseNo);
  if (!record) throw notFound('license.not-found', '证照不存在');
  const bytes = pdfBytes ?? (await deps.licenseFiles.get(record.pdfKey));
  const sha256 = bytes ? sha256Hex(bytes) : null;
  const publicKey = createPublicKey(await deps.signer.publicKeyPem());
  const message = Buffer.from(sealDigestInput(record.data, record.pdfSha256), 'utf8');
  const sealOk = verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(record.signature.value, 'base64'));
  const signatureValid = sealOk && sha256 === record.pdfSha256;
  const status = licenseStatus(record, deps.clock.now());
  const holder = record.data.holder;
  return {
    valid: signatureValid && status === 'valid',
    status,
    licenseNo,
    licenseName: record.data.licenseName,
    itemName: record.data.itemName,
    holderName: holder.kind === 'person' ? maskPersonName(holder.name) : holder.name,
    holderId: maskSubjectId(holder.subjectId),
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    issuer: record.data.issuer,
    signatureValid,
    sha256,
    algorithm: record.signature.algorithm,
    ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
  };
}
