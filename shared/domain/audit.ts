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

export interface AuditEvent extends AuditEntry {
  applicationId: string;
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export const GENESIS: ChainHead = { seq: 0, hash: '0'.repeat(64) };

export type HashFn = (data: string) => string;

function hashOf(event: Omit<AuditEvent, 'hash'>, hash: HashFn): string {
  return hash(canonicalJson(event));
}

/** The next event of the chain after `head`. */
export function chainEvent(applicationId: string, head: ChainHead, at: string, entry: AuditEntry, hash: HashFn = sha256Hex): AuditEvent {
  const body: Omit<AuditEvent, 'hash'> = { applicationId, seq: head.seq + 1, at, prevHash: head.hash, ...entry };
  return { ...body, hash: hashOf(body, hash) };
}

/** Recomputes the chain: intact only when every hash, link and sequence number holds. */
export function verifyChain(events: AuditEvent[], head: ChainHead | undefined, hash: HashFn = sha256Hex): { intact: boolean; brokenAt?: number } {
  let prev = GENESIS;
  for (const event of events) {
    const { hash: stored, ...body } = event;
    if (event.seq !== prev.seq + 1 || event.prevHash !== prev.hash || hashOf(body, hash) !== stored) return { intact: false, brokenAt: prev.seq + 1 };
    prev = { seq: event.seq, hash: stored };
  }
  // The head kept on the application catches a deletion at the end of the chain.
  if (head && (head.seq !== prev.seq || head.hash !== prev.hash)) return { intact: false, brokenAt: prev.seq + 1 };
  return { intact: true };
}
