import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { Signer } from '../../ports.ts';

/**
 * The city's approval seal in KMS: an asymmetric ECC_NIST_P256 key signing SHA-256 digests.
 * The private key never leaves KMS; the public key is fetched once and cached for verification.
 */
export class KmsSigner implements Signer {
  readonly algorithm = 'ECDSA_P256_SHA256';
  private publicKey?: Promise<string>;

  constructor(
    readonly keyId: string,
    private readonly client = new KMSClient({}),
  ) {}

  async sign(message: Uint8Array) {
    // KMS takes the digest, so the message (any size) never travels: the same signature as
    // ECDSA-SHA256 over the message itself.
    const digest = createHash('sha256').update(message).digest();
    const out = await this.client.send(new SignCommand({ KeyId: this.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }));
    return out.Signature!;
  }

  publicKeyPem() {
    this.publicKey ??= this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then((out) => {
      const b64 = Buffer.from(out.PublicKey!).toString('base64');
      return `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
    });
    return this.publicKey;
  }
}
