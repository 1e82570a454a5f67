import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../local/runtime.ts';
import { parseIdentifier } from '#shared/domain/identifier.ts';
import {
  as, bodyFor, Client, complete, ENTERPRISE_CODE, enterpriseApplicant, newKey, officers, OTHER_PERSON_ID, PERSON_ID, PHARMACIST_MATERIALS,
  pharmacistBody, sha256, TEST_NOW, uploadAll, waitForStatus, waitForTask,
} from '../support/platform.ts';
import { NO_OPENSSL, OPENSSL, opensslVerify } from '../support/openssl.ts';

/**
 * Licenses the national license libraries can read (issue 16): the 证照标识 and GB/T 36903
 * metadata, status codes, lookup by identifier, licenses shown only once verifiable, renewal
 * versions, and offline verification with nothing but OpenSSL — for both seal algorithms and
 * across a rotation of the seal key.
 */
const YINCHUAN_PHARMACIST = /^1\.2\.156\.3005\.2\.11100000MB0341032Y005\.11640100MB1F53281Y\.\d{10}\.001\.[0-9A-Z]$/;
const health = { clerk: { sub: 'health-01', role: 'officer', dept: 'health', rank: 'clerk' }, chief: { sub: 'health-chief', role: 'officer', dept: 'health', rank: 'chief' } };
const market = { clerk: { sub: 'market-01', role: 'officer', dept: 'market', rank: 'clerk' }, chief: { sub: 'market-chief', role: 'officer', dept: 'market', rank: 'chief' } };

/** A pharmacist registration (instant), accepted at once; answers the completed application. */
async function sealPharmacist(url: string, person = PERSON_ID) {
  const applicant = await as(url, { sub: person, role: 'applicant' });
  const clerk = await as(url, officers.clerk);
  const r = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS), person), { 'Idempotency-Key': newKey() });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await clerk.post(`/v1/tasks/${(await waitForTask(clerk, r.body.applicationId, 'acceptance')).taskId}/complete`, { outcome: 'accept' });
  // A first seal in a process is cold (the font, the shaper): on a busy machine it takes a while.
  return { applicant, app: await waitForStatus(applicant, r.body.applicationId, 'completed', 90_000) };
}

/** What a third party does offline: the evidence from /seal, the key from /seal/keys, the PDF, then OpenSSL. */
async function verifyOffline(url: string, holder: Client, ref: string) {
  const seal = await holder.get(`/v1/licenses/${ref}/seal`);
  expect(seal.status).toBe(200);
  const keys = (await new Client(url).get('/v1/seal/keys')).body.keys as { keyId: string; algorithm: 'SM2_SM3' | 'ECDSA_P256_SHA256'; publicKeyPem: string; status: string }[];
  const key = keys.find((k) => k.keyId === seal.body.signature.keyId)!;
  expect(key, 'the key that sealed it is published').toBeDefined();
  expect(key.algorithm).toBe(seal.body.signature.algorithm);
  // The signed string names the PDF's SHA-256, and the PDF the holder has is that one.
  const meta = await holder.get(`/v1/licenses/${ref}`);
  const pdf = Buffer.from(await (await fetch(meta.body.download.url)).arrayBuffer());
  expect(sha256(pdf)).toBe(seal.body.pdfSha256);
  expect(seal.body.signedData).toContain(`"pdfSha256":"${sha256(pdf)}"`);
  const result = OPENSSL ? opensslVerify({ algorithm: key.algorithm, publicKeyPem: key.publicKeyPem, signedData: seal.body.signedData, signature: seal.body.signature.value }) : null;
  const tampered = OPENSSL
    ? opensslVerify({ algorithm: key.algorithm, publicKeyPem: key.publicKeyPem, signedData: seal.body.signedData.replace('"pdfSha256":"', '"pdfSha256":"0'), signature: seal.body.signature.value })
    : null;
  return { seal: seal.body, key, result, tampered };
}

describe('the demo city (SM2 with SM3)', () => {
  let dataDir: string;
  let runtime: Runtime;
  let url: string;
  let first: { licenseNo: string; identifier: string };
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'oneseal-identity-'));
    runtime = await startRuntime({ dataDir });
    url = runtime.url;
    await new Client(url).post('/dev/clock', { now: TEST_NOW });
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seals a license with its 证照标识 and GB/T 36903 metadata, verifiable by number and by identifier', async () => {
    // Act
    const { applicant, app } = await sealPharmacist(url);

    // Assess: the application shows exactly the number and the identifier.
    expect(app.licenses).toEqual([{ licenseNo: expect.stringMatching(/^ZYYS-640100-2026-\d{6}-[0-9A-Z]$/), identifier: expect.stringMatching(YINCHUAN_PHARMACIST) }]);
    first = app.licenses[0];
    expect(parseIdentifier(first.identifier)).not.toBeNull();

    const anon = new Client(url);
    const byNumber = await anon.get(`/v1/licenses/${first.licenseNo}/verify`);
    const byIdentifier = await anon.get(`/v1/licenses/${first.identifier}/verify`);
    expect(byIdentifier.status).toBe(200);
    expect(byIdentifier.body).toEqual(byNumber.body);
    expect(byNumber.body).toMatchObject({
      valid: true, status: 'valid', statusCode: '01', licenseNo: first.licenseNo, identifier: first.identifier, itemName: '执业药师注册', holderName: '马**',
      issuer: '银川市行政审批服务局', issuerCode: '11640100MB1F53281Y', signatureValid: true, algorithm: 'SM2_SM3', issuedAt: expect.any(String), expiresAt: expect.any(String), sha256: expect.any(String),
    });
    // A wrong check character finds nothing.
    const wrong = first.identifier.slice(0, -1) + (first.identifier.endsWith('0') ? '1' : '0');
    expect((await anon.get(`/v1/licenses/${wrong}/verify`)).status).toBe(404);

    const meta = await applicant.get(`/v1/licenses/${first.identifier}`);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ licenseNo: first.licenseNo, identifier: first.identifier, status: 'valid', statusCode: '01', statusName: '有效' });
    expect(meta.body.metadata).toEqual({
      name: '执业药师注册证', identifier: first.identifier, typeCode: '11100000MB0341032Y005', typeName: '执业药师注册证', number: first.licenseNo,
      issuer: '银川市行政审批服务局', issuerCode: '11640100MB1F53281Y', issueDate: '2026-06-01', validFrom: '2026-06-01', validUntil: '2031-05-31',
      holder: '马晓燕', holderCode: PERSON_ID, holderCodeType: '111', holderCodeTypeName: '公民身份号码', area: '640100', areaName: '银川市',
      itemCode: 'pharmacist-registration', itemName: '执业药师注册',
    });
    // An officer of the department sees the holder's number masked.
    const officerView = await (await as(url, officers.clerk)).get(`/v1/licenses/${first.licenseNo}`);
    expect(officerView.body.metadata.holderCode).toBe('640104********123X');
  }, 120_000);

  it.skipIf(!OPENSSL)(`hands over what was signed; OpenSSL alone verifies it with the published SM2 key${OPENSSL ? '' : ` — ${NO_OPENSSL}`}`, async () => {
    const applicant = await as(url, { sub: PERSON_ID, role: 'applicant' });
    const { seal, key, result, tampered } = await verifyOffline(url, applicant, first.identifier);
    expect(seal).toMatchObject({ licenseNo: first.licenseNo, identifier: first.identifier, signature: { algorithm: 'SM2_SM3', keyId: expect.stringMatching(/^local:/) } });
    expect(JSON.parse(seal.signedData).license.national.identifier).toBe(first.identifier);
    expect(key.status).toBe('active');
    expect(result).toEqual({ ok: true, output: 'Signature Verified Successfully' });
    expect(tampered!.ok).toBe(false);
  });

  it('gives the evidence to the holder and the department only; the keys to anyone', async () => {
    const other = await as(url, { sub: OTHER_PERSON_ID, role: 'applicant' });
    expect((await other.get(`/v1/licenses/${first.licenseNo}/seal`)).status).toBe(404);
    expect((await (await as(url, officers.otherDept)).get(`/v1/licenses/${first.licenseNo}/seal`)).status).toBe(403);
    expect((await (await as(url, { sub: 'sup-001', role: 'supervisor' })).get(`/v1/licenses/${first.licenseNo}/seal`)).body).toMatchObject({ status: 403, code: 'license.seal-not-for-supervisors' });
    expect((await new Client(url).get(`/v1/licenses/${first.licenseNo}/seal`)).status).toBe(401);
    expect((await (await as(url, officers.clerk)).get(`/v1/licenses/${first.licenseNo}/seal`)).status).toBe(200);
    const keys = await new Client(url).get('/v1/seal/keys');
    expect(keys.status).toBe(200);
    expect(keys.body.keys).toEqual([
      { keyId: expect.stringMatching(/^local:/), algorithm: 'SM2_SM3', publicKeyPem: expect.stringContaining('-----BEGIN PUBLIC KEY-----'), status: 'active', activeFrom: '2023-12-31T16:00:00.000Z' },
    ]);
  });

  it('shows a batch’s licenses only once sealed: every one listed verifies at once; status codes 03, 04, 07, and 05 on expiry', async () => {
    // Prepare: ten radiation worker certificates, one application.
    const hospital = await as(url, { sub: ENTERPRISE_CODE, role: 'applicant' });
    const r = await hospital.post('/v1/applications', await bodyFor(hospital, 'radiation-worker-certificate', enterpriseApplicant, { quantity: 10 }), { 'Idempotency-Key': newKey() });
    const id = r.body.applicationId;
    const clerk = await as(url, health.clerk);
    const chief = await as(url, health.chief);
    await complete(clerk, id, 'acceptance', { outcome: 'accept' });
    await complete(clerk, id, 'review', { outcome: 'pass' });
    await complete(chief, id, 'decision', { outcome: 'approve', opinion: '均符合条件' });

    // Act: watch the application while it is sealed; whatever it lists must verify then.
    const anon = new Client(url);
    const seen = new Set<string>();
    let app: any;
    for (const until = Date.now() + 90_000; Date.now() < until; ) {
      app = (await hospital.get(`/v1/applications/${id}`)).body;
      for (const l of app.licenses ?? []) {
        if (seen.has(l.licenseNo)) continue;
        seen.add(l.licenseNo);
        const v = await anon.get(`/v1/licenses/${l.identifier}/verify`);
        expect(v.status, `${l.licenseNo} was listed at ${app.status} before it could be verified`).toBe(200);
      }
      if (app.status === 'completed') break;
      await new Promise((res) => setTimeout(res, 20));
    }

    // Assess
    expect(app.status).toBe('completed');
    expect(app.licenses).toHaveLength(10);
    const serials = app.licenses.map((l: { identifier: string }) => parseIdentifier(l.identifier)!);
    expect(new Set(serials.map((p: { serial: string }) => p.serial)).size).toBe(10);
    expect(serials.every((p: { typeCode: string; version: string }) => p.typeCode === '11100000MB0354871T027' && p.version === '001')).toBe(true);

    const [a, b, c, d] = app.licenses as { licenseNo: string; identifier: string }[];
    const ended = [
      [a, undefined, '03', '撤销'],
      [b, 'cancel', '04', '注销'],
      [c, 'penalty', '07', '吊销'],
    ] as const;
    for (const [license, kind, code, name] of ended) {
      const done = await chief.post(`/v1/licenses/${license.licenseNo}/revoke`, { reason: '以欺骗手段取得', legalBasis: '《行政许可法》第六十九条', ...(kind ? { kind } : {}) });
      expect(done.body).toMatchObject({ status: 'revoked', statusCode: code, statusName: name, identifier: license.identifier });
      expect((await anon.get(`/v1/licenses/${license.identifier}/verify`)).body).toMatchObject({ valid: false, status: 'revoked', statusCode: code, signatureValid: true });
    }
    expect((await chief.post(`/v1/licenses/${d.licenseNo}/revoke`, { reason: 'x', legalBasis: 'y', kind: 'suspend' })).status).toBe(422);

    // Four years on (放射工作人员证 is valid for 4), the valid one has expired: 05, computed when read.
    await anon.post('/dev/clock', { now: '2030-06-02T02:00:00Z' });
    try {
      expect((await anon.get(`/v1/licenses/${d.identifier}/verify`)).body).toMatchObject({ valid: false, status: 'expired', statusCode: '05' });
      expect((await hospital.get(`/v1/licenses/${d.licenseNo}`)).body).toMatchObject({ status: 'expired', statusCode: '05', statusName: '失效' });
      expect((await anon.get(`/v1/licenses/${a.licenseNo}/verify`)).body.statusCode).toBe('03');
    } finally {
      await anon.post('/dev/clock', { now: TEST_NOW });
    }
  }, 180_000);

  it('renews a license of ours under its serial with the next version; a paper certificate starts a new serial', async () => {
    const lab = await as(url, { sub: ENTERPRISE_CODE, role: 'applicant' });
    const clerk = await as(url, market.clerk);
    const chief = await as(url, market.chief);
    const renew = async (currentCertificateNo: string) => {
      const body = await bodyFor(lab, 'inspection-body-renewal', enterpriseApplicant);
      const r = await lab.post('/v1/applications', { ...body, form: { ...body.form, currentCertificateNo } }, { 'Idempotency-Key': newKey() });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      await complete(clerk, r.body.applicationId, 'acceptance', { outcome: 'accept' });
      await complete(clerk, r.body.applicationId, 'review', { outcome: 'pass' });
      await complete(chief, r.body.applicationId, 'decision', { outcome: 'approve', opinion: '准予延续' });
      const app = await waitForStatus(lab, r.body.applicationId, 'completed', 60_000);
      return { ...(app.licenses[0] as { licenseNo: string; identifier: string }), parts: parseIdentifier(app.licenses[0].identifier)! };
    };

    const paper = await renew('CMA-2020-640100-0001');
    expect(paper.parts).toMatchObject({ typeCode: '11100000MB0118635G031', version: '001' });
    const second = await renew(paper.licenseNo);
    expect(second.parts).toEqual({ ...paper.parts, version: '002' });
    const third = await renew(second.identifier);
    expect(third.parts).toEqual({ ...paper.parts, version: '003' });
    const meta = await lab.get(`/v1/licenses/${third.identifier}`);
    expect(meta.body.metadata.previousIdentifier).toBe(second.identifier);
    expect((await new Client(url).get(`/v1/licenses/${second.identifier}/verify`)).body.valid).toBe(true);
  }, 240_000);

  it('rotates the seal key: licenses sealed before and after verify, online and with OpenSSL', async () => {
    // Prepare: the city adds a key that takes over on 1 July (the embedded seal's keys.json).
    await runtime.close();
    writeFileSync(
      join(dataDir, 'seal', 'keys.json'),
      JSON.stringify([
        { key: 'p256.pem', activeFrom: '2024-01-01T00:00:00+08:00' },
        { key: 'seal-2026b.pem', activeFrom: '2026-07-01T00:00:00+08:00' },
      ]),
    );
    runtime = await startRuntime({ dataDir });
    url = runtime.url;
    await new Client(url).post('/dev/clock', { now: '2026-07-01T02:00:00Z' });

    // Act: a license sealed after the rotation.
    const { applicant: other, app } = await sealPharmacist(url, OTHER_PERSON_ID);
    const after = app.licenses[0] as { licenseNo: string; identifier: string };

    // Assess
    const anon = new Client(url);
    const before = await anon.get(`/v1/licenses/${first.identifier}/verify`);
    const now = await anon.get(`/v1/licenses/${after.identifier}/verify`);
    expect(before.body).toMatchObject({ valid: true, signatureValid: true });
    expect(now.body).toMatchObject({ valid: true, signatureValid: true });
    expect(now.body.keyId).not.toBe(before.body.keyId);

    const keys = (await anon.get('/v1/seal/keys')).body.keys;
    expect(keys).toEqual([
      expect.objectContaining({ keyId: before.body.keyId, status: 'retired', activeFrom: '2023-12-31T16:00:00.000Z', activeUntil: '2026-06-30T16:00:00.000Z' }),
      expect.objectContaining({ keyId: now.body.keyId, status: 'active', activeFrom: '2026-06-30T16:00:00.000Z' }),
    ]);
    expect(keys[1].activeUntil).toBeUndefined();

    if (!OPENSSL) return console.warn(NO_OPENSSL);
    const holder = await as(url, { sub: PERSON_ID, role: 'applicant' });
    for (const [client, ref] of [[holder, first.identifier], [other, after.identifier]] as const) {
      const { result, tampered } = await verifyOffline(url, client, ref);
      expect(result, ref).toEqual({ ok: true, output: 'Signature Verified Successfully' });
      expect(tampered!.ok).toBe(false);
    }
  }, 180_000);
});

describe('a city sealing with ECDSA P-256 (SEAL_ALGORITHM=ECDSA_P256_SHA256)', () => {
  let dataDir: string;
  let runtime: Runtime;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'oneseal-p256-'));
    process.env.SEAL_ALGORITHM = 'ECDSA_P256_SHA256';
    runtime = await startRuntime({ dataDir });
    await new Client(runtime.url).post('/dev/clock', { now: TEST_NOW });
  });
  afterAll(async () => {
    await runtime?.close();
    delete process.env.SEAL_ALGORITHM;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!OPENSSL)(`seals a license that OpenSSL alone verifies with the published P-256 key${OPENSSL ? '' : ` — ${NO_OPENSSL}`}`, async () => {
    const { applicant, app } = await sealPharmacist(runtime.url);
    const license = app.licenses[0] as { licenseNo: string; identifier: string };
    expect(license.identifier).toMatch(YINCHUAN_PHARMACIST);
    const { seal, key, result, tampered } = await verifyOffline(runtime.url, applicant, license.licenseNo);
    expect(seal.signature.algorithm).toBe('ECDSA_P256_SHA256');
    expect(key).toMatchObject({ algorithm: 'ECDSA_P256_SHA256', status: 'active' });
    expect(result).toEqual({ ok: true, output: 'Verified OK' });
    expect(tampered!.ok).toBe(false);
    expect((await new Client(runtime.url).get(`/v1/licenses/${license.identifier}/verify`)).body).toMatchObject({ valid: true, algorithm: 'ECDSA_P256_SHA256' });
  }, 120_000);
});
