import type { ApplicationRecord } from './application.ts';
import type { AuditEntry } from './audit.ts';
import { sha256Hex } from './canonical.ts';
import { maskActor, maskPersonName, maskSubjectId } from './identity.ts';
import { MAX_SKEW_SECONDS, signatureProblem, signTimestamped } from './signature.ts';

/**
 * Events (SPEC rule 15): what happened to an application, as the provincial platform and the
 * other subscribers a city configures are told. They are derived here, in one pure place, from
 * the application before and after a change and the audit entry that records it; the use case
 * that commits the change writes them to the outbox in the same transaction (amend()).
 */

/** The event types, as SPEC rule 15 lists the changes (plus `application.updated` for any other change of the trail). */
export const EVENT_TYPES = [
  'application.submitted',
  'application.correction-requested',
  'application.corrected',
  'application.accepted',
  'application.refused',
  'application.suspended',
  'application.resumed',
  'application.extended',
  'application.deadline-recomputed',
  'application.approved',
  'application.denied',
  'application.withdrawn',
  'application.issued',
  'license.issued',
  'license.revoked',
  'application.dispatched',
  'application.delivered',
  'application.returned',
  'application.completed',
  'application.flow-failed',
  'application.flow-redriven',
  'application.updated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event before it is numbered: what the change announces. */
export interface Announcement {
  type: EventType;
  data: Record<string, unknown>;
}

/** The body of a webhook and of an entry of the events feed (SPEC: HTTP contract, Events). */
export interface EventBody {
  eventId: string;
  type: EventType;
  occurredAt: string;
  applicationId: string;
  applicationNo: string;
  itemCode: string;
  seq: number;
  status: string;
  data: Record<string, unknown>;
}

/** The event's id follows from the application and its per-application sequence: a retried write cannot make a second id. */
export const eventIdOf = (applicationId: string, seq: number) => `evt_${sha256Hex(`${applicationId}#${seq}`).slice(0, 24)}`;

const byStatus: Partial<Record<ApplicationRecord['status'], EventType>> = {
  correcting: 'application.correction-requested',
  accepted: 'application.accepted',
  refused: 'application.refused',
  suspended: 'application.suspended',
  approved: 'application.approved',
  denied: 'application.denied',
  withdrawn: 'application.withdrawn',
  issued: 'application.issued',
  delivering: 'application.dispatched',
  completed: 'application.completed',
};

const byAction: Record<string, EventType> = {
  extended: 'application.extended',
  'deadline.recomputed': 'application.deadline-recomputed',
  'flow.failed': 'application.flow-failed',
  'flow.redriven': 'application.flow-redriven',
  'delivery.ems.returned': 'application.returned',
};

/** What an event says about the change beyond its type: the action, the reason, the due times, the decision. Nothing that names the applicant in full. */
function dataOf(after: ApplicationRecord, entry: AuditEntry): Record<string, unknown> {
  return {
    action: entry.action,
    actor: maskActor(entry.actor),
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.legalBasis ? { legalBasis: entry.legalBasis } : {}),
    ...(after.due ? { due: after.due } : {}),
    ...(after.decision ? { decision: { outcome: after.decision.outcome, at: after.decision.at } } : {}),
    ...(after.delivery.method ? { delivery: { method: after.delivery.method, ...(after.delivery.status ? { status: after.delivery.status } : {}), ...(after.delivery.waybillNo ? { waybillNo: after.delivery.waybillNo } : {}) } } : {}),
    ...(after.flowError ? { flowError: { error: after.flowError.error } } : {}),
  };
}

/**
 * The events of one change: the application before it (undefined for a submission), after it,
 * and the audit entry that records it, plus the explicit announcements the use case adds
 * (`license.issued` with the license's metadata, `license.revoked`).
 * Every change gives at least one event; a status change gives its own; a completion by delivery
 * tells the delivery first.
 */
export function eventsOf(before: ApplicationRecord | undefined, after: ApplicationRecord, entry: AuditEntry, explicit: Announcement[] = []): Announcement[] {
  const data = dataOf(after, entry);
  const out: Announcement[] = [];
  const push = (type: EventType) => {
    if (!out.some((a) => a.type === type) && !explicit.some((a) => a.type === type)) out.push({ type, data });
  };
  if (!before) {
    push('application.submitted');
    return [...out, ...explicit];
  }
  const action = byAction[entry.action];
  if (action) push(action);
  if (before.status !== after.status && entry.action !== 'delivery.ems.returned') {
    if (after.status === 'submitted' && before.status === 'correcting') push('application.corrected');
    else if (after.status === 'accepted' && before.status === 'suspended') push('application.resumed');
    else {
      // An instant item is accepted and approved in one step: both are told.
      if (after.status === 'approved' && !before.acceptedAt && after.acceptedAt) push('application.accepted');
      if (after.status === 'completed' && after.delivery.status && ['delivered', 'picked-up'].includes(after.delivery.status)) push('application.delivered');
      const type = byStatus[after.status];
      if (type) push(type);
    }
  }
  if (!out.length && !explicit.length) push('application.updated');
  return [...out, ...explicit];
}

/**
 * A license event (`license.issued`, `license.revoked`) for the license library: the license's
 * GB/T 36903 metadata (licenseMetadata), its holder masked like the applicant; `extra` adds the
 * revocation. A subscriber with full identifiers gets the holder in full (relay's bodyFor).
 */
export function licenseAnnouncement(type: 'license.issued' | 'license.revoked', metadata: { holder: string; holderCode: string; holderCodeType: string } & Record<string, unknown>, extra: Record<string, unknown> = {}): Announcement {
  const person = metadata.holderCodeType === '111';
  return { type, data: { license: { ...metadata, holder: person ? maskPersonName(metadata.holder) : metadata.holder, holderCode: maskSubjectId(metadata.holderCode) }, ...extra } };
}

/** The applicant as an event names it: masked, unless the subscriber is entitled to the full identity (docs/events.md). */
export function applicantOf(app: ApplicationRecord, full: boolean) {
  const a = app.applicant;
  const id = a.kind === 'person' ? a.idNumber : a.creditCode;
  return { kind: a.kind, id: full ? id : maskSubjectId(id), name: full || a.kind === 'enterprise' ? a.name : maskPersonName(a.name) };
}

/** Numbers the announcements of a change from the application's event sequence, and builds their bodies. */
export function numberEvents(after: ApplicationRecord, fromSeq: number, occurredAt: string, announcements: Announcement[]): EventBody[] {
  return announcements.map((a, i) => ({
    eventId: eventIdOf(after.applicationId, fromSeq + i + 1),
    type: a.type,
    occurredAt,
    applicationId: after.applicationId,
    applicationNo: after.applicationNo,
    itemCode: after.itemCode,
    seq: fromSeq + i + 1,
    status: after.status,
    data: { ...a.data, applicant: applicantOf(after, false) },
  }));
}

/** Whether a subscriber asked for this type: `*`, the type itself, or its family (`license.*`). */
export const wants = (types: string[], type: string) => types.some((t) => t === '*' || t === type || (t.endsWith('.*') && type.startsWith(t.slice(0, -1))));

/** `X-Oneseal-Signature` (SPEC): the webhook signature (domain/signature.ts) under the subscriber's secret. */
export const signWebhook = signTimestamped;

/** What a receiver does: the signature matches and the timestamp is at most `toleranceSeconds` away. */
export const verifyWebhook = (secret: string, timestamp: string, rawBody: string, signature: string, now: Date, toleranceSeconds = MAX_SKEW_SECONDS): boolean =>
  signatureProblem([secret], timestamp, rawBody, signature, now, toleranceSeconds) === null;

/**
 * The delay before delivery attempt `attempt` (2, 3, …) of a webhook: exponential from `baseMs`,
 * capped at `capMs`. On AWS 30 s doubling to 12 h (SQS’s longest visibility timeout), 13
 * receives: 30 s + 1 min + … + 12 h ≈ 29 h ≥ 24 h (docs/events.md).
 */
export const backoffMs = (attempt: number, baseMs: number, capMs: number) => Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 2));

/** What the workflow must be told after a commit (SPEC rule 15): an officer's outcome, or a withdrawal's stop. */
export type Callback = { kind: 'success'; taskToken: string; output: unknown } | { kind: 'stop'; flow: string; name: string; cause: string };

/**
 * An outbox entry, written in the transaction of the change it comes from: an event for the
 * subscribers (with the applicant's full identity kept apart, for the subscribers entitled to it)
 * or a callback for Step Functions. `seq` orders an application's entries.
 */
export interface OutboxEntry {
  id: string;
  applicationId: string;
  seq: number;
  occurredAt: string;
  event?: EventBody;
  /** The full identity, sent only to subscribers configured with `fullIdentifiers` (docs/events.md). */
  identity?: { id: string; name: string };
  callback?: Callback;
}

/** The outbox entries of a committed change: its events, then the callback it owes the workflow. */
export function outboxOf(after: ApplicationRecord, events: EventBody[], auditSeq: number, callback?: Callback): OutboxEntry[] {
  const full = applicantOf(after, true);
  const entries: OutboxEntry[] = events.map((event) => ({ id: event.eventId, applicationId: after.applicationId, seq: event.seq, occurredAt: event.occurredAt, event, identity: { id: full.id, name: full.name } }));
  if (callback) {
    entries.push({ id: `cbk_${sha256Hex(`${after.applicationId}#${auditSeq}`).slice(0, 24)}`, applicationId: after.applicationId, seq: after.eventSeq ?? 0, occurredAt: events[0]?.occurredAt ?? new Date(0).toISOString(), callback });
  }
  return entries;
}

/** How long the events are kept for catch-up reading (SPEC: at least 180 days). */
export const EVENT_RETENTION_DAYS = 190;
