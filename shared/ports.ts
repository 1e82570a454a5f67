import type { ApplicationRecord } from './domain/application.ts';
import type { StatCounts } from './domain/stats.ts';
import type { AuditEvent, ChainHead } from './domain/audit.ts';
import type { TaskRecord } from './domain/task.ts';
import type { LicenseData, RevocationKind } from './domain/license.ts';
import type { FlowKind } from './domain/catalog.ts';
import type { OutboxEntry } from './domain/events.ts';

/**
 * Ports: the small interfaces the use cases need from the outside world. Adapters for AWS
 * live in adapters/aws (the same code runs against the embedded endpoints); tests of the
 * domain may pass fakes.
 */

export interface Clock {
  now(): Date;
}

export interface UploadRecord {
  uploadId: string;
  owner: string;
  key: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
  expiresAt: string;
  /** While no application has taken the upload: the China date it expires (the sweep's index). */
  unusedUntil?: string;
  /** Time-to-live in epoch seconds, a backstop behind the sweep. Removed once taken. */
  ttl?: number;
  /** While no application has taken the upload: its owner (the open-slots index). */
  openBy?: string;
  usedBy?: string;
}

export interface LicenseRecord {
  licenseNo: string;
  /** 证照标识 (GB/T 36904); absent only on licenses sealed before it was introduced. */
  identifier?: string;
  applicationId: string;
  holderId: string;
  data: LicenseData;
  pdfKey: string;
  pdfSha256: string;
  /**
   * The seal: `signedData` is the exact UTF-8 string that was signed (absent on early licenses,
   * where it is `sealDigestInput(data, pdfSha256)`), `value` the base64 DER signature over it.
   */
  signature: { algorithm: string; keyId: string; digest: string; value: string; signedData?: string };
  issuedAt: string;
  expiresAt: string | null;
  revokedAt?: string | null;
  /** How the license was ended; `kind` absent on early revocations, which were all 撤销 (revoke). */
  revocation?: { reason: string; legalBasis: string; by: string; kind?: RevocationKind };
}

/** A change to an application, its new audit events, and the task it completes, written as one. */
export interface ApplicationChange {
  next: ApplicationRecord;
  /** The audit sequence the change was computed from; another writer in between → conflict. */
  expectedSeq: number;
  events: AuditEvent[];
  completeTask?: { taskId: string; by: string; at: string; outcome: unknown };
  /** Uploads this change takes for the application; each may be taken once. */
  takeUploads?: string[];
  /** Open tasks this change cancels (a withdrawal). */
  cancelTasks?: string[];
  /** Open tasks whose due time moves (resumption, extension); watchAt null pauses their watch. */
  retimeTasks?: { taskId: string; dueAt: string; watchAt: string | null; dueCalendar?: 'official' | 'provisional' }[];
  /** The change's events and callback (SPEC rule 15), written to the outbox in the same transaction. */
  outbox?: OutboxEntry[];
  /** What the change adds to the statistics bucket of the application (usecases/stats.ts); written in the same transaction. */
  stats?: StatsChange;
}

/** Counts to add to one statistics bucket (department and item, China day of submission). */
export interface StatsChange { scope: string; day: string; add: Partial<StatCounts> }

/** The statistics buckets (domain/stats.ts). */
export interface StatsRepository {
  /** The buckets of these scopes from one China day to another (both included), each with its day. */
  read(scopes: string[], fromDay: string, toDay: string): Promise<{ scope: string; day: string; counts: Partial<StatCounts> }[]>;
}

export interface AccountabilityCase {
  caseId: string;
  kind: 'overdue' | 'evaluation' | 'flow-failed';
  status: 'open' | 'closed';
  applicationId: string;
  applicationNo: string;
  itemCode: string;
  dept: string;
  step?: string;
  rank?: string;
  taskId?: string;
  dueAt?: string;
  openedAt: string;
  detail: string;
}

export interface CaseRepository {
  /** Opens a case; opening the same case id again changes nothing and answers false. */
  open(c: AccountabilityCase): Promise<boolean>;
  list(status: 'open' | 'closed'): Promise<AccountabilityCase[]>;
}

export interface BlacklistEntry {
  subjectId: string;
  reason: string;
  source: string;
  until?: string;
  active: boolean;
  addedBy: string;
  addedAt: string;
  removedAt?: string;
  /** Attempts refused at intake since the subject was first listed. */
  blockedCount: number;
  audit: ChainHead;
}

export const blacklistTrailId = (subjectId: string) => `blacklist#${subjectId}`;

export interface BlacklistRepository {
  get(subjectId: string): Promise<BlacklistEntry | undefined>;
  trail(subjectId: string): Promise<AuditEvent[]>;
  /** Writes the entry and its audit events, guarded by the trail's sequence (0: a new entry). */
  commit(change: { next: BlacklistEntry; expectedSeq: number; events: AuditEvent[] }): Promise<void>;
}

/** A year's official holiday schedule as an admin published it, with its audit trail's head. */
export interface PublishedYear {
  year: number;
  holidays: string[];
  workdays: string[];
  source: string;
  publishedBy: string;
  publishedAt: string;
  audit: ChainHead;
}

export const calendarTrailId = (year: number) => `calendar#${year}`;

export interface CalendarRepository {
  /** Every published year. A few dozen small items at most: read whole. */
  published(): Promise<PublishedYear[]>;
  get(year: number): Promise<PublishedYear | undefined>;
  trail(year: number): Promise<AuditEvent[]>;
  /** Writes the year and its audit events, guarded by the trail's sequence (0: a first publication). */
  commit(change: { next: PublishedYear; expectedSeq: number; events: AuditEvent[] }): Promise<void>;
}

export class ConflictError extends Error {
  /** Per written item, why the write was cancelled (DynamoDB's cancellation reason codes). */
  readonly reasons: string[];
  constructor(message: string, reasons: string[] = []) {
    super(message);
    this.name = 'ConflictError';
    this.reasons = reasons;
  }
}

export interface ApplicationRepository {
  get(applicationId: string): Promise<ApplicationRecord | undefined>;
  listByApplicant(applicantId: string): Promise<ApplicationRecord[]>;
  /** The ids of the applications one of whose own deadlines still runs (domain/deadlines.ts deadlinesRunning): what a published calendar may move. */
  withRunningDeadlines(): Promise<string[]>;
  /** The application an EMS waybill belongs to (its id: read the application itself for its state). */
  applicationIdByWaybill(waybillNo: string): Promise<string | undefined>;
  /** Creates the application with its first audit event; false when it already exists. */
  create(change: ApplicationChange): Promise<boolean>;
  /** Writes a change guarded by the audit sequence; throws ConflictError when it lost a race. */
  commit(change: ApplicationChange): Promise<void>;
  audit(applicationId: string): Promise<AuditEvent[]>;
}

export interface TaskRepository {
  /** Stores a new open task; storing the same task again changes nothing. */
  open(task: TaskRecord): Promise<void>;
  get(taskId: string): Promise<TaskRecord | undefined>;
  listOpen(dept: string, rank: string): Promise<TaskRecord[]>;
  openForApplication(applicationId: string): Promise<TaskRecord[]>;
  /** Open, running tasks whose light may have changed by `now`: the supervision scan's only read. */
  watchDue(now: string): Promise<TaskRecord[]>;
  /** Records a new light on an open task and when to look again (null: not before it is done). False if it was already so. */
  setLight(taskId: string, light: 'yellow' | 'red', watchAt: string | null): Promise<boolean>;
  /** Puts an open task back in the scan's index (a step the scan could not finish is looked at again). */
  watchAgain(taskId: string, watchAt: string): Promise<void>;
  listLit(light: 'yellow' | 'red'): Promise<TaskRecord[]>;
}

export interface UploadRepository {
  put(upload: UploadRecord): Promise<void>;
  get(uploadId: string): Promise<UploadRecord | undefined>;
  /** The uploads still unused that expire on a China date (YYYY-MM-DD). */
  unusedUntil(day: string): Promise<UploadRecord[]>;
  /** Removes an upload's record if it is still unused; false if an application took it meanwhile. */
  forget(uploadId: string): Promise<boolean>;
  /** How many of an owner's uploads are still open (unused, expiring after `now`), counting no further than `atMost`. */
  countOpen(owner: string, now: string, atMost: number): Promise<number>;
}

export interface LicenseRepository {
  /** Stores a sealed license, and its identifier as a second key; storing it again changes nothing. */
  put(record: LicenseRecord): Promise<void>;
  /** Stores sealed licenses as `put` does each, in as few writes as the store allows. */
  putAll(records: LicenseRecord[]): Promise<void>;
  get(licenseNo: string): Promise<LicenseRecord | undefined>;
  /** The license with this 证照标识, read as consistently as `get`. */
  getByIdentifier(identifier: string): Promise<LicenseRecord | undefined>;
  /** Marks a license revoked (撤销, 注销 or 吊销 by `kind`); false if it already was. Nothing is ever deleted. */
  revoke(licenseNo: string, revocation: { at: string; reason: string; legalBasis: string; by: string; kind: RevocationKind }): Promise<boolean>;
}

export interface Counters {
  /** Reserves `count` consecutive numbers of a named sequence and returns the first. */
  reserve(name: string, count?: number): Promise<number>;
  /** The sum of named counters (a missing one counts 0). */
  sum(names: string[]): Promise<number>;
}

/** What intake needs to know of a stored object, read as a stream and never held whole. */
export interface ObjectDigest {
  /** Bytes read: the whole size, or `limit + 1` when the object is larger than the limit (reading stopped there). */
  size: number;
  /** SHA-256 (hex) of the whole object; meaningless when `size` exceeds the limit. */
  sha256: string;
  /** The first bytes (up to 64 KiB), from which the format is recognised. */
  head: Uint8Array;
  /** The S3 object version read (a versioned bucket), to be recorded and read by from then on. */
  versionId?: string;
}

export interface ObjectStore {
  /**
   * A URL to PUT one object, bound to its content: the signed headers the client must send make
   * S3 refuse a body of another size or SHA-256, and refuse a second PUT to the same key
   * (`If-None-Match: *`).
   */
  presignPut(key: string, contentType: string, size: number, sha256Hex: string, expiresInSeconds: number): Promise<{ url: string; headers: Record<string, string> }>;
  presignGet(key: string, expiresInSeconds: number, fileName?: string): Promise<string>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Streams the object (a given version of it) through SHA-256, reading at most `limit + 1` bytes; undefined when there is none. */
  digest(key: string, limit: number, versionId?: string): Promise<ObjectDigest | undefined>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Deletes these objects (an absent one is no error). */
  deleteAll(keys: string[]): Promise<void>;
}

export interface Workflow {
  start(flow: FlowKind, name: string, input: Record<string, unknown>): Promise<string>;
  sendSuccess(taskToken: string, output: unknown): Promise<void>;
  /** Restarts a failed flow from the state that failed (RedriveExecution); throws a 409 DomainError when it cannot be. */
  redrive(flow: FlowKind, name: string): Promise<void>;
  /** Stops the flow of an application (a withdrawal); stopping a stopped flow is harmless. */
  stop(flow: FlowKind, name: string, cause: string): Promise<void>;
}

export type { SealAlgorithm, Signer } from './domain/signer.ts';

/** The courier (EMS 政务专递): creates a waybill for a parcel of sealed licenses. Creating it twice for one application gives one waybill. */
export interface Courier {
  createWaybill(input: { applicationId: string; applicationNo: string; recipient: string; phone: string; address: string; contents: string[] }): Promise<{ waybillNo: string }>;
}

export type { OutboxEntry } from './domain/events.ts';

/** An outbox entry as stored: its place in commit order, and the relay's bookkeeping. */
export interface StoredOutboxEntry extends OutboxEntry {
  /** Commit order across applications: the commit's time, the application, its sequence. */
  position: string;
  /** Set while the relay still owes the entry to someone (sparse: the embedded relay's only read); on AWS, where the stream brings new entries, only on an admin's retry. */
  pending?: string;
  /** A callback's failed attempts so far, and when to try again; on an event, set once a delivery of it failed (its deliveries are then read before the next attempt). */
  attempts?: number;
  nextAttemptAt?: string;
  /** What came of a callback: `sent`, or Step Functions' final answer (`TaskTimedOut`, `InvalidToken`, …). */
  result?: string;
  /** An admin's retry: the subscribers to deliver the event to again. */
  retryFor?: string[];
}

/** The outbox (SPEC rule 15): written by the application's transactions, read by the relay and the events feed. */
export interface Outbox {
  /** Entries the relay still owes, in commit order. */
  pending(limit: number): Promise<StoredOutboxEntry[]>;
  get(id: string): Promise<StoredOutboxEntry | undefined>;
  /**
   * Done with the entry: out of the pending index, with what came of it. `retriedFor` is the
   * `retryFor` the relay read and served (none for an entry no admin retried): the entry is
   * settled only if no other retry was added to it meanwhile, else it stays pending for that one
   * (settling it would drop a retry the admin was told went through). Also nothing when the
   * entry is gone (past its retention).
   */
  settle(id: string, result?: string, retriedFor?: string[]): Promise<void>;
  /** A callback Step Functions did not answer: tried again from `at`. */
  defer(id: string, attempts: number, at: string, error: string): Promise<void>;
  /** The events committed after `after` (a position; from the start without it) and before `before`, in commit order. */
  feed(after: string | undefined, before: string, limit: number): Promise<StoredOutboxEntry[]>;
}

/** One event's delivery to one subscriber. */
export interface DeliveryRecord {
  deliveryId: string;
  subscriber: string;
  eventId: string;
  applicationId: string;
  seq: number;
  type: string;
  status: 'delivered' | 'failing' | 'dead';
  attempts: number;
  updatedAt: string;
  lastError?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
}

export interface DeliveryLog {
  get(deliveryId: string): Promise<DeliveryRecord | undefined>;
  put(record: DeliveryRecord): Promise<void>;
  /**
   * An admin's retry of a dead letter, in one write: the delivery becomes `record` (failing, its
   * attempts from the start) only if it is still dead, and its event goes back before the relay
   * for its subscriber (added to the subscribers the event is already retried for). `not-dead`:
   * another retry claimed it first (or it is no dead letter); `event-gone`: the event is past its
   * retention. Either way nothing is written.
   */
  retryDead(record: DeliveryRecord): Promise<'retried' | 'not-dead' | 'event-gone'>;
  /** The dead letters, the latest first. */
  dead(limit: number): Promise<DeliveryRecord[]>;
}

/** A city's subscriber to the events (the provincial platform, the license library…). */
export interface Subscriber {
  id: string;
  url: string;
  /** `*`, types (`license.issued`) or families (`license.*`). */
  types: string[];
  /** Whether the payloads name the applicant in full (docs/events.md). */
  fullIdentifiers: boolean;
  secret(): Promise<string>;
}

/** Posts a webhook; answers the HTTP status (a network failure throws). */
export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: string): Promise<number>;
}

/** The city's EventBridge bus, for AWS-side consumers of the events. */
export interface EventBus {
  publish(events: import('./domain/events.ts').EventBody[]): Promise<void>;
}

/**
 * The delivery queues (AWS: SQS FIFO, one per subscriber and one for the callbacks, grouped by
 * application so that each application's entries go in order).
 */
export interface DeliveryQueues {
  /** Queues an outbox entry for a destination (a subscriber's id, or `callbacks`); the same dedup id within 5 minutes queues it once. */
  enqueue(destination: string, entry: { id: string; applicationId: string }, dedupId: string): Promise<void>;
  /** Which destination a queue (by its ARN) serves. */
  destinationOf(queueArn: string): string | undefined;
  /** Holds a received message back for `seconds` (its next attempt), keeping its group waiting behind it. */
  delay(queueArn: string, receiptHandle: string, seconds: number): Promise<void>;
}
