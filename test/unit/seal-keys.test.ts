import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { P256FileSigner, Sm2FileSigner } from '../../local/adapters/file-signer.ts';
import { licenseMetadata, licenseState, sealDigestInput, type LicenseData } from '#shared/domain/license.ts';
import { SealKeyring, SealKeySpecs } from '#shared/domain/keyring.ts';
import { NO_OPENSSL, OPENSSL, opensslVerify } from '../support/openssl.ts';

/** The seal's keys over time, their public keys as a third party reads them, and license status codes. */
const dir = mkdtempSync(join(tmpdir(), 'oneseal-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (iso: string) => new Date(iso);

describe('the seal keyring', () => {
  // Prepare: a key since 2024, its successor from 2026-07-01, a third planned for 2027.
  const first = new Sm2FileSigner(join(dir, 'first-sm2.json'));
  const second = new Sm2FileSigner(join(dir, 'second-sm2.json'));
  const third = new P256FileSigner(join(dir, 'third.pem'));
  const ring = new SealKeyring([
    { signer: second, activeFrom: '2026-07-01T00:00:00+08:00' },
    { signer: first, activeFrom: '2024-01-01T00:00:00+08:00' },
    { signer: third, activeFrom: '2027-01-01T00:00:00+08:00' },
  ]);

  it('seals with the key whose period holds now; the next key ends the previous one', () => {
    expect(ring.active(at('2026-06-30T15:59:59Z')).signer).toBe(first);
    expect(ring.active(at('2026-06-30T16:00:00Z')).signer).toBe(second);
    expect(ring.byId(first.keyId)).toMatchObject({ activeFrom: '2023-12-31T16:00:00.000Z', activeUntil: '2026-06-30T16:00:00.000Z' });
    expect(ring.byId(second.keyId)?.activeUntil).toBe('2026-12-31T16:00:00.000Z');
    expect(ring.byId('local:nope')).toBeUndefined();
  });

  it('publishes every key whose period has begun: the active one and the retired ones, not the planned one', async () => {
    const keys = await ring.published(at('2026-08-01T00:00:00Z'));
    expect(keys.map((k) => [k.keyId, k.status])).toEqual([
      [first.keyId, 'retired'],
      [second.keyId, 'active'],
    ]);
    expect(keys[0]).toMatchObject({ algorithm: 'SM2_SM3', activeUntil: '2026-06-30T16:00:00.000Z' });
    expect(keys[1].activeUntil).toBe('2026-12-31T16:00:00.000Z');
    expect(keys[0].publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
  });

  it('refuses to seal in a gap: a compromised key ended before its successor begins', () => {
    const compromised = new SealKeyring([
      { signer: first, activeFrom: '2024-01-01T00:00:00+08:00', activeUntil: '2026-05-01T00:00:00+08:00' },
      { signer: second, activeFrom: '2026-05-02T00:00:00+08:00' },
    ]);
    expect(() => compromised.active(at('2026-05-01T06:00:00Z'))).toThrow(/no seal key is active/);
    expect(SealKeyring.activeAt(compromised.byId(first.keyId)!, at('2026-05-01T06:00:00Z'))).toBe(false);
  });

  it('is configured as JSON: a period ending before it begins, or no key at all, is refused', () => {
    expect(SealKeySpecs.safeParse([{ key: 'a.pem', activeFrom: '2024-01-01T00:00:00+08:00' }]).success).toBe(true);
    expect(SealKeySpecs.safeParse([{ key: 'a.pem', activeFrom: '2024-01-01T00:00:00+08:00', activeUntil: '2023-01-01T00:00:00+08:00' }]).success).toBe(false);
    expect(SealKeySpecs.safeParse([]).success).toBe(false);
    expect(() => new SealKeyring([{ signer: first, activeFrom: '2024-01-01T00:00:00Z' }, { signer: first, activeFrom: '2025-01-01T00:00:00Z' }])).toThrow(/listed twice/);
  });
});

describe('public keys as SubjectPublicKeyInfo', () => {
  const message = Buffer.from('{"license":{"licenseNo":"ZYYS-640100-2026-000001-6","holder":"马晓燕"},"pdfSha256":"00"}', 'utf8');

  it('P-256: node verifies with the published PEM what the seal signed', async () => {
    const signer = new P256FileSigner(join(dir, 'p256.pem'));
    const signature = await signer.sign(message);
    expect(verify('sha256', message, { key: createPublicKey(await signer.publicKeyPem()), dsaEncoding: 'der' }, signature)).toBe(true);
  });

  it.skipIf(!OPENSSL)(`OpenSSL verifies both algorithms with the published PEM${OPENSSL ? '' : ` — ${NO_OPENSSL}`}`, async () => {
    for (const signer of [new Sm2FileSigner(join(dir, 'ossl-sm2.json')), new P256FileSigner(join(dir, 'ossl.pem'))]) {
      const signature = await signer.sign(message);
      expect(opensslVerify({ algorithm: signer.algorithm, publicKeyPem: await signer.publicKeyPem(), signedData: message, signature }), signer.algorithm).toMatchObject({ ok: true });
      const other = Buffer.concat([message, Buffer.from(' ')]);
      expect(opensslVerify({ algorithm: signer.algorithm, publicKeyPem: await signer.publicKeyPem(), signedData: other, signature }).ok).toBe(false);
    }
  });
});

describe('license status codes', () => {
  const now = at('2027-01-01T00:00:00Z');
  it('01 valid, 05 past its validity (computed when read), 03/04/07 by how it was ended', () => {
    expect(licenseState({ expiresAt: '2031-11-21T15:59:59.999Z' }, now)).toEqual({ status: 'valid', statusCode: '01', statusName: '有效' });
    expect(licenseState({ expiresAt: '2026-12-31T15:59:59.999Z' }, now)).toEqual({ status: 'expired', statusCode: '05', statusName: '失效' });
    expect(licenseState({ expiresAt: null, revokedAt: '2026-12-01T00:00:00Z' }, now)).toEqual({ status: 'revoked', statusCode: '03', statusName: '撤销' });
    expect(licenseState({ expiresAt: null, revokedAt: '2026-12-01T00:00:00Z', revocation: { kind: 'cancel' } }, now).statusCode).toBe('04');
    expect(licenseState({ expiresAt: '2026-12-31T15:59:59.999Z', revokedAt: '2026-12-01T00:00:00Z', revocation: { kind: 'penalty' } }, now)).toMatchObject({ status: 'revoked', statusCode: '07', statusName: '吊销' });
  });
});

describe('the GB/T 36903 metadata', () => {
  it('names what the license was sealed with, in China dates', () => {
    const data: LicenseData = {
      licenseNo: 'FSGZ-640100-2026-000001-R', licenseName: '放射工作人员证', itemCode: 'radiation-worker', itemName: '放射工作人员证核发', applicationNo: '64010020260601000002',
      holder: { kind: 'enterprise', name: '宁夏医科大学总医院', subjectId: '12640000455380563E' }, fields: [], issuer: '银川市行政审批服务局',
      issuedAt: '2026-06-01T16:30:00.000Z', expiresAt: '2030-06-01T15:59:59.999Z', verifyUrl: 'https://x/v', copy: { index: 1, of: 1 },
      national: { identifier: '1.2.156.3005.2.x', typeCode: '11100000MB0354871T027', typeName: '放射工作人员证', issuerCode: '11640100MB1F53281Y', area: { code: '640100', name: '银川市' }, holderCodeType: '001' },
    };
    const meta = licenseMetadata({ licenseNo: data.licenseNo, data, issuedAt: data.issuedAt, expiresAt: data.expiresAt });
    expect(meta).toMatchObject({
      name: '放射工作人员证', identifier: '1.2.156.3005.2.x', typeCode: '11100000MB0354871T027', number: 'FSGZ-640100-2026-000001-R', issuer: '银川市行政审批服务局',
      issuerCode: '11640100MB1F53281Y', issueDate: '2026-06-02', validFrom: '2026-06-02', validUntil: '2030-06-01', holder: '宁夏医科大学总医院', holderCode: '12640000455380563E',
      holderCodeType: '001', holderCodeTypeName: '统一社会信用代码', area: '640100', areaName: '银川市', itemCode: 'radiation-worker',
    });
    expect(sealDigestInput(data, 'ab')).toContain('"pdfSha256":"ab"');
  });
});
