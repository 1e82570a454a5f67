import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import legacy from 'sm-crypto';
import { P256FileSigner, Sm2FileSigner } from '../../local/adapters/file-signer.ts';
import { sealDigestInput, type LicenseData } from '#shared/domain/license.ts';

/** The two seal algorithms, and SM2 interoperating with an independent implementation. */
const dir = mkdtempSync(join(tmpdir(), 'oneseal-seal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data: LicenseData = {
  licenseNo: 'ZYYS-640100-2026-000001-6', licenseName: '执业药师注册证', itemCode: 'pharmacist-registration', itemName: '执业药师注册', applicationNo: '64010020260601000001',
  holder: { kind: 'person', name: '马晓燕', subjectId: '64010419900101123X' }, fields: [{ label: '执业类别', value: '药学' }], issuer: '银川市行政审批服务局',
  issuedAt: '2026-06-01T02:00:00.000Z', expiresAt: '2031-05-31T15:59:59.999Z', verifyUrl: 'https://oneseal.yinchuan.gov.cn/v1/licenses/ZYYS-640100-2026-000001-6/verify', copy: { index: 1, of: 1 },
};
const text = sealDigestInput(data, 'a'.repeat(64));
const message = Buffer.from(text, 'utf8');

describe.each([
  ['ECDSA P-256', () => new P256FileSigner(join(dir, 'p256.pem'))],
  ['SM2 with SM3', () => new Sm2FileSigner(join(dir, 'sm2.json'))],
])('the %s seal', (_name, make) => {
  it('signs and verifies, and keeps its key across restarts', async () => {
    const signer = make();
    const signature = await signer.sign(message);
    expect(await signer.verify(message, signature)).toBe(true);
    const again = make();
    expect(again.keyId).toBe(signer.keyId);
    expect(await again.verify(message, signature)).toBe(true);
  });

  it('fails for a changed license or a changed signature', async () => {
    const signer = make();
    const signature = await signer.sign(message);
    const other = Buffer.from(sealDigestInput({ ...data, holder: { ...data.holder, name: '马晓艳' } }, 'a'.repeat(64)), 'utf8');
    expect(await signer.verify(other, signature)).toBe(false);
    const broken = Buffer.from(signature);
    broken[broken.length - 1] ^= 0x01;
    expect(await signer.verify(message, broken)).toBe(false);
  });
});

describe('SM2 interoperability (GB/T 32918)', () => {
  const signer = new Sm2FileSigner(join(dir, 'sm2-interop.json'));
  const { publicKey, privateKey } = JSON.parse(readFileSync(join(dir, 'sm2-interop.json'), 'utf8')) as { publicKey: string; privateKey: string };

  it('makes signatures that the independent sm-crypto implementation verifies', async () => {
    const signature = Buffer.from(await signer.sign(message)).toString('hex');
    expect(legacy.sm2.doVerifySignature(text, signature, publicKey, { hash: true, der: true })).toBe(true);
    expect(legacy.sm2.doVerifySignature(`${text} `, signature, publicKey, { hash: true, der: true })).toBe(false);
  });

  it('verifies signatures that sm-crypto makes', async () => {
    const theirs = legacy.sm2.doSignature(text, privateKey, { hash: true, der: true });
    expect(await signer.verify(message, Buffer.from(theirs, 'hex'))).toBe(true);
  });
});
