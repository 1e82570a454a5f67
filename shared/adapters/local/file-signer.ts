import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Signer } from '../../ports.ts';

/**
 * The embedded mode's seal: an ECDSA P-256 key kept in the data folder (created on first use,
 * readable by its owner only). Its signatures are those of the KMS key: ECDSA-SHA256, DER.
 */
export class FileSigner implements Signer {
  readonly algorithm = 'ECDSA_P256_SHA256';
  readonly keyId: string;
  private readonly key: KeyObject;

  constructor(file: string) {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    this.key = createPrivateKey(readFileSync(file));
    const spki = createPublicKey(this.key).export({ type: 'spki', format: 'der' });
    this.keyId = `local:${createHash('sha256').update(spki).digest('hex').slice(0, 16)}`;
  }

  async sign(message: Uint8Array) {
    return sign('sha256', message, { key: this.key, dsaEncoding: 'der' });
  }

  async publicKeyPem() {
    return createPublicKey(this.key).export({ type: 'spki', format: 'pem' }).toString();
  }
}
