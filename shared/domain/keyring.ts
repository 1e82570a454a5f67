import * as z from 'zod/mini';
import type { SealAlgorithm, Signer } from './signer.ts';

/**
 * The city's seal keys over time (SPEC rule 8). A city seals with one key at a time; it rotates
 * by adding a key (a new KMS key when it decides, or after a compromise), and every key it ever
 * sealed with stays published, so that licenses sealed before a rotation still verify.
 *
 * Each key is active from `activeFrom` until its own `activeUntil` or the next key's
 * `activeFrom`, whichever comes first: a planned rotation only adds the next key; a compromise
 * also ends the old key's period (`activeUntil`) at the moment it was compromised, and a
 * license claiming to be sealed by a key outside that key's period does not verify.
 */

/** One key as a city's configuration names it: `SEAL_KEYS` is a JSON array of these. */
export const SealKeySpec = z
  .object({
    /** The KMS key id or ARN (KMS), or the key file (the embedded mode). */
    key: z.string().check(z.minLength(1)),
    /** The key's algorithm when it is not the city's (`SEAL_ALGORITHM`). */
    algorithm: z.optional(z.enum(['ECDSA_P256_SHA256', 'SM2_SM3'])),
    activeFrom: z.iso.datetime({ offset: true }),
    activeUntil: z.optional(z.iso.datetime({ offset: true })),
  })
  .check(z.refine((k) => !k.activeUntil || Date.parse(k.activeUntil) > Date.parse(k.activeFrom), { message: 'activeUntil must come after activeFrom' }));
export type SealKeySpec = z.infer<typeof SealKeySpec>;
export const SealKeySpecs = z.array(SealKeySpec).check(z.minLength(1));

/** A seal key with its effective active period (ISO instants; no `activeUntil` while it is the latest). */
export interface SealKey {
  signer: Signer;
  activeFrom: string;
  activeUntil?: string;
}

export interface PublishedSealKey {
  keyId: string;
  algorithm: SealAlgorithm;
  publicKeyPem: string;
  status: 'active' | 'retired';
  activeFrom: string;
  activeUntil?: string;
}

export class NoActiveSealKey extends Error {
  constructor(at: Date) {
    super(`no seal key is active at ${at.toISOString()}`);
    this.name = 'NoActiveSealKey';
  }
}

const iso = (t: string) => new Date(t).toISOString();

export class SealKeyring {
  private readonly keys: SealKey[];

  constructor(entries: { signer: Signer; activeFrom: string; activeUntil?: string }[]) {
    if (!entries.length) throw new Error('a city needs at least one seal key');
    const ids = entries.map((e) => e.signer.keyId);
    if (new Set(ids).size !== ids.length) throw new Error(`a seal key is listed twice: ${ids.join(', ')}`);
    const sorted = [...entries].sort((a, b) => Date.parse(a.activeFrom) - Date.parse(b.activeFrom));
    this.keys = sorted.map((e, i) => {
      const next = sorted[i + 1]?.activeFrom;
      const ends = [e.activeUntil, next].filter((t): t is string => !!t).map(Date.parse);
      const until = ends.length ? Math.min(...ends) : undefined;
      return { signer: e.signer, activeFrom: iso(e.activeFrom), ...(until !== undefined ? { activeUntil: new Date(until).toISOString() } : {}) };
    });
  }

  /** Whether a key was the active one at an instant. */
  static activeAt(key: SealKey, at: Date): boolean {
    const t = at.getTime();
    return Date.parse(key.activeFrom) <= t && (!key.activeUntil || t < Date.parse(key.activeUntil));
  }

  /** The key that seals at `now`; throws when none is (a gap between a retired key and its successor). */
  active(now: Date): SealKey {
    const key = this.keys.find((k) => SealKeyring.activeAt(k, now));
    if (!key) throw new NoActiveSealKey(now);
    return key;
  }

  /** The key with this id, active or retired; undefined for one the city never had. */
  byId(keyId: string): SealKey | undefined {
    return this.keys.find((k) => k.signer.keyId === keyId);
  }

  /** Every key whose period has begun by `now`, oldest first, with its public key. */
  async published(now: Date): Promise<PublishedSealKey[]> {
    const begun = this.keys.filter((k) => Date.parse(k.activeFrom) <= now.getTime());
    return Promise.all(
      begun.map(async (k) => ({
        keyId: k.signer.keyId,
        algorithm: k.signer.algorithm,
        publicKeyPem: await k.signer.publicKeyPem(),
        status: SealKeyring.activeAt(k, now) ? ('active' as const) : ('retired' as const),
        activeFrom: k.activeFrom,
        ...(k.activeUntil ? { activeUntil: k.activeUntil } : {}),
      })),
    );
  }
}

/** SubjectPublicKeyInfo DER → PEM. */
export function spkiPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/**
 * An SM2 public key (GB/T 32918: the uncompressed point 04‖X‖Y, in hex) as SubjectPublicKeyInfo:
 * id-ecPublicKey (1.2.840.10045.2.1) on the SM2 curve (1.2.156.10197.1.301), as OpenSSL and
 * KMS write it.
 */
export function sm2SpkiDer(pointHex: string): Buffer {
  if (!/^04[0-9a-fA-F]{128}$/.test(pointHex)) throw new Error('an SM2 public key must be an uncompressed point (04‖X‖Y)');
  return Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'), Buffer.from(pointHex, 'hex')]);
}
