import type { Deps } from '../deps.ts';
import { sha256Hex } from '../domain/canonical.ts';
import { chinaDate } from '../domain/calendar.ts';
import { findItem, type Item } from '../domain/catalog.ts';
import { licenseFields, type ApplicationRecord } from '../domain/application.ts';
import { licenseIdentifier, looksLikeIdentifier, parseIdentifier, serialOf, versionOf } from '../domain/identifier.ts';
import { expiryOf, HOLDER_CODE_TYPES, licenseMetadata, licenseNumber, sealDigestInput, type LicenseData } from '../domain/license.ts';
import { licenseAnnouncement } from '../domain/events.ts';
import type { LicenseRecord } from '../ports.ts';
import { renderLicensePdf } from '../seal/pdf.ts';
import { amend } from './amend.ts';

type SealDeps = Pick<Deps, 'clock' | 'catalog' | 'applications' | 'licenses' | 'licenseFiles' | 'counters' | 'sealKeys' | 'publicBaseUrl' | 'fontFile' | 'calendar'>;
type NumberedLicense = NonNullable<ApplicationRecord['licenses']>[number];

/** Licenses being signed and their files stored at once while the next ones render. */
const STORE_CONCURRENCY = 25;
/**
 * Records written together as soon as their licenses' files are stored: the records' writes go on
 * while the later licenses render and store, and only the last few wait at the end.
 */
const RECORDS_PER_WRITE = 10;
/**
 * Licenses announced (license.issued) by one write of the application: the write is one
 * transaction of at most 100 items, and also holds the application, its audit event, its
 * statistics bucket and the change's own event.
 */
const ANNOUNCED_PER_WRITE = 90;

/** A filing (审批改备案) is sealed straight from submission, and stays 'submitted' once sealed (no 'issued' step): its sealedAt tells a retry from a first run. */
const isSealable = (app: ApplicationRecord) => (app.flow === 'filing' ? app.status === 'submitted' && !app.sealedAt : app.status === 'approved');

/** Where the sealed record is kept beside its PDF, in the licenses bucket. */
const sealedRecordKey = (licenseNo: string) => `licenses/${licenseNo}.seal.json`;

/**
 * Seals the licenses of an approved application with the city's one approval seal (SPEC rule 8).
 * Input: the application id (from the flow).
 * Steps: reserve the license numbers and 证照标识 once (kept on the application, so a retry
 * reuses them): a new serial per license of the type and issuer, version 001 — or, renewing a
 * license of ours, its serial with the next version; for each license not yet sealed: render the
 * PDF, sign the canonical data and the PDF's SHA-256 with the key active now, store the PDF, then
 * the sealed record beside it (`<no>.seal.json`), then the record in the table (ten licenses a
 * write, one transaction each, as their files are stored); then mark the licenses sealed and
 * announce them (90 a write), the last write moving the application to issued. A step waits on
 * another only where it needs its result: the sealer's round trips one after another are the
 * application's read, the two counters (together), the numbers' write, a license's two puts, its
 * records' write and the application's write (seven for one license; a batch adds a license's
 * puts for each further 25 licenses, and a write for each further 90).
 * A retry repeats nothing that was done: numbers are kept on the application, a license whose
 * record is stored is skipped, and one whose sealed record is in the bucket (put after its PDF)
 * has that record stored as it was signed — no second PDF version, no second signature.
 * Output: the license numbers.
 */
export async function sealLicenses(deps: SealDeps, input: { applicationId: string }) {
  let app = (await deps.applications.get(input.applicationId))!;
  const sealable = isSealable(app);
  const sealedBefore = ['issued', 'delivering', 'completed'].includes(app.status) || !!app.sealedAt;
  if (!sealable && !sealedBefore) throw new Error(`application ${app.applicationId} is ${app.status}, not approved`);
  const item = findItem(deps.catalog, app.itemCode, app.itemVersion)!;
  const now = deps.clock.now();

  // Numbers reserved by this very run are new: nothing can be stored under them yet.
  let numberedNow = false;
  if (!app.licenses) {
    // The numbers are reserved once and kept on the application. (A race lost here reserves again,
    // as a retried step always did: numbers may skip, never repeat.)
    ({ app, changed: numberedNow } = await amend(
      deps,
      app.applicationId,
      async (current) => {
        if (current.licenses) return null;
        const licenses = await numberLicenses(deps, current, item, now);
        const details = { licenses: licenses.map((l) => l.licenseNo), identifiers: licenses.map((l) => l.identifier) };
        return { next: { ...current, licenses }, at: now.toISOString(), entry: { actor: 'system', action: 'license.numbered', details } };
      },
      { current: app },
    ));
  }
  const numbered = app.licenses!;

  // What an earlier run stored: the records, and for a license whose record it did not get to
  // write, the sealed record it had put beside the PDF (written after the PDF, so the PDF is there).
  const records: (LicenseRecord | undefined)[] = numberedNow ? [] : await Promise.all(numbered.map((l) => deps.licenses.get(l.licenseNo)));
  const resumed = numberedNow ? [] : await Promise.all(numbered.map((l, i) => (records[i] ? undefined : sealedRecordOf(deps, app, l))));

  const issuedAt = now.toISOString();
  const expiresAt = expiryOf(now, item.license.validityYears);
  const key = deps.sealKeys.active(now);
  // Rendering is this function's CPU and runs one license at a time; signing and storing the
  // files wait on KMS and S3 and run for up to 25 licenses at once, behind the rendering.
  const inFlight = new Set<Promise<void>>();
  const failures: unknown[] = [];
  const toStore: LicenseRecord[] = [];
  const recordWrites: Promise<void>[] = [];
  const writeRecords = () => {
    if (toStore.length) recordWrites.push(deps.licenses.putAll(toStore.splice(0)).catch((e: unknown) => void failures.push(e)));
  };
  const stored = (record: LicenseRecord) => {
    toStore.push(record);
    if (toStore.length >= RECORDS_PER_WRITE) writeRecords();
  };
  for (const [i, { licenseNo, identifier, previousIdentifier }] of numbered.entries()) {
    if (records[i]) continue;
    if (resumed[i]) {
      stored((records[i] = resumed[i]));
      continue;
    }
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
      copy: { index: i + 1, of: numbered.length },
      // Numbered before identifiers existed (an application under way at the upgrade): none.
      ...(identifier
        ? {
            national: {
              identifier,
              typeCode: item.license.typeCode,
              typeName: item.license.typeName,
              issuerCode: deps.catalog.issuerCode,
              area: { code: deps.catalog.areaCode, name: deps.catalog.cityName },
              holderCodeType: HOLDER_CODE_TYPES[app.applicant.kind].code,
              ...(previousIdentifier ? { previousIdentifier } : {}),
            },
          }
        : {}),
    };
    const pdf = await renderLicensePdf(data, deps.fontFile);
    const pdfSha256 = sha256Hex(pdf);
    const signedData = sealDigestInput(data, pdfSha256);
    const message = Buffer.from(signedData, 'utf8');
    const pdfKey = `licenses/${licenseNo}.pdf`;
    const store = async () => {
      const [signature] = await Promise.all([key.signer.sign(message), deps.licenseFiles.put(pdfKey, pdf, 'application/pdf')]);
      const record: LicenseRecord = {
        licenseNo,
        ...(identifier ? { identifier } : {}),
        applicationId: app.applicationId,
        holderId: app.applicantId,
        data,
        pdfKey,
        pdfSha256,
        signature: { algorithm: key.signer.algorithm, keyId: key.signer.keyId, digest: sha256Hex(message), value: Buffer.from(signature).toString('base64'), signedData },
        issuedAt,
        expiresAt,
      };
      await deps.licenseFiles.put(sealedRecordKey(licenseNo), Buffer.from(JSON.stringify(record)), 'application/json');
      stored((records[i] = record));
    };
    const write: Promise<void> = store().catch((e: unknown) => void failures.push(e)).finally(() => inFlight.delete(write));
    inFlight.add(write);
    if (inFlight.size >= STORE_CONCURRENCY) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  // The records of every license whose files are stored, even when another's failed: a retry then seals only what is missing.
  writeRecords();
  await Promise.all(recordWrites);
  if (failures.length) throw failures[0];

  if (sealable) {
    // The license library is told of each license with its GB/T 36903 metadata (SPEC rule 15), in
    // the write that shows it: at most ANNOUNCED_PER_WRITE licenses a write, since a transaction
    // holds 100 items and a batch has up to 500. Each write marks its licenses sealed (the
    // application shows them from then on: they are stored and verifiable); the last one moves the
    // application on. A retry announces only what no write has.
    const recordOf = new Map(records.map((r) => [r!.licenseNo, r!]));
    while (isSealable(app)) {
      ({ app } = await amend(
        deps,
        app.applicationId,
        (current) => {
          if (!isSealable(current)) return null;
          const unsealed = current.licenses!.filter((l) => !l.sealedAt);
          const batch = unsealed.slice(0, ANNOUNCED_PER_WRITE);
          const last = unsealed.length <= ANNOUNCED_PER_WRITE;
          const at = deps.clock.now().toISOString();
          const details = { licenses: batch.map((l) => l.licenseNo), identifiers: batch.map((l) => l.identifier), seal: key.signer.keyId, algorithm: key.signer.algorithm };
          const sealedNow = new Set(details.licenses);
          const licenses = current.licenses!.map((l) => (sealedNow.has(l.licenseNo) ? { ...l, sealedAt: at } : l));
          const announce = batch.map((l) => licenseAnnouncement('license.issued', licenseMetadata(recordOf.get(l.licenseNo)!)));
          const entry = { actor: 'system', action: 'license.sealed', details };
          if (!last) return { next: { ...current, licenses }, at, entry, announce };
          // A filing has no 'issued' step: it goes from submitted to completed on delivery.
          const status = current.flow === 'filing' ? current.status : 'issued';
          return { next: { ...current, status, licenses, sealedAt: at }, at, entry, announce };
        },
        { current: app },
      ));
    }
  }
  return { licenses: numbered.map((l) => l.licenseNo) };
}

/**
 * The sealed record an earlier run put beside a license's PDF, if it is this license's: a run
 * that stopped before writing its records resumes from these rather than sealing again.
 */
async function sealedRecordOf(deps: SealDeps, app: ApplicationRecord, numbered: NumberedLicense): Promise<LicenseRecord | undefined> {
  const bytes = await deps.licenseFiles.get(sealedRecordKey(numbered.licenseNo));
  if (!bytes) return undefined;
  const record = JSON.parse(Buffer.from(bytes).toString('utf8')) as LicenseRecord;
  return record.licenseNo === numbered.licenseNo && record.applicationId === app.applicationId && record.identifier === numbered.identifier ? record : undefined;
}

/**
 * The numbers of an application's licenses: a license number (证照编号) from the city's yearly
 * sequence of the item's prefix, and a 证照标识 from the serial counter of the license type and
 * the issuing bureau. A renewal of one of our licenses (same type, same holder) keeps its serial
 * and takes the serial's next version.
 */
async function numberLicenses(deps: SealDeps, app: ApplicationRecord, item: Item, now: Date): Promise<NumberedLicense[]> {
  const year = Number(chinaDate(now).slice(0, 4));
  const { typeCode, numberPrefix } = item.license;
  const { issuerCode } = deps.catalog;
  // The two sequences are reserved together; a renewal first reads the license it renews (no read otherwise).
  const [first, identifiers] = await Promise.all([
    deps.counters.reserve(`license#${numberPrefix}#${year}`, app.quantity),
    (async () => {
      const renewed = app.quantity === 1 ? await renewedLicense(deps, app, item) : undefined;
      if (renewed) {
        const { serial } = parseIdentifier(renewed.identifier!)!;
        const reissues = await deps.counters.reserve(`identifier#${typeCode}#${issuerCode}#${serial}`);
        return [{ identifier: licenseIdentifier({ typeCode, issuerCode, serial, version: versionOf(reissues + 1) }), previousIdentifier: renewed.identifier! }];
      }
      const firstSerial = await deps.counters.reserve(`identifier#${typeCode}#${issuerCode}`, app.quantity);
      return Array.from({ length: app.quantity }, (_, i) => ({ identifier: licenseIdentifier({ typeCode, issuerCode, serial: serialOf(firstSerial + i), version: '001' }) }));
    })(),
  ]);
  return identifiers.map((id, i) => ({ licenseNo: licenseNumber(numberPrefix, deps.catalog.areaCode, year, first + i), ...id }));
}

/** The license of ours that this application renews, if its item renews one and the form names it. */
async function renewedLicense(deps: SealDeps, app: ApplicationRecord, item: Item): Promise<LicenseRecord | undefined> {
  const field = item.license.renews;
  const named = field ? String(app.form[field] ?? '').trim() : '';
  if (!named) return undefined;
  const previous = looksLikeIdentifier(named) ? await deps.licenses.getByIdentifier(named) : await deps.licenses.get(named);
  const parts = previous?.identifier ? parseIdentifier(previous.identifier) : null;
  if (!previous || !parts || parts.typeCode !== item.license.typeCode || parts.issuerCode !== deps.catalog.issuerCode || previous.holderId !== app.applicantId) return undefined;
  return previous;
}
