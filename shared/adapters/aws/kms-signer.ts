import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SealAlgorithm, Signer } from '../../ports.ts';
import { meter } from './usage.ts';
import { spkiPem } from '../../domain/keyring.ts';

/**
 * The city's approval seal in KMS: an asymmetric key (ECC_NIST_P256, or SM2 in China regions)
 * whose private half never leaves KMS. Verification uses the public key, fetched once.
 */
const sdk = () => import('@aws-sdk/client-kms');

export class KmsSigner implements Signer {
  private publicKey?: Promise<Uint8Array>;
  private kms?: Promise<KMSClient>;

  constructor(
    readonly keyId: string,
    readonly algorithm: SealAlgorithm,
  ) {}

  /** The KMS client, loaded on first use (only the sealer and the verifier need it). */
  private client() {
    this.kms ??= sdk().then((m) => meter('kms', new m.KMSClient({})));
    return this.kms;
  }

  async sign(message: Uint8Array) {
    if (this.algorithm === 'SM2_SM3') {
      // KMS computes the SM3 digest with the signer's Z value itself when given the message
      // (up to 4 KB; a license's canonical data is well under that).
      const { SignCommand } = await sdk();
      const out = await (await this.client()).send(new SignCommand({ KeyId: this.keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'SM2DSA' }));
      return out.Signature!;
    }
    // P-256: send the digest, so the message never travels and may be any size.
    const digest = createHash('sha256').update(message).digest();
    const { SignCommand } = await sdk();
    const out = await (await this.client()).send(new SignCommand({ KeyId: this.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }));
    return out.Signature!;
  }

  /** The public key's SubjectPublicKeyInfo (DER), fetched once per container. */
  private spki() {
    if (!this.publicKey) {
      const fetched = Promise.all([sdk(), this.client()]).then(([{ GetPublicKeyCommand }, client]) => client.send(new GetPublicKeyCommand({ KeyId: this.keyId }))).then((out) => out.PublicKey!);
      this.publicKey = fetched;
      // A failed fetch is not kept: the next call asks again.
      fetched.catch(() => {
        if (this.publicKey === fetched) this.publicKey = undefined;
      });
    }
    return this.publicKey;
  }

  async publicKeyPem() {
    return spkiPem(await this.spki());
  }

  async verify(message: Uint8Array, signature: Uint8Array) {
    const spki = Buffer.from(await this.spki());
    if (this.algorithm === 'SM2_SM3') {
      // The SPKI ends with the uncompressed point (04 || X || Y).
      const point = spki.subarray(spki.length - 65).toString('hex');
      // Loaded here, in the one function that verifies SM2 seals, not by every function that wires a signer.
      const { sm2 } = await import('sm-crypto-v2');
      return sm2.doVerifySignature(message, Buffer.from(signature).toString('hex'), point, { hash: true, der: true });
    }
    return verify('sha256', message, { key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), dsaEncoding: 'der' }, signature);
  }
}
