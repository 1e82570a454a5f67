import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical.ts';

/**
 * The audit trail (留痕, SPEC rule 11): every action on an application appends an event whose
 * hash covers its content and the previous event's hash, so that changing or deleting any
 * event breaks the chain from there on.
 */
export interface AuditEntry {
  actor: string;
  action: string;
  details?: Record<string, unknown>;
  reason?: string;
  legalBasis?: string;
}

/** SHA-256, or SM3 (GB/T 32905) in cities that seal with SM2. */
export type HashAlgorithm = 'SHA-256' | 'SM3';

export interface AuditEvent extends AuditEntry {
  applicationId: string;
  seq: number;
  at: string;
  /** Absent on SHA-256 chains. */
  alg?: HashAlgorithm;
  prevHash: string;
  hash: string;
}

/** Where a chain stands; its algorithm travels with it, so every append uses the chain's own. */
export interface ChainHead {
  seq: number;
  hash: string;
  alg?: HashAlgorithm;
}

export const GENESIS: ChainHead = { seq: 0, hash: '0'.repeat(64) };
export const genesis = (alg: HashAlgorithm): ChainHead => (alg === 'SHA-256' ? GENESIS : { ...GENESIS, alg });

// SM3 from Node's OpenSSL (GB/T 32905; the same digests as sm-crypto's, see test/unit/audit.test.ts): no
// JavaScript SM library (~55 KiB with its curves) in every function that writes an audit event.
const HASHES: Record<HashAlgorithm, (data: string) => string> = { 'SHA-256': sha256Hex, SM3: (data) => createHash('sm3').update(data, 'utf8').digest('hex') };

function hashOf(event: Omit<AuditEvent, 'hash'>): string {
  return HASHES[event.alg ?? 'SHA-256'](canonicalJson(event));
}

/** The next event of the chain after `head`, hashed with the chain's algorithm. */
export function chainEvent(applicationId: string, head: ChainHead, at: string, entry: AuditEntry): AuditEvent {
  const body: Omit<AuditEvent, 'hash'> = { applicationId, seq: head.seq + 1, at, ...(head.alg ? { alg: head.alg } : {}), prevHash: head.hash, ...entry };
  return { ...body, hash: hashOf(body) };
}

/** The head of a chain after `event`. */
export const headOf = (event: AuditEvent): ChainHead => ({ seq: event.seq, hash: event.hash, ...(event.alg ? { alg: event.alg } : {}) });

/** Recomputes the chain: intact only when every hash, link, sequence number and algorithm holds. */
export function verifyChain(events: AuditEvent[], head: ChainHead | undefined): { intact: boolean; brokenAt?: number } {
  let prev: ChainHead = head?.alg ? genesis(head.alg) : GENESIS;
  for (const event of events) {
    const { hash: stored, ...body } = event;
    if (event.seq !== prev.seq + 1 || event.prevHash !== prev.hash || event.alg !== prev.alg || hashOf(body) !== stored) return { intact: false, brokenAt: prev.seq + 1 };
    prev = headOf(event);
  }
  // The head kept on the application catches a deletion at the end of the chain.
  if (head && (head.seq !== prev.seq || head.hash !== prev.hash)) return { intact: false, brokenAt: prev.seq + 1 };
  return { intact: true };
}
