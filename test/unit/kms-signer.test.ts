import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { sm2 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { KmsSigner, type KmsApi } from '../../shared/adapters/aws/kms-signer.ts';
import { sm2SpkiDer, spkiPem } from '../../shared/domain/keyring.ts';
import { NO_OPENSSL, OPENSSL, opensslVerify } from '../support/openssl.ts';

/**
 * The KMS seal adapter against a stand-in for KMS that holds a local key and does what KMS does
 * with `MessageType: DIGEST`: signs the 32 bytes it is given, without hashing them again. What
 * the adapter sends must then verify, as the raw message, with the README's OpenSSL commands.
 */

/** A license's signed string at its largest: long form fields and the national metadata, past KMS's 4,096-byte raw limit. */
const LONG_MESSAGE = Buffer.from(
  JSON.stringify({
    license: { licenseNo: 'ZYYS-640100-2026-000001-6', identifier: '1.2.156.3005.2.11640000MB1552418XD001.11640100MB0F46412X.640100000001.001.Q', holder: '马晓燕' },
    form: { remarks: '经营范围：药品零售（处方药、非处方药、中药饮片）；医疗器械经营；保健食品销售。'.repeat(40) },
    pdfSha256: 'a'.repeat(64),
  }),
  'utf8',
);

/** Signs a digest with OpenSSL as KMS does (pkeyutl without -rawin: the input is the hash). */
function opensslSignDigest(privatePem: string, digest: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'oneseal-kms-'));
  try {
    writeFileSync(join(dir, 'key.pem'), privatePem);
    writeFileSync(join(dir, 'digest'), digest);
    const run = spawnSync('openssl', ['pkeyutl', '-sign', '-inkey', 'key.pem', '-in', 'digest', '-out', 'sig.der'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return readFileSync(join(dir, 'sig.der'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A KMS stand-in: GetPublicKey returns the key's SPKI; Sign accepts digests only and signs them as given. */
function fakeKms(spki: Uint8Array, signDigest: (digest: Uint8Array, algorithm: string) => Uint8Array, opts: { failFirstGetPublicKey?: boolean } = {}) {
  const calls: { op: string; input: Record<string, unknown> }[] = [];
  let failures = opts.failFirstGetPublicKey ? 1 : 0;
  const client: KmsApi = {
    async send(command) {
      if (command instanceof GetPublicKeyCommand) {
        calls.push({ op: 'GetPublicKey', input: { ...command.input } });
        if (failures-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return { PublicKey: spki };
      }
      if (command instanceof SignCommand) {
        calls.push({ op: 'Sign', input: { ...command.input } });
        const { Message, MessageType, SigningAlgorithm } = command.input;
        if (Message!.length > 4096) throw Object.assign(new Error('Message is longer than 4096 bytes'), { name: 'ValidationException' });
        if (MessageType !== 'DIGEST' || Message!.length !== 32) throw new Error('this stand-in signs 32-byte digests only');
        return { Signature: signDigest(Message!, SigningAlgorithm!) };
      }
      throw new Error('unexpected command');
    },
  };
  return { client, calls };
}

describe('the KMS seal (shared/adapters/aws/kms-signer.ts)', () => {
  const sm2Key = sm2.generateKeyPairHex();
  const sm2Spki = sm2SpkiDer(sm2Key.publicKey);
  // What KMS does for SM2DSA with a digest: e is the 32 bytes as given (no Z_A, no SM3 on top).
  const sm2Sign = (digest: Uint8Array) => Buffer.from(sm2.doSignature(digest, sm2Key.privateKey, { hash: false, der: true }), 'hex');

  it('SM2: sends SM3(Z_A ‖ M) as a 32-byte DIGEST with SM2DSA, and a message over 4 KB signs and verifies', async () => {
    // Prepare
    const kms = fakeKms(sm2Spki, sm2Sign);
    const signer = new KmsSigner('arn:aws-cn:kms:cn-northwest-1:111122223333:key/seal-2026', 'SM2_SM3', kms.client);
    expect(LONG_MESSAGE.length).toBeGreaterThan(4096);
    // Act
    const signature = await signer.sign(LONG_MESSAGE);
    // Assess
    const sign = kms.calls.find((c) => c.op === 'Sign')!;
    expect(sign.input).toMatchObject({ KeyId: 'arn:aws-cn:kms:cn-northwest-1:111122223333:key/seal-2026', MessageType: 'DIGEST', SigningAlgorithm: 'SM2DSA' });
    expect(Buffer.from(sign.input.Message as Uint8Array).toString('hex')).toBe(sm2.getHash(LONG_MESSAGE, sm2Key.publicKey, '1234567812345678'));
    expect(await signer.verify(LONG_MESSAGE, signature)).toBe(true);
    expect(await signer.verify(Buffer.concat([LONG_MESSAGE, Buffer.from(' ')]), signature)).toBe(false);
  });

  it.skipIf(!OPENSSL)(`SM2: OpenSSL verifies the raw message with the default distinguishing id, as the README shows${OPENSSL ? '' : ` — ${NO_OPENSSL}`}`, async () => {
    // Prepare
    const signer = new KmsSigner('seal-2026', 'SM2_SM3', fakeKms(sm2Spki, sm2Sign).client);
    // Act
    const signature = await signer.sign(LONG_MESSAGE);
    // Assess
    const publicKeyPem = await signer.publicKeyPem();
    expect(publicKeyPem).toBe(spkiPem(sm2Spki));
    expect(opensslVerify({ algorithm: 'SM2_SM3', publicKeyPem, signedData: LONG_MESSAGE, signature })).toMatchObject({ ok: true });
    expect(opensslVerify({ algorithm: 'SM2_SM3', publicKeyPem, signedData: Buffer.concat([LONG_MESSAGE, Buffer.from(' ')]), signature }).ok).toBe(false);
  });

  it.skipIf(!OPENSSL)(`P-256: sends SHA-256 of the message as a DIGEST with ECDSA_SHA_256; openssl dgst verifies the raw message${OPENSSL ? '' : ` — ${NO_OPENSSL}`}`, async () => {
    // Prepare
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const kms = fakeKms(spki, (digest) => opensslSignDigest(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, digest));
    const signer = new KmsSigner('seal-p256', 'ECDSA_P256_SHA256', kms.client);
    // Act
    const signature = await signer.sign(LONG_MESSAGE);
    // Assess
    expect(kms.calls.find((c) => c.op === 'Sign')!.input).toMatchObject({ MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(kms.calls.some((c) => c.op === 'GetPublicKey')).toBe(false); // a P-256 digest needs no public key
    expect(opensslVerify({ algorithm: 'ECDSA_P256_SHA256', publicKeyPem: await signer.publicKeyPem(), signedData: LONG_MESSAGE, signature })).toMatchObject({ ok: true });
    expect(await signer.verify(LONG_MESSAGE, signature)).toBe(true);
  });

  it('does not keep a failed GetPublicKey: the next call asks KMS again, and a success is then kept (issue 14 item 7)', async () => {
    // Prepare
    const kms = fakeKms(sm2Spki, sm2Sign, { failFirstGetPublicKey: true });
    const signer = new KmsSigner('seal-2026', 'SM2_SM3', kms.client);
    // Act / Assess
    await expect(signer.publicKeyPem()).rejects.toThrow(/Rate exceeded/);
    expect(await signer.publicKeyPem()).toBe(spkiPem(sm2Spki));
    const signature = await signer.sign(Buffer.from('短消息'));
    expect(await signer.verify(Buffer.from('短消息'), signature)).toBe(true);
    expect(kms.calls.filter((c) => c.op === 'GetPublicKey')).toHaveLength(2);
  });
});
