import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { Deps } from '../../shared/deps.ts';
import type { ApplicationRecord } from '../../shared/domain/application.ts';
import type { AuditEvent } from '../../shared/domain/audit.ts';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { deadlinesRunning } from '../../shared/domain/deadlines.ts';
import type { FlowKind } from '../../shared/domain/catalog.ts';
import type { StatCount, StatCounts } from '../../shared/domain/stats.ts';
import type { TaskRecord } from '../../shared/domain/task.ts';
import { catalogFor } from '../../shared/catalog/index.ts';
import { SealKeyring } from '../../shared/domain/keyring.ts';
import {
  ConflictError,
  type AccountabilityCase,
  type ApplicationChange,
  type StatsChange,
  type StatsRepository,
  type ApplicationRepository,
  type BlacklistEntry,
  type BlacklistRepository,
  type CalendarRepository,
  type CaseRepository,
  type Clock,
  type Counters,
  type Courier,
  type LicenseRecord,
  type LicenseRepository,
  type ObjectStore,
  type PublishedYear,
  type SealAlgorithm,
  type Signer,
  type TaskRepository,
  type UploadRecord,
  type UploadRepository,
  type Workflow,
  type DeliveryLog,
  type DeliveryRecord,
  type Outbox,
  type StoredOutboxEntry,
  type OutboxEntry,
  type WebhookSender,
} from '../../shared/ports.ts';

/**
 * In-memory fakes of the ports, for use-case unit tests that run in milliseconds. Each one
 * keeps the promises its DynamoDB adapter keeps (shared/adapters/aws/dynamo.ts): a commit
 * guarded by the audit sequence, the task, upload and retiming writes of the same transaction
 * applied all or nothing, sparse indexes (inbox, watch, light) set and removed as the
 * adapter's update expressions do. Everything read is a copy: a use case that changes what it
 * read changes nothing stored.
 */

const copy = <T>(value: T): T => structuredClone(value);

/** A clock that stands still until a test moves it. */
export class FakeClock implements Clock {
  private at: number;
  constructor(iso: string) {
    this.at = Date.parse(iso);
  }
  now = () => new Date(this.at);
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** DynamoDB's cancellation reasons: one per written item, the failed ones 'ConditionalCheckFailed'. */
function cancelled(subject: string, failed: boolean[]): ConflictError {
  const reasons = failed.map((f) => (f ? 'ConditionalCheckFailed' : 'None'));
  return new ConflictError(`${subject} changed meanwhile (${reasons.join(',')})`, reasons);
}

type StoredTask = TaskRecord & { inbox?: string };

export class MemoryTasks implements TaskRepository {
  readonly items = new Map<string, StoredTask>();

  async open(task: TaskRecord) {
    if (this.items.has(task.taskId)) return; // opening the same task twice opens it once
    this.items.set(task.taskId, { ...copy(task), inbox: `${task.dept}#${task.rank}` });
  }

  async get(taskId: string) {
    const t = this.items.get(taskId);
    return t && copy(t);
  }

  /** The byInbox index: only open tasks carry an inbox. */
  async listOpen(dept: string, rank: string) {
    return this.sorted((t) => t.inbox === `${dept}#${rank}`, 'dueAt');
  }

  async openForApplication(applicationId: string) {
    return this.sorted((t) => t.applicationId === applicationId && t.status === 'open', 'openedAt');
  }

  /** The byWatch index: `watch` set and watchAt <= now, in watchAt order. */
  async watchDue(now: string) {
    return this.sorted((t) => t.watch === 'open' && !!t.watchAt && t.watchAt <= now, 'watchAt');
  }

  async setLight(taskId: string, light: 'yellow' | 'red', watchAt: string | null) {
    const t = this.items.get(taskId);
    if (!t || t.status !== 'open' || t.light === light) return false;
    t.light = light;
    if (watchAt) t.watchAt = watchAt;
    else {
      delete t.watch;
      delete t.watchAt;
    }
    return true;
  }

  async watchAgain(taskId: string, watchAt: string) {
    const t = this.items.get(taskId);
    if (!t || t.status !== 'open') return;
    t.watch = 'open';
    t.watchAt = watchAt;
  }

  async listLit(light: 'yellow' | 'red') {
    return this.sorted((t) => t.light === light, 'dueAt');
  }

  /** Every task, whatever its status (for assertions). */
  all(): TaskRecord[] {
    return [...this.items.values()].map(copy);
  }

  private sorted(keep: (t: StoredTask) => boolean, by: 'dueAt' | 'openedAt' | 'watchAt') {
    return [...this.items.values()]
      .filter(keep)
      .sort((a, b) => (a[by] ?? '').localeCompare(b[by] ?? ''))
      .map(copy);
  }
}

export class MemoryUploads implements UploadRepository {
  readonly items = new Map<string, UploadRecord>();

  async put(upload: UploadRecord) {
    if (this.items.has(upload.uploadId)) throw new Error(`ConditionalCheckFailedException: upload ${upload.uploadId} exists`);
    this.items.set(upload.uploadId, copy(upload));
  }

  async get(uploadId: string) {
    const u = this.items.get(uploadId);
    return u && copy(u);
  }

  async unusedUntil(day: string) {
    return [...this.items.values()].filter((u) => u.unusedUntil === day).map(copy);
  }

  async forget(uploadId: string) {
    const u = this.items.get(uploadId);
    if (!u || u.unusedUntil === undefined) return false;
    this.items.delete(uploadId);
    return true;
  }

  async countOpen(owner: string, now: string, atMost: number) {
    return Math.min(atMost, [...this.items.values()].filter((u) => u.openBy === owner && u.expiresAt > now).length);
  }
}

/** The statistics buckets, in memory: counts by scope and day, added to as DynamoDB's ADD does. */
export class MemoryStats implements StatsRepository {
  readonly buckets = new Map<string, Partial<StatCounts>>();

  add(change: StatsChange) {
    const key = `${change.scope}|${change.day}`;
    const counts = { ...this.buckets.get(key) };
    for (const [k, v] of Object.entries(change.add) as [StatCount, number][]) counts[k] = (counts[k] ?? 0) + v;
    this.buckets.set(key, counts);
  }

  async read(scopes: string[], fromDay: string, toDay: string) {
    return [...this.buckets]
      .map(([key, counts]) => ({ scope: key.split('|')[0], day: key.split('|')[1], counts: { ...counts } }))
      .filter((b) => scopes.includes(b.scope) && b.day >= fromDay && b.day <= toDay);
  }
}

export class MemoryApplications implements ApplicationRepository {
  readonly items = new Map<string, ApplicationRecord>();
  /** The audit table: events by trail id, in sequence order. */
  readonly events = new Map<string, AuditEvent[]>();
  /** Every change written, in order (create and commit). */
  readonly written: ApplicationChange[] = [];

  constructor(
    private readonly tasks: MemoryTasks,
    private readonly uploads: MemoryUploads,
    private readonly outbox: MemoryOutbox = new MemoryOutbox(),
    readonly stats: MemoryStats = new MemoryStats(),
  ) {}

  async get(applicationId: string) {
    const a = this.items.get(applicationId);
    return a && copy(a);
  }

  async listByApplicant(applicantId: string) {
    return [...this.items.values()].filter((a) => a.applicantId === applicantId).sort((a, b) => b.submittedAt.localeCompare(a.submittedAt)).map(copy);
  }

  async withRunningDeadlines() {
    return [...this.items.values()].filter(deadlinesRunning).map((a) => a.applicationId);
  }

  async applicationIdByWaybill(waybillNo: string) {
    return [...this.items.values()].find((a) => a.waybillNo === waybillNo)?.applicationId;
  }

  async audit(applicationId: string) {
    return (this.events.get(applicationId) ?? []).map(copy);
  }

  async create(change: ApplicationChange) {
    try {
      this.write(change, (current) => current === undefined);
      return true;
    } catch (e) {
      if (e instanceof ConflictError && e.reasons[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  async commit(change: ApplicationChange) {
    this.write(change, (current) => current?.audit.seq === change.expectedSeq);
  }

  /** Every condition of the transaction is checked first; then all of it is written, or nothing. */
  private write(change: ApplicationChange, guard: (current: ApplicationRecord | undefined) => boolean) {
    const id = change.next.applicationId;
    const task = (taskId: string) => this.tasks.items.get(taskId);
    const open = (taskId: string) => task(taskId)?.status === 'open';
    const failed = [
      !guard(this.items.get(id)),
      ...change.events.map((e) => (this.events.get(e.applicationId) ?? []).some((x) => x.seq === e.seq)),
      ...(change.completeTask ? [!open(change.completeTask.taskId)] : []),
      ...(change.takeUploads ?? []).map((u) => {
        const upload = this.uploads.items.get(u);
        return !upload || (upload.usedBy !== undefined && upload.usedBy !== id);
      }),
      ...(change.cancelTasks ?? []).map((t) => !open(t)),
      ...(change.retimeTasks ?? []).map((r) => !open(r.taskId)),
      ...(change.outbox ?? []).map((e) => this.outbox.items.has(e.id)),
    ];
    if (failed.some(Boolean)) throw cancelled(id, failed);

    this.items.set(id, copy(change.next));
    this.outbox.add(change.outbox ?? []);
    for (const e of change.events) this.events.set(e.applicationId, [...(this.events.get(e.applicationId) ?? []), copy(e)].sort((a, b) => a.seq - b.seq));
    const closeTask = (t: StoredTask) => {
      delete t.inbox;
      delete t.watch;
      delete t.watchAt;
      delete t.light;
    };
    if (change.completeTask) {
      const { taskId, by, at, outcome } = change.completeTask;
      const t = task(taskId)!;
      Object.assign(t, { status: 'completed', outcome: copy(outcome), completedBy: by, completedAt: at });
      closeTask(t);
    }
    if (change.stats) this.stats.add(change.stats);
    for (const u of change.takeUploads ?? []) {
      const upload = this.uploads.items.get(u)!;
      upload.usedBy = id;
      delete upload.ttl;
      delete upload.openBy;
      delete upload.unusedUntil;
    }
    for (const taskId of change.cancelTasks ?? []) {
      const t = task(taskId)!;
      t.status = 'cancelled';
      closeTask(t);
    }
    for (const { taskId, dueAt, watchAt, dueCalendar } of change.retimeTasks ?? []) {
      const t = task(taskId)!;
      t.dueAt = dueAt;
      if (dueCalendar) t.dueCalendar = dueCalendar;
      delete t.light;
      if (watchAt) Object.assign(t, { watch: 'open', watchAt });
      else {
        delete t.watch;
        delete t.watchAt;
      }
    }
    this.written.push(copy(change));
  }
}

export class MemoryCases implements CaseRepository {
  readonly items = new Map<string, AccountabilityCase>();

  async open(c: AccountabilityCase) {
    if (this.items.has(c.caseId)) return false;
    this.items.set(c.caseId, copy(c));
    return true;
  }

  /** The byStatus index, newest first. */
  async list(status: 'open' | 'closed') {
    return [...this.items.values()].filter((c) => c.status === status).sort((a, b) => b.openedAt.localeCompare(a.openedAt)).map(copy);
  }
}

/** A trail guarded by its sequence: 0 for a first write, the head's seq after. */
abstract class GuardedTrails<T extends { audit: { seq: number } }> {
  readonly items = new Map<string | number, T>();
  readonly events = new Map<string, AuditEvent[]>();

  protected guardedWrite(key: string | number, change: { next: T; expectedSeq: number; events: AuditEvent[] }) {
    const current = this.items.get(key);
    const ok = change.expectedSeq === 0 ? current === undefined : current?.audit.seq === change.expectedSeq;
    const clash = change.events.map((e) => (this.events.get(e.applicationId) ?? []).some((x) => x.seq === e.seq));
    if (!ok || clash.some(Boolean)) throw cancelled(String(key), [!ok, ...clash]);
    this.items.set(key, copy(change.next));
    for (const e of change.events) this.events.set(e.applicationId, [...(this.events.get(e.applicationId) ?? []), copy(e)]);
  }
}

export class MemoryCalendars extends GuardedTrails<PublishedYear> implements CalendarRepository {
  async published() {
    return [...this.items.values()].sort((a, b) => a.year - b.year).map(copy);
  }
  async get(year: number) {
    const y = this.items.get(year);
    return y && copy(y);
  }
  async trail(year: number) {
    return (this.events.get(`calendar#${year}`) ?? []).map(copy);
  }
  async commit(change: { next: PublishedYear; expectedSeq: number; events: AuditEvent[] }) {
    this.guardedWrite(change.next.year, change);
  }
}

export class MemoryBlacklist extends GuardedTrails<BlacklistEntry> implements BlacklistRepository {
  async get(subjectId: string) {
    const e = this.items.get(subjectId);
    return e && copy(e);
  }
  async trail(subjectId: string) {
    return (this.events.get(`blacklist#${subjectId}`) ?? []).map(copy);
  }
  async commit(change: { next: BlacklistEntry; expectedSeq: number; events: AuditEvent[] }) {
    this.guardedWrite(change.next.subjectId, change);
  }
}

export class MemoryLicenses implements LicenseRepository {
  readonly items = new Map<string, LicenseRecord>();
  async put(record: LicenseRecord) {
    if (!this.items.has(record.licenseNo)) this.items.set(record.licenseNo, copy(record)); // never overwritten
  }
  async putAll(records: LicenseRecord[]) {
    for (const r of records) await this.put(r);
  }
  async get(licenseNo: string) {
    const l = this.items.get(licenseNo);
    return l && copy(l);
  }
  async getByIdentifier(identifier: string) {
    const l = [...this.items.values()].find((x) => x.identifier === identifier);
    return l && copy(l);
  }
  async revoke(licenseNo: string, r: { at: string; reason: string; legalBasis: string; by: string }) {
    const l = this.items.get(licenseNo);
    if (!l || l.revokedAt) return false;
    Object.assign(l, { revokedAt: r.at, revocation: { reason: r.reason, legalBasis: r.legalBasis, by: r.by } });
    return true;
  }
}

export class MemoryCounters implements Counters {
  readonly values = new Map<string, number>();
  async reserve(name: string, count = 1) {
    const value = (this.values.get(name) ?? 0) + count;
    this.values.set(name, value);
    return value - count + 1;
  }
  async sum(names: string[]) {
    return names.reduce((total, n) => total + (this.values.get(n) ?? 0), 0);
  }
}

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string }>();
  constructor(private readonly bucket: string) {}
  async presignPut(key: string, contentType: string, size: number, sha256Hex: string, expiresInSeconds: number) {
    return {
      url: `memory://${this.bucket}/${key}?put&expires=${expiresInSeconds}`,
      headers: { 'content-type': contentType, 'content-length': String(size), 'if-none-match': '*', 'x-amz-checksum-sha256': Buffer.from(sha256Hex, 'hex').toString('base64') },
    };
  }
  async digest(key: string, limit: number) {
    const o = this.objects.get(key);
    if (!o) return undefined;
    if (o.body.length > limit) return { size: limit + 1, sha256: '', head: o.body.slice(0, 65536) };
    return { size: o.body.length, sha256: createHash('sha256').update(o.body).digest('hex'), head: o.body.slice(0, 65536) };
  }
  async presignGet(key: string, expiresInSeconds: number) {
    return `memory://${this.bucket}/${key}?expires=${expiresInSeconds}`;
  }
  async get(key: string) {
    const o = this.objects.get(key);
    return o && new Uint8Array(o.body);
  }
  async put(key: string, body: Uint8Array, contentType: string) {
    this.objects.set(key, { body: new Uint8Array(body), contentType });
  }
  async deleteAll(keys: string[]) {
    for (const k of keys) this.objects.delete(k);
  }
}

export type WorkflowCall =
  | { kind: 'start'; flow: FlowKind; name: string; input: Record<string, unknown> }
  | { kind: 'success'; taskToken: string; output: unknown }
  | { kind: 'failure'; taskToken: string; error: string; cause: string }
  | { kind: 'redrive'; flow: FlowKind; name: string }
  | { kind: 'stop'; flow: FlowKind; name: string; cause: string };

/** The workflow port, recording every call. `refuseRedrive` makes the next redrives throw it. */
export class RecordingWorkflow implements Workflow {
  readonly calls: WorkflowCall[] = [];
  refuseRedrive?: Error;

  async start(flow: FlowKind, name: string, input: Record<string, unknown>) {
    this.calls.push({ kind: 'start', flow, name, input: copy(input) });
    return `arn:aws:states:local:000000000000:execution:oneseal-${flow}:${name}`;
  }
  async sendSuccess(taskToken: string, output: unknown) {
    this.calls.push({ kind: 'success', taskToken, output: copy(output) });
  }
  async sendFailure(taskToken: string, error: string, cause: string) {
    this.calls.push({ kind: 'failure', taskToken, error, cause });
  }
  async redrive(flow: FlowKind, name: string) {
    this.calls.push({ kind: 'redrive', flow, name });
    if (this.refuseRedrive) throw this.refuseRedrive;
  }
  async stop(flow: FlowKind, name: string, cause: string) {
    this.calls.push({ kind: 'stop', flow, name, cause });
  }

  /** The outputs sent back for a task token, in order. */
  successes(taskToken?: string) {
    return this.calls.filter((c): c is Extract<WorkflowCall, { kind: 'success' }> => c.kind === 'success' && (!taskToken || c.taskToken === taskToken));
  }
}

/** An ECDSA P-256 seal held in memory (the local file signer's algorithm, without the file). */
export class MemorySigner implements Signer {
  readonly algorithm: SealAlgorithm = 'ECDSA_P256_SHA256';
  readonly keyId: string;
  readonly signed: Uint8Array[] = [];
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  constructor() {
    this.keyId = `test:${createHash('sha256').update(this.keys.publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)}`;
  }
  async sign(message: Uint8Array) {
    this.signed.push(new Uint8Array(message));
    return sign('sha256', message, { key: this.keys.privateKey, dsaEncoding: 'der' });
  }
  async verify(message: Uint8Array, signature: Uint8Array) {
    return verify('sha256', message, { key: this.keys.publicKey, dsaEncoding: 'der' }, signature);
  }
  async publicKeyPem() {
    return this.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}

export class RecordingCourier implements Courier {
  readonly waybills = new Map<string, string>();
  async createWaybill(input: { applicationId: string }) {
    let waybillNo = this.waybills.get(input.applicationId);
    if (!waybillNo) this.waybills.set(input.applicationId, (waybillNo = `EMS${String(this.waybills.size + 1).padStart(10, '0')}`));
    return { waybillNo };
  }
}

/**
 * The outbox in memory, kept in commit order. With `relayTo`, callbacks reach the workflow as
 * they are written (an instant relay: unit tests of the use cases look at what the flow was told).
 */
export class MemoryOutbox implements Outbox {
  readonly items = new Map<string, StoredOutboxEntry>();
  relayTo?: Workflow;
  private n = 0;

  add(entries: OutboxEntry[]) {
    for (const e of entries) {
      this.items.set(e.id, { ...copy(e), position: `${String(++this.n).padStart(20, '0')}#${e.applicationId}#${String(e.seq).padStart(9, '0')}#${e.id}`, pending: '1' });
      const cb = e.callback;
      if (this.relayTo && cb) void (cb.kind === 'success' ? this.relayTo.sendSuccess(cb.taskToken, copy(cb.output)) : this.relayTo.stop(cb.flow as FlowKind, cb.name, cb.cause));
    }
  }
  /** The events written, in commit order. */
  events() {
    return [...this.items.values()].filter((e) => e.event).map((e) => e.event!);
  }
  async pending(limit: number) {
    return [...this.items.values()].filter((e) => e.pending).sort((a, b) => a.position.localeCompare(b.position)).slice(0, limit).map(copy);
  }
  async get(id: string) {
    const e = this.items.get(id);
    return e && copy(e);
  }
  async settle(id: string, result?: string, retriedFor?: string[]) {
    const e = this.items.get(id);
    // As DynamoOutbox: not when gone, nor when another retry was added after the relay read it.
    if (!e || (e.retryFor?.length ?? 0) !== (retriedFor?.length ?? 0)) return;
    delete e.pending;
    delete e.retryFor;
    delete e.nextAttemptAt;
    if (result) e.result = result;
  }
  async defer(id: string, attempts: number, at: string) {
    const e = this.items.get(id);
    if (e?.pending) Object.assign(e, { attempts, nextAttemptAt: at });
  }
  async feed(after: string | undefined, before: string, limit: number) {
    return [...this.items.values()].filter((e) => e.event && (!after || e.position > after) && e.position < before).sort((a, b) => a.position.localeCompare(b.position)).slice(0, limit).map(copy);
  }
}

export class MemoryDeliveries implements DeliveryLog {
  readonly items = new Map<string, DeliveryRecord>();
  constructor(private readonly outbox: MemoryOutbox = new MemoryOutbox()) {}
  async retryDead(record: DeliveryRecord) {
    if (this.items.get(record.deliveryId)?.status !== 'dead') return 'not-dead' as const;
    const entry = this.outbox.items.get(record.eventId);
    if (!entry) return 'event-gone' as const;
    this.items.set(record.deliveryId, copy(record));
    Object.assign(entry, { pending: '1', retryFor: [...(entry.retryFor ?? []), record.subscriber] });
    return 'retried' as const;
  }
  async get(id: string) {
    const d = this.items.get(id);
    return d && copy(d);
  }
  async put(record: DeliveryRecord) {
    this.items.set(record.deliveryId, copy(record));
  }
  async dead(limit: number) {
    return [...this.items.values()].filter((d) => d.status === 'dead').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, limit).map(copy);
  }
}

/** A webhook client answering from a script of statuses (200 once it runs out), recording each post. */
export class ScriptedWebhooks implements WebhookSender {
  readonly posts: { url: string; headers: Record<string, string>; body: string }[] = [];
  constructor(readonly script: number[] = []) {}
  async post(url: string, headers: Record<string, string>, body: string) {
    this.posts.push({ url, headers, body });
    return this.script.shift() ?? 200;
  }
}

/** Deps whose ports are the fakes above, so that a test can look inside them. */
export interface FakeDeps extends Deps {
  clock: FakeClock;
  applications: MemoryApplications;
  tasks: MemoryTasks;
  uploads: MemoryUploads;
  licenses: MemoryLicenses;
  counters: MemoryCounters;
  blacklist: MemoryBlacklist;
  cases: MemoryCases;
  stats: MemoryStats;
  calendars: MemoryCalendars;
  materials: MemoryObjectStore;
  licenseFiles: MemoryObjectStore;
  workflow: RecordingWorkflow;
  outbox: MemoryOutbox;
  deliveries: MemoryDeliveries;
  webhooks: ScriptedWebhooks;
  signer: MemorySigner;
  courier: RecordingCourier;
}

/** Monday 1 June 2026, 10:00 in Beijing: the day the integration tests run on too. */
export const FAKE_NOW = '2026-06-01T02:00:00Z';

/**
 * A full Deps on the fakes, with the real catalogue of a city (Yinchuan by default) and the
 * real working calendar (the shipped official schedules and the city's overrides).
 */
export function fakeDeps(overrides: Partial<Omit<FakeDeps, 'calendar'>> & { now?: string; city?: string; calendar?: WorkingCalendar } = {}): FakeDeps {
  const { now, city, calendar: initialCalendar, ...rest } = overrides;
  const catalog = rest.catalog ?? catalogFor(city ?? '640100');
  const tasks = rest.tasks ?? new MemoryTasks();
  const uploads = rest.uploads ?? new MemoryUploads();
  const stats = rest.stats ?? new MemoryStats();
  let calendar = initialCalendar ?? new WorkingCalendar({ overrides: catalog.calendar });
  const signer = new MemorySigner();
  const workflow = rest.workflow ?? new RecordingWorkflow();
  const outbox = rest.outbox ?? new MemoryOutbox();
  outbox.relayTo ??= workflow;
  const deps: FakeDeps = {
    clock: new FakeClock(now ?? FAKE_NOW),
    auditHash: 'SHA-256',
    catalog,
    get calendar() {
      return calendar;
    },
    calendars: new MemoryCalendars(),
    adoptCalendar: (c: WorkingCalendar) => {
      calendar = c;
    },
    lightRule: catalog.lightRule,
    applications: new MemoryApplications(tasks, uploads, outbox, stats),
    stats,
    tasks,
    uploads,
    licenses: new MemoryLicenses(),
    counters: new MemoryCounters(),
    blacklist: new MemoryBlacklist(),
    cases: new MemoryCases(),
    materials: new MemoryObjectStore('oneseal-materials'),
    licenseFiles: new MemoryObjectStore('oneseal-licenses'),
    workflow,
    outbox,
    deliveries: new MemoryDeliveries(outbox),
    subscribers: async () => [],
    webhooks: new ScriptedWebhooks(),
    relayPolicy: { baseMs: 1, capMs: 10, maxAttempts: 5 },
    eventBus: { publish: async () => {} },
    queues: { enqueue: async () => {}, destinationOf: () => undefined, delay: async () => {} },
    courier: new RecordingCourier(),
    emsSecrets: async () => ['dev-ems-secret'],
    signer,
    sealKeys: new SealKeyring([{ signer, activeFrom: '2000-01-01T00:00:00Z' }]),
    publicBaseUrl: 'https://zwfw.yinchuan.example',
  };
  // Overridden ports replace the fakes (the calendar getter stays).
  for (const [key, value] of Object.entries(rest)) Object.defineProperty(deps, key, { value, writable: true, enumerable: true, configurable: true });
  return deps;
}
