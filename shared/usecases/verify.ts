import type { Deps } from '../deps.ts';
import { canonicalJson, sha256Hex } from '../domain/canonical.ts';
import { notFound } from '../domain/errors.ts';
import { looksLikeIdentifier, parseIdentifier } from '../domain/identifier.ts';
import { maskPersonName, maskSubjectId } from '../domain/identity.ts';
import { licenseState, sealDigestInput } from '../domain/license.ts';
import type { LicenseRecord } from '../ports.ts';
import { SealKeyring } from '../domain/keyring.ts';

/** A license by its number (证照编号) or by its 证照标识; a malformed identifier finds nothing. */
export async function findLicense(deps: Pick<Deps, 'licenses'>, ref: string): Promise<LicenseRecord | undefined> {
  if (looksLikeIdentifier(ref)) return parseIdentifier(ref) ? deps.licenses.getByIdentifier(ref) : undefined;
  return deps.licenses.get(ref);
}

/** The exact string the seal signed (recomputed for early licenses, which did not keep it). */
export const signedDataOf = (record: LicenseRecord) => record.signature.signedData ?? sealDigestInput(record.data, record.pdfSha256);

/**
 * Whether the record's seal holds: the key it names is one of the city's, of the algorithm it
 * names, and was the active key when the license was issued; the signed string says what the
 * record says (its data and its PDF's hash); and the signature verifies over that string.
 */
export async function sealHolds(deps: Pick<Deps, 'sealKeys'>, record: LicenseRecord): Promise<boolean> {
  const key = deps.sealKeys.byId(record.signature.keyId);
  if (!key || key.signer.algorithm !== record.signature.algorithm || !SealKeyring.activeAt(key, new Date(record.issuedAt))) return false;
  const signedData = signedDataOf(record);
  let signed: unknown;
  try {
    signed = JSON.parse(signedData);
  } catch {
    return false;
  }
  if (canonicalJson(signed) !== canonicalJson({ license: record.data, pdfSha256: record.pdfSha256 })) return false;
  return key.signer.verify(Buffer.from(signedData, 'utf8'), Buffer.from(record.signature.value, 'base64'));
}

/**
 * Public verification (SPEC: GET /v1/licenses/{licenseNo}/verify, the number or the 证照标识):
 * recompute the PDF's hash (the stored PDF, or a copy POSTed by the verifier), check the seal,
 * and tell the status, as a word and as its code, computed now (expiry is 05).
 */
export async function verifyLicense(deps: Pick<Deps, 'clock' | 'licenses' | 'licenseFiles' | 'sealKeys'>, ref: string, pdfBytes?: Uint8Array) {
  const record = await findLicense(deps, ref);
  if (!record) throw notFound('license.not-found', '证照不存在');
  const bytes = pdfBytes ?? (await deps.licenseFiles.get(record.pdfKey));
  const sha256 = bytes ? sha256Hex(bytes) : null;
  const signatureValid = (await sealHolds(deps, record)) && sha256 === record.pdfSha256;
  const state = licenseState(record, deps.clock.now());
  const holder = record.data.holder;
  return {
    valid: signatureValid && state.status === 'valid',
    ...state,
    licenseNo: record.licenseNo,
    identifier: record.identifier ?? null,
    licenseName: record.data.licenseName,
    itemName: record.data.itemName,
    holderName: holder.kind === 'person' ? maskPersonName(holder.name) : holder.name,
    holderId: maskSubjectId(holder.subjectId),
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    issuer: record.data.issuer,
    issuerCode: record.data.national?.issuerCode ?? null,
    signatureValid,
    sha256,
    algorithm: record.signature.algorithm,
    keyId: record.signature.keyId,
    ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
  };
}

/** GET /v1/seal/keys: every key the city has sealed with, its public key and its active period. */
export async function listSealKeys(deps: Pick<Deps, 'clock' | 'sealKeys'>) {
  return { keys: await deps.sealKeys.published(deps.clock.now()) };
}
