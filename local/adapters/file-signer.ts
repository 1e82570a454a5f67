import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sm2 } from 'sm-crypto-v2';
import type { SealAlgorithm, Signer } from '#shared/ports.ts';
import { sm2SpkiDer, spkiPem } from '#shared/domain/keyring.ts';

/**
 * The embedded mode's seal: a key kept in the data folder (created on first use, readable by
 * its owner only) that signs exactly as the city's KMS key does — ECDSA P-256 with SHA-256, or
 * SM2 with SM3 (GB/T 32918, default user id), DER signatures either way.
 */
function keyFile<T>(file: string, create: () => string, load: (text: string) => T): T {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, create(), { mode: 0o600 });
  }
  return load(readFileSync(file, 'utf8'));
}

const keyIdOf = (publicKey: string | Buffer) => `local:${createHash('sha256').update(publicKey).digest('hex').slice(0, 16)}`;

export class P256FileSigner implements Signer {
  readonly algorithm: SealAlgorithm = 'ECDSA_P256_SHA256';
  readonly keyId: string;
  private readonly key: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(file: string) {
    this.key = keyFile(
      file,
      () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      (pem) => createPrivateKey(pem),
    );
    this.publicKey = createPublicKey(this.key);
    this.keyId = keyIdOf(this.publicKey.export({ type: 'spki', format: 'der' }));
  }

  async sign(message: Uint8Array) {
    return sign('sha256', message, { key: this.key, dsaEncoding: 'der' });
  }

  async verify(message: Uint8Array, signature: Uint8Array) {
    return verify('sha256', message, { key: this.publicKey, dsaEncoding: 'der' }, signature);
  }

  async publicKeyPem() {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}

export class Sm2FileSigner implements Signer {
  readonly algorithm: SealAlgorithm = 'SM2_SM3';
  readonly keyId: string;
  private readonly pair: { privateKey: string; publicKey: string };
  /** The public point with its multiples precomputed once: each verification then costs a fifth of the plain one. */
  private point?: ReturnType<typeof sm2.precomputePublicKey>;

  constructor(file: string) {
    this.pair = keyFile(file, () => JSON.stringify(sm2.generateKeyPairHex()), (text) => JSON.parse(text) as { privateKey: string; publicKey: string });
    this.keyId = keyIdOf(this.pair.publicKey);
  }

  async sign(message: Uint8Array) {
    return Buffer.from(sm2.doSignature(message, this.pair.privateKey, { hash: true, der: true, publicKey: this.pair.publicKey }), 'hex');
  }

  async verify(message: Uint8Array, signature: Uint8Array) {
    this.point ??= sm2.precomputePublicKey(this.pair.publicKey);
    return sm2.doVerifySignature(message, Buffer.from(signature).toString('hex'), this.point, { hash: true, der: true });
  }

  async publicKeyPem() {
    return spkiPem(sm2SpkiDer(this.pair.publicKey));
  }
}
