import type { Deps } from '../deps.ts';
import { sha256Hex } from '../domain/canonical.ts';
import { chinaDate } from '../domain/calendar.ts';
import { findItem } from '../domain/catalog.ts';
import { licenseFields, type ApplicationRecord } from '../domain/application.ts';
import { expiryOf, licenseNumber, sealDigestInput, type LicenseData } from '../domain/license.ts';
import type { LicenseRecord } from '../ports.ts';
import { renderLicensePdf } from '../seal/pdf.ts';
import { amend } from './amend.ts';

/** A filing (审批改备案) is sealed straight from submission; everything else once approved. */
// A filing stays 'submitted' once sealed (no 'issued' step): its sealedAt tells a retry from a first run.
const isSealable = (app: ApplicationRecord) => (app.flow === 'filing' ? app.status === 'submitted' && !app.sealedAt : app.status === 'approved');

const itemOf = (deps: Pick<Deps, 'catalog'>, app: ApplicationRecord) => findItem(deps.catalog, app.itemCode, app.itemVersion)!;

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
  const now = deps.clock.now();
  const year = Number(chinaDate(now).slice(0, 4));
  let sealable = false;
  // The numbers are reserved once and kept on the application. (A race lost here reserves again,
  // as a retried step always did: numbers may skip, never repeat.)
  const { app } = await amend(deps, input.applicationId, async (app) => {
    sealable = isSealable(app);
    const sealedBefore = ['issued', 'delivering', 'completed'].includes(app.status) || !!app.sealedAt;
    if (!sealable && !sealedBefore) throw new Error(`application ${app.applicationId} is ${app.status}, not approved`);
    if (app.licenses) return null;
    const typeCode = itemOf(deps, app).license.typeCode;
    const first = await deps.counters.reserve(`license#${typeCode}#${year}`, app.quantity);
    const licenses = Array.from({ length: app.quantity }, (_, i) => ({ licenseNo: licenseNumber(typeCode, deps.catalog.areaCode, year, first + i) }));
    return { next: { ...app, licenses }, at: now.toISOString(), entry: { actor: 'system', action: 'license.numbered', details: { licenses: licenses.map((l) => l.licenseNo) } } };
  });
  const item = itemOf(deps, app);

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

  if (sealable) {
    // A filing has no 'issued' step: it goes from submitted to completed on delivery.
    await amend(
      deps,
      app.applicationId,
      (current) =>
        isSealable(current)
          ? {
              next: { ...current, status: current.flow === 'filing' ? current.status : 'issued', sealedAt: deps.clock.now().toISOString() },
              at: deps.clock.now().toISOString(),
              entry: { actor: 'system', action: 'license.sealed', details: { licenses: current.licenses!.map((l) => l.licenseNo), seal: deps.signer.keyId, algorithm: deps.signer.algorithm } },
            }
          : null,
      { current: app },
    );
  }
  return { licenses: app.licenses!.map((l) => l.licenseNo) };
}

