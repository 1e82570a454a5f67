import type { Deps } from '../deps.ts';
import { sha256Hex } from '../domain/canonical.ts';
import { notFound } from '../domain/errors.ts';
import { maskPersonName, maskSubjectId } from '../domain/identity.ts';
import { licenseStatus, sealDigestInput } from '../domain/license.ts';

/** Public verification (SPEC: GET /v1/licenses/{licenseNo}/verify): recompute the PDF's hash and check the seal. */
export async function verifyLicense(deps: Pick<Deps, 'clock' | 'licenses' | 'licenseFiles' | 'signer'>, licenseNo: string, pdfBytes?: Uint8Array) {
  const record = await deps.licenses.get(licenseNo);
  if (!record) throw notFound('license.not-found', '证照不存在');
  const bytes = pdfBytes ?? (await deps.licenseFiles.get(record.pdfKey));
  const sha256 = bytes ? sha256Hex(bytes) : null;
  const message = Buffer.from(sealDigestInput(record.data, record.pdfSha256), 'utf8');
  const sealOk = await deps.signer.verify(message, Buffer.from(record.signature.value, 'base64'));
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
