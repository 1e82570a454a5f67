/** The seal's algorithms: ECDSA P-256 with SHA-256, or SM2 with SM3 (GB/T 32918). */
export type SealAlgorithm = 'ECDSA_P256_SHA256' | 'SM2_SM3';

/** One key of the city's approval seal: signs and verifies messages (DER signatures). */
export interface Signer {
  readonly algorithm: SealAlgorithm;
  readonly keyId: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** The public key as a third party verifies with it: SubjectPublicKeyInfo in PEM. */
  publicKeyPem(): Promise<string>;
}

