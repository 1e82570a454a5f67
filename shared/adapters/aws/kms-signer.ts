import { createHash, createPublicKey, verify } from 'node:crypto';
import type { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import type { SealAlgorithm, Signer } from '../../ports.ts';
import { meter } from './usage.ts';
import { spkiPem } from '../../domain/keyring.ts';

/**
 * The city's approval seal in KMS: an asymmetric key (ECC_NIST_P256, or SM2 in China regions)
 * whose private half never leaves KMS.
 *
 * Every signature is asked for as a digest (`MessageType: DIGEST`), never as the raw message:
 * KMS takes at most 4,096 bytes of raw message (the Sign API reference), and a license's signed
 * string with long form fields and the national metadata comes close to that. One path for every
 * size is also the path the unit test proves offline.
 * - P-256: the digest is SHA-256 of the message (ECDSA_SHA_256).
 * - SM2 (GB/T 32918): the digest is SM3(Z_A ‖ M), where Z_A hashes the signer's distinguishing
 *   id, the curve and the public key. With a raw message KMS computes Z_A itself with the default
 *   id `1234567812345678`; with a digest it signs the 32 bytes as given, so the digest must carry
 *   that same Z_A for OpenSSL (`-pkeyopt distid:1234567812345678`) to verify the message.
 *   Z_A needs the public key: it is fetched once per container (the sealer may GetPublicKey).
 */
export const SM2_DEFAULT_ID = '1234567812345678';

/** What the signer needs of a KMS client: the SDK's, or a stand-in in a unit test. */
export interface KmsApi {
  send(command: SignCommand | GetPublicKeyCommand): Promise<{ Signature?: Uint8Array; PublicKey?: Uint8Array }>;
}

const sdk = () => import('@aws-sdk/client-kms');

/** The uncompressed point (04 ‖ X ‖ Y, hex) at the end of an EC SubjectPublicKeyInfo. */
const pointOf = (spki: Uint8Array) => Buffer.from(spki.subarray(spki.length - 65)).toString('hex');

/** SM3(Z_A ‖ M) with the default distinguishing id: what KMS signs for SM2DSA with a raw message. */
export async function sm2Digest(message: Uint8Array, spki: Uint8Array): Promise<Uint8Array> {
  const { sm2 } = await import('sm-crypto-v2');
  return Buffer.from(sm2.getHash(message, pointOf(spki), SM2_DEFAULT_ID), 'hex');
}

export class KmsSigner implements Signer {
  private publicKey?: Promise<Uint8Array>;
  private kms?: Promise<KmsApi>;
  /** The SM2 public point with its multiples precomputed once: each verification then costs a fifth of the plain one. */
  private sm2Point?: ReturnType<typeof import('sm-crypto-v2').sm2.precomputePublicKey>;

  constructor(
    readonly keyId: string,
    readonly algorithm: SealAlgorithm,
    client?: KmsApi,
  ) {
    if (client) this.kms = Promise.resolve(client);
  }

  /** The KMS client, loaded on first use (only the sealer and the verifiers need it). */
  private client() {
    this.kms ??= sdk().then((m) => meter('kms', new m.KMSClient({})) as unknown as KmsApi);
    return this.kms;
  }

  async sign(message: Uint8Array) {
    const { SignCommand } = await sdk();
    const sm2Seal = this.algorithm === 'SM2_SM3';
    const digest = sm2Seal ? await sm2Digest(message, await this.spki()) : createHash('sha256').update(message).digest();
    const out = await (await this.client()).send(new SignCommand({ KeyId: this.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: sm2Seal ? 'SM2DSA' : 'ECDSA_SHA_256' }));
    if (!out.Signature) throw new Error('KMS returned no signature');
    return out.Signature;
  }

  /**
   * The public key's SubjectPublicKeyInfo (DER), fetched once per container. A failed fetch is
   * not kept (issue 14: no rejected promise cached): the next call asks KMS again.
   */
  private spki() {
    if (!this.publicKey) {
      const fetched = Promise.all([sdk(), this.client()])
        .then(([{ GetPublicKeyCommand }, client]) => client.send(new GetPublicKeyCommand({ KeyId: this.keyId })))
        .then((out) => {
          if (!out.PublicKey) throw new Error('KMS returned no public key');
          return out.PublicKey;
        });
      this.publicKey = fetched;
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
      // Loaded here and in sm2Digest, where SM2 is used, not by every function that wires a signer.
      const { sm2 } = await import('sm-crypto-v2');
      this.sm2Point ??= sm2.precomputePublicKey(pointOf(spki));
      return sm2.doVerifySignature(message, Buffer.from(signature).toString('hex'), this.sm2Point, { hash: true, der: true, userId: SM2_DEFAULT_ID });
    }
    return verify('sha256', message, { key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), dsaEncoding: 'der' }, signature);
  }
}
