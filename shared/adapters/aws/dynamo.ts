import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ApplicationRecord } from '../../domain/application.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import type { TaskRecord } from '../../domain/task.ts';
import type { RevocationKind } from '../../domain/license.ts';
import {
  blacklistTrailId,
  calendarTrailId,
  ConflictError,
  type CalendarRepository,
  type PublishedYear,
  type AccountabilityCase,
  type BlacklistEntry,
  type BlacklistRepository,
  type CaseRepository,
  type ApplicationChange,
  type ApplicationRepository,
  type Counters,
  type LicenseRecord,
  type LicenseRepository,
  type TaskRepository,
  type UploadRecord,
  type UploadRepository,
  type DeliveryLog,
  type DeliveryRecord,
  type Outbox,
  type OutboxEntry,
  type StoredOutboxEntry,
} from '../../ports.ts';
import type { Config } from '../../config.ts';
import { meter } from './usage.ts';
import { readerFor } from './item-reader.ts';
import { retry } from '../../retry.ts';
import { EVENT_RETENTION_DAYS } from '../../domain/events.ts';
import { statsUpdate } from './stats.ts';
import { deadlinesRunning } from '../../domain/deadlines.ts';

/** DynamoDB adapters of the repositories. Writes that belong together are one transaction. */

export const documentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(meter('dynamodb', new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } });

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
interface Guard {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

async function queryAll<T>(db: DynamoDBDocumentClient, input: ConstructorParameters<typeof QueryCommand>[0]): Promise<T[]> {
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    items.push(...((page.Items ?? []) as T[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** A write guarded by a condition: true if it was made, false if the condition did not hold. */
async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

export class DynamoApplications implements ApplicationRepository {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
    /** Whether a new outbox entry goes into the `byPending` index: only where the relay reads it (the embedded mode; on AWS the stream brings each entry). */
    private readonly outboxMode: { markPending: boolean },
  ) {}

  async get(applicationId: string) {
    return readerFor(this.db).get<ApplicationRecord>(this.cfg.APPLICATIONS_TABLE, { applicationId });
  }

  /** The index holds the keys only (an application's every write would write it again): the applications are read in batches of 100. */
  async listByApplicant(applicantId: string) {
    const keys = await queryAll<Pick<ApplicationRecord, 'applicationId'>>(this.db, {
      TableName: this.cfg.APPLICATIONS_TABLE,
      IndexName: 'byApplicant',
      KeyConditionExpression: 'applicantId = :a',
      ExpressionAttributeValues: { ':a': applicantId },
      ProjectionExpression: 'applicationId',
      ScanIndexForward: false,
    });
    const apps = await Promise.all(keys.map(({ applicationId }) => this.get(applicationId)));
    return apps.filter((app): app is ApplicationRecord => !!app);
  }

  audit(applicationId: string) {
    return queryAll<AuditEvent>(this.db, {
      TableName: this.cfg.AUDIT_TABLE,
      KeyConditionExpression: 'applicationId = :a',
      ExpressionAttributeValues: { ':a': applicationId },
      ConsistentRead: true,
    });
  }

  async applicationIdByWaybill(waybillNo: string) {
    const [hit] = await queryAll<ApplicationRecord>(this.db, {
      TableName: this.cfg.APPLICATIONS_TABLE,
      IndexName: 'byWaybill',
      KeyConditionExpression: 'waybillNo = :w',
      ExpressionAttributeValues: { ':w': waybillNo },
    });
    return hit?.applicationId;
  }

  async create(change: ApplicationChange): Promise<boolean> {
    try {
      await this.write(change, { ConditionExpression: 'attribute_not_exists(applicationId)' });
      return true;
    } catch (e) {
      if (e instanceof ConflictError && e.reasons[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  commit(change: ApplicationChange): Promise<void> {
    return this.write(change, {
      ConditionExpression: '#audit.#seq = :expected',
      ExpressionAttributeNames: { '#audit': 'audit', '#seq': 'seq' },
      ExpressionAttributeValues: { ':expected': change.expectedSeq },
    });
  }

  /** The ids of the applications whose own deadlines still run, from the sparse keys-only `byRunningDeadlines` index. */
  async withRunningDeadlines() {
    const keys = await queryAll<{ applicationId: string }>(this.db, {
      TableName: this.cfg.APPLICATIONS_TABLE,
      IndexName: 'byRunningDeadlines',
      KeyConditionExpression: 'deadlines = :r',
      ExpressionAttributeValues: { ':r': RUNNING },
    });
    return keys.map((k) => k.applicationId);
  }

  private async write(change: ApplicationChange, guard: Guard): Promise<void> {
    const items: TransactItem[] = [{ Put: { TableName: this.cfg.APPLICATIONS_TABLE, Item: stored(change.next), ...guard } }, ...auditPuts(this.cfg.AUDIT_TABLE, change.events)];
    if (change.completeTask) {
      const { taskId, by, at, outcome } = change.completeTask;
      items.push({
        Update: {
          TableName: this.cfg.TASKS_TABLE,
          Key: { taskId },
          UpdateExpression: 'SET #status = :done, outcome = :outcome, completedBy = :by, completedAt = :at REMOVE inbox, #watch, watchAt, light',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status', '#watch': 'watch' },
          ExpressionAttributeValues: { ':done': 'completed', ':open': 'open', ':outcome': outcome, ':by': by, ':at': at },
        },
      });
    }
    for (const uploadId of change.takeUploads ?? []) {
      items.push({
        Update: {
          TableName: this.cfg.UPLOADS_TABLE,
          Key: { uploadId },
          UpdateExpression: 'SET usedBy = :app REMOVE #ttl, unusedUntil, openBy',
          ConditionExpression: 'attribute_exists(uploadId) AND (attribute_not_exists(usedBy) OR usedBy = :app)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':app': change.next.applicationId },
        },
      });
    }
    if (change.cancelTasks?.length) {
      for (const taskId of change.cancelTasks) {
        items.push({
          Update: {
            TableName: this.cfg.TASKS_TABLE,
            Key: { taskId },
            UpdateExpression: 'SET #status = :cancelled REMOVE inbox, #watch, watchAt, light',
            ConditionExpression: '#status = :open',
            ExpressionAttributeNames: { '#status': 'status', '#watch': 'watch' },
            ExpressionAttributeValues: { ':cancelled': 'cancelled', ':open': 'open' },
          },
        });
      }
    }
    for (const { taskId, dueAt, watchAt, dueCalendar } of change.retimeTasks ?? []) {
      const set = ['dueAt = :due', ...(dueCalendar ? ['dueCalendar = :cal'] : []), ...(watchAt ? ['#watch = :open', 'watchAt = :watchAt'] : [])].join(', ');
      items.push({
        Update: {
          TableName: this.cfg.TASKS_TABLE,
          Key: { taskId },
          UpdateExpression: watchAt ? `SET ${set} REMOVE light` : `SET ${set} REMOVE #watch, watchAt, light`,
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status', '#watch': 'watch' },
          ExpressionAttributeValues: { ':due': dueAt, ':open': 'open', ...(watchAt ? { ':watchAt': watchAt } : {}), ...(dueCalendar ? { ':cal': dueCalendar } : {}) },
        },
      });
    }
    if (change.stats) items.push(statsUpdate(this.cfg.STATS_TABLE, change.stats));
    // The outbox's positions are stamped on each attempt: a conflict retried for over a second
    // would otherwise commit events behind a feed cursor already handed out (listEvents' SETTLE_MS).
    await transact(this.db, () => [...items, ...outboxPuts(this.cfg.OUTBOX_TABLE, change.outbox ?? [], this.outboxMode.markPending)], change.next.applicationId);
  }
}

const RUNNING = 'running';

/**
 * An application as stored: with `deadlines: 'running'` while one of its own deadlines runs (the
 * sparse `byRunningDeadlines` index), without it otherwise. Derived here on every write, from the
 * application itself, so that no use case can forget it (and an application read and written back
 * does not carry it on after its deadlines end).
 */
function stored(app: ApplicationRecord): Record<string, unknown> {
  const { deadlines: _, ...rest } = app as ApplicationRecord & { deadlines?: string };
  return deadlinesRunning(app) ? { ...rest, deadlines: RUNNING } : rest;
}

/**
 * The outbox entries of a change (SPEC rule 15), each put once: in the events feed if it is an
 * event, kept for EVENT_RETENTION_DAYS (TTL), and pending where the relay reads the pending
 * index (on AWS it would be an index write and a settling write per entry that nothing reads).
 * The position orders the feed in commit order: the time of the write, then the application and
 * its sequence.
 */
function outboxPuts(table: string, entries: OutboxEntry[], markPending: boolean): TransactItem[] {
  const now = new Date();
  const ttl = Math.floor(now.getTime() / 1000) + EVENT_RETENTION_DAYS * 86_400;
  return entries.map((entry) => ({
    Put: {
      TableName: table,
      Item: { ...entry, position: `${now.toISOString()}#${entry.applicationId}#${String(entry.seq).padStart(9, '0')}#${entry.id}`, ...(markPending ? { pending: '1' } : {}), ...(entry.event ? { feed: 'events' } : {}), ttl },
      ConditionExpression: 'attribute_not_exists(id)',
    },
  }));
}

/**
 * Writes items as one transaction. A TransactionConflict only says another transaction held
 * one of the items for a moment: try again shortly; a failed condition is a real conflict and
 * goes to the caller as a ConflictError.
 */
async function transact(db: DynamoDBDocumentClient, items: TransactItem[] | (() => TransactItem[]), subject: string): Promise<void> {
  await retry({ attempts: 9, retryable: isTransient, backoffMs: (attempt) => 20 + Math.random() * 40 * attempt }, async () => {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: typeof items === 'function' ? items() : items }));
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const reasons = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      throw new ConflictError(`${subject} changed meanwhile (${reasons.join(',')})`, reasons);
    }
  });
}

/** A cancellation without a failed condition: another transaction held an item for a moment. */
const isTransient = (e: unknown) => e instanceof ConflictError && !e.reasons.includes('ConditionalCheckFailed');

/** The audit events of a change, each written only if its sequence number is still free. */
const auditPuts = (table: string, events: AuditEvent[]): TransactItem[] =>
  events.map((event) => ({ Put: { TableName: table, Item: event, ConditionExpression: 'attribute_not_exists(seq)' } }));

export class DynamoTasks implements TaskRepository {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  async open(task: TaskRecord) {
    // Opening a task twice (a retried flow step) opens it once.
    await conditionalWrite(this.db.send(new PutCommand({ TableName: this.cfg.TASKS_TABLE, Item: { ...task, inbox: `${task.dept}#${task.rank}` }, ConditionExpression: 'attribute_not_exists(taskId)' })));
  }

  async get(taskId: string) {
    return readerFor(this.db).get<TaskRecord>(this.cfg.TASKS_TABLE, { taskId });
  }

  listOpen(dept: string, rank: string) {
    return queryAll<TaskRecord>(this.db, {
      TableName: this.cfg.TASKS_TABLE,
      IndexName: 'byInbox',
      KeyConditionExpression: 'inbox = :i',
      ExpressionAttributeValues: { ':i': `${dept}#${rank}` },
    });
  }

  watchDue(now: string) {
    return queryAll<TaskRecord>(this.db, {
      TableName: this.cfg.TASKS_TABLE,
      IndexName: 'byWatch',
      KeyConditionExpression: '#watch = :open AND watchAt <= :now',
      ExpressionAttributeNames: { '#watch': 'watch' },
      ExpressionAttributeValues: { ':open': 'open', ':now': now },
    });
  }

  setLight(taskId: string, light: 'yellow' | 'red', watchAt: string | null) {
    return conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.cfg.TASKS_TABLE,
          Key: { taskId },
          UpdateExpression: watchAt ? 'SET light = :light, watchAt = :watchAt' : 'SET light = :light REMOVE #watch, watchAt',
          ConditionExpression: '#status = :open AND (attribute_not_exists(light) OR light <> :light)',
          ExpressionAttributeNames: { '#status': 'status', ...(watchAt ? {} : { '#watch': 'watch' }) },
          ExpressionAttributeValues: { ':open': 'open', ':light': light, ...(watchAt ? { ':watchAt': watchAt } : {}) },
        }),
      ),
    );
  }

  async watchAgain(taskId: string, watchAt: string) {
    await conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.cfg.TASKS_TABLE,
          Key: { taskId },
          UpdateExpression: 'SET #watch = :open, watchAt = :watchAt',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status', '#watch': 'watch' },
          ExpressionAttributeValues: { ':open': 'open', ':watchAt': watchAt },
        }),
      ),
    );
  }

  listLit(light: 'yellow' | 'red') {
    return queryAll<TaskRecord>(this.db, {
      TableName: this.cfg.TASKS_TABLE,
      IndexName: 'byLight',
      KeyConditionExpression: 'light = :l',
      ExpressionAttributeValues: { ':l': light },
    });
  }

  async openForApplication(applicationId: string) {
    const tasks = await queryAll<TaskRecord>(this.db, {
      TableName: this.cfg.TASKS_TABLE,
      IndexName: 'byApplication',
      KeyConditionExpression: 'applicationId = :a',
      ExpressionAttributeValues: { ':a': applicationId },
    });
    return tasks.filter((t) => t.status === 'open');
  }
}

export class DynamoUploads implements UploadRepository {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  async put(upload: UploadRecord) {
    await this.db.send(new PutCommand({ TableName: this.cfg.UPLOADS_TABLE, Item: upload, ConditionExpression: 'attribute_not_exists(uploadId)' }));
  }

  async get(uploadId: string) {
    return readerFor(this.db).get<UploadRecord>(this.cfg.UPLOADS_TABLE, { uploadId });
  }

  unusedUntil(day: string) {
    return queryAll<UploadRecord>(this.db, {
      TableName: this.cfg.UPLOADS_TABLE,
      IndexName: 'unusedByDay',
      KeyConditionExpression: 'unusedUntil = :day',
      ExpressionAttributeValues: { ':day': day },
    });
  }

  forget(uploadId: string) {
    return conditionalWrite(this.db.send(new DeleteCommand({ TableName: this.cfg.UPLOADS_TABLE, Key: { uploadId }, ConditionExpression: 'attribute_exists(unusedUntil)' })));
  }

  /** Counts on the sparse `openByOwner` index (only unused uploads carry `openBy`), one page of at most `atMost` keys. */
  async countOpen(owner: string, now: string, atMost: number) {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.cfg.UPLOADS_TABLE,
        IndexName: 'openByOwner',
        KeyConditionExpression: 'openBy = :owner AND expiresAt > :now',
        ExpressionAttributeValues: { ':owner': owner, ':now': now },
        Select: 'COUNT',
        Limit: atMost,
      }),
    );
    return out.Count ?? 0;
  }
}

/** A transaction holds at most 100 items: 50 licenses, each with its identifier's item. */
const LICENSES_PER_TRANSACTION = 50;

/**
 * Sealed licenses, by license number. Each license's 证照标识 is a second item of the same table
 * (`{licenseNo: <identifier>, identifierOf: <licenseNo>}`), written in the same transaction: a
 * lookup by identifier is as consistent as one by number, and no two licenses can ever share an
 * identifier.
 */
export class DynamoLicenses implements LicenseRepository {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  /** A license's two items, each written only where nothing is yet. */
  private itemsOf(record: LicenseRecord): TransactItem[] {
    const table = this.cfg.LICENSES_TABLE;
    const items: TransactItem[] = [{ Put: { TableName: table, Item: record, ConditionExpression: 'attribute_not_exists(licenseNo)' } }];
    if (record.identifier) items.push({ Put: { TableName: table, Item: { licenseNo: record.identifier, identifierOf: record.licenseNo }, ConditionExpression: 'attribute_not_exists(licenseNo)' } });
    return items;
  }

  async put(record: LicenseRecord) {
    try {
      await transact(this.db, this.itemsOf(record), record.licenseNo);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      // A sealed license is never overwritten: a retry that finds it already there, under its identifier, is done.
      const stored = await this.get(record.licenseNo);
      const alias = record.identifier ? await readerFor(this.db).get<{ identifierOf?: string }>(this.cfg.LICENSES_TABLE, { licenseNo: record.identifier }) : undefined;
      if (stored && stored.identifier === record.identifier && (!record.identifier || alias?.identifierOf === record.licenseNo)) return;
      throw e;
    }
  }

  /**
   * A batch in one round trip: a transaction takes up to 100 items, so 50 licenses with their
   * identifiers go together (more in several transactions at once). A transaction refused because
   * some of its licenses are there already (a retry racing another run) stores each on its own, as `put`.
   */
  async putAll(records: LicenseRecord[]) {
    const chunks = Array.from({ length: Math.ceil(records.length / LICENSES_PER_TRANSACTION) }, (_, i) => records.slice(i * LICENSES_PER_TRANSACTION, (i + 1) * LICENSES_PER_TRANSACTION));
    await Promise.all(
      chunks.map(async (chunk) => {
        if (chunk.length === 1) return this.put(chunk[0]);
        try {
          await transact(this.db, chunk.flatMap((r) => this.itemsOf(r)), `licenses ${chunk[0].licenseNo}…`);
        } catch (e) {
          if (!(e instanceof ConflictError)) throw e;
          await Promise.all(chunk.map((r) => this.put(r)));
        }
      }),
    );
  }

  async get(licenseNo: string) {
    const item = await readerFor(this.db).get<LicenseRecord & { identifierOf?: string }>(this.cfg.LICENSES_TABLE, { licenseNo });
    // An identifier's item points at its license; it is not one.
    return item && !item.identifierOf ? item : undefined;
  }

  async getByIdentifier(identifier: string) {
    const alias = await readerFor(this.db).get<{ identifierOf?: string }>(this.cfg.LICENSES_TABLE, { licenseNo: identifier });
    return alias?.identifierOf ? this.get(alias.identifierOf) : undefined;
  }

  revoke(licenseNo: string, revocation: { at: string; reason: string; legalBasis: string; by: string; kind: RevocationKind }) {
    return conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.cfg.LICENSES_TABLE,
          Key: { licenseNo },
          UpdateExpression: 'SET revokedAt = :at, revocation = :r',
          ConditionExpression: 'attribute_exists(licenseNo) AND attribute_not_exists(identifierOf) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': revocation.at, ':r': { reason: revocation.reason, legalBasis: revocation.legalBasis, by: revocation.by, kind: revocation.kind } },
        }),
      ),
    );
  }
}

export class DynamoCounters implements Counters {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  async reserve(name: string, count = 1) {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.cfg.COUNTERS_TABLE,
        Key: { name },
        UpdateExpression: 'ADD #v :n',
        ExpressionAttributeNames: { '#v': 'value' },
        ExpressionAttributeValues: { ':n': count },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return (out.Attributes!.value as number) - count + 1;
  }

  async sum(names: string[]) {
    // Read side by side, the counters travel in BatchGetItems of 100 (the item reader).
    const counters = await Promise.all(names.map((name) => readerFor(this.db).get<{ value?: number }>(this.cfg.COUNTERS_TABLE, { name })));
    return counters.reduce((total, c) => total + Number(c?.value ?? 0), 0);
  }
}

/** An audit trail of its own (keyed by its trail id in the audit table), oldest first. */
const readTrail = (db: DynamoDBDocumentClient, auditTable: string, trailId: string) =>
  queryAll<AuditEvent>(db, { TableName: auditTable, KeyConditionExpression: 'applicationId = :a', ExpressionAttributeValues: { ':a': trailId }, ConsistentRead: true });

/**
 * Writes an item that heads its own audit trail, with the trail's new events, in one transaction
 * guarded by the trail's sequence: 0 for a first write (no item heading a trail yet), else the
 * sequence the change was computed from, so that of two writers one wins.
 */
function putWithTrail(db: DynamoDBDocumentClient, cfg: Config, table: string, change: { next: object; expectedSeq: number; events: AuditEvent[] }, subject: string) {
  const guard =
    change.expectedSeq === 0
      ? { ConditionExpression: 'attribute_not_exists(audit)' }
      : { ConditionExpression: '#audit.#seq = :expected', ExpressionAttributeNames: { '#audit': 'audit', '#seq': 'seq' }, ExpressionAttributeValues: { ':expected': change.expectedSeq } };
  return transact(db, [{ Put: { TableName: table, Item: change.next as Record<string, unknown>, ...guard } }, ...auditPuts(cfg.AUDIT_TABLE, change.events)], subject);
}

/**
 * The blacklist (失信黑名单): one entry per subject, its own audit trail (keyed `blacklist#<id>`
 * in the audit table) for every listing, removal and blocked attempt.
 */
export class DynamoBlacklist implements BlacklistRepository {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  async get(subjectId: string) {
    return readerFor(this.db).get<BlacklistEntry>(this.cfg.BLACKLIST_TABLE, { subjectId });
  }

  trail(subjectId: string) {
    return readTrail(this.db, this.cfg.AUDIT_TABLE, blacklistTrailId(subjectId));
  }

  commit(change: { next: BlacklistEntry; expectedSeq: number; events: AuditEvent[] }) {
    return putWithTrail(this.db, this.cfg, this.cfg.BLACKLIST_TABLE, change, change.next.subjectId);
  }
}

export class DynamoCalendar implements CalendarRepository {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  async published() {
    const out: PublishedYear[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.cfg.CALENDAR_TABLE, ConsistentRead: true, ExclusiveStartKey }));
      out.push(...((page.Items ?? []) as PublishedYear[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out.sort((a, b) => a.year - b.year);
  }

  get(year: number) {
    return readerFor(this.db).get<PublishedYear>(this.cfg.CALENDAR_TABLE, { year });
  }

  trail(year: number) {
    return readTrail(this.db, this.cfg.AUDIT_TABLE, calendarTrailId(year));
  }

  commit(change: { next: PublishedYear; expectedSeq: number; events: AuditEvent[] }) {
    return putWithTrail(this.db, this.cfg, this.cfg.CALENDAR_TABLE, change, calendarTrailId(change.next.year));
  }
}

export class DynamoCases implements CaseRepository {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  open(c: AccountabilityCase) {
    return conditionalWrite(this.db.send(new PutCommand({ TableName: this.cfg.CASES_TABLE, Item: c, ConditionExpression: 'attribute_not_exists(caseId)' })));
  }

  list(status: 'open' | 'closed') {
    return queryAll<AccountabilityCase>(this.db, {
      TableName: this.cfg.CASES_TABLE,
      IndexName: 'byStatus',
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status },
      ScanIndexForward: false,
    });
  }
}

/** The outbox (SPEC rule 15): the relay reads the sparse `byPending` index, the events feed `byFeed`. */
export class DynamoOutbox implements Outbox {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  async pending(limit: number) {
    const items: StoredOutboxEntry[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.cfg.OUTBOX_TABLE, IndexName: 'byPending', KeyConditionExpression: 'pending = :p', ExpressionAttributeValues: { ':p': '1' }, Limit: limit - items.length, ExclusiveStartKey }),
      );
      items.push(...((page.Items ?? []) as StoredOutboxEntry[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && items.length < limit);
    return items;
  }

  get(id: string) {
    return readerFor(this.db).get<StoredOutboxEntry>(this.cfg.OUTBOX_TABLE, { id });
  }

  async settle(id: string, result?: string, retriedFor?: string[]) {
    // An admin's retry appends to retryFor: one appended after the relay read the entry makes it longer.
    const served = retriedFor?.length ? { condition: 'size(retryFor) = :n', values: { ':n': retriedFor.length } } : { condition: 'attribute_not_exists(retryFor)', values: {} };
    const values = { ...served.values, ...(result ? { ':r': result } : {}) };
    // Gone (past its retention), or retried again meanwhile: the later retry's turn settles it.
    await conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.cfg.OUTBOX_TABLE,
          Key: { id },
          UpdateExpression: result ? 'SET #result = :r REMOVE pending, retryFor, nextAttemptAt' : 'REMOVE pending, retryFor, nextAttemptAt',
          ConditionExpression: `attribute_exists(id) AND ${served.condition}`,
          ...(result ? { ExpressionAttributeNames: { '#result': 'result' } } : {}),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
  }

  async defer(id: string, attempts: number, at: string, error: string) {
    await conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.cfg.OUTBOX_TABLE,
          Key: { id },
          UpdateExpression: 'SET attempts = :n, nextAttemptAt = :at, lastError = :e',
          ConditionExpression: 'attribute_exists(pending)',
          ExpressionAttributeValues: { ':n': attempts, ':at': at, ':e': error.slice(0, 300) },
        }),
      ),
    );
  }

  async feed(after: string | undefined, before: string, limit: number) {
    // A cursor at or past the settled horizon has nothing after it yet; DynamoDB refuses a BETWEEN
    // whose lower bound is above its upper one (ValidationException, a 500 for a forged cursor).
    if (after && after >= before) return [];
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.cfg.OUTBOX_TABLE,
        IndexName: 'byFeed',
        KeyConditionExpression: after ? 'feed = :f AND #pos BETWEEN :after AND :before' : 'feed = :f AND #pos < :before',
        ExpressionAttributeNames: { '#pos': 'position' },
        ExpressionAttributeValues: { ':f': 'events', ':before': before, ...(after ? { ':after': after } : {}) },
        Limit: limit + 1,
      }),
    );
    // BETWEEN includes the cursor's own event: it was read before.
    return ((page.Items ?? []) as StoredOutboxEntry[]).filter((e) => e.position !== after && e.position < before).slice(0, limit);
  }
}

/** Each event's delivery to each subscriber; the dead letters in the sparse `byDead` index. Kept as long as the events. */
export class DynamoDeliveries implements DeliveryLog {
  constructor(
    private readonly cfg: Config,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  async get(deliveryId: string) {
    const item = await readerFor(this.db).get<DeliveryRecord & { dead?: string; ttl?: number }>(this.cfg.DELIVERIES_TABLE, { deliveryId });
    if (!item) return undefined;
    const { dead: _d, ttl: _t, ...record } = item;
    return record;
  }

  async put(record: DeliveryRecord) {
    const ttl = Math.floor(Date.now() / 1000) + EVENT_RETENTION_DAYS * 86_400;
    await this.db.send(new PutCommand({ TableName: this.cfg.DELIVERIES_TABLE, Item: { ...record, ...(record.status === 'dead' ? { dead: 'dead' } : {}), ttl } }));
  }

  async retryDead(record: DeliveryRecord) {
    const ttl = Math.floor(Date.now() / 1000) + EVENT_RETENTION_DAYS * 86_400;
    try {
      await transact(
        this.db,
        [
          // The claim: of two admins retrying one dead letter at once, one writes; the other's condition fails.
          { Put: { TableName: this.cfg.DELIVERIES_TABLE, Item: { ...record, ttl }, ConditionExpression: '#status = :dead', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':dead': 'dead' } } },
          {
            Update: {
              TableName: this.cfg.OUTBOX_TABLE,
              Key: { id: record.eventId },
              // Appended, not replaced: a retry for another subscriber of the same event, not yet relayed, stays.
              UpdateExpression: 'SET pending = :p, retryFor = list_append(if_not_exists(retryFor, :none), :s)',
              ConditionExpression: 'attribute_exists(id)',
              ExpressionAttributeValues: { ':p': '1', ':none': [], ':s': [record.subscriber] },
            },
          },
        ],
        record.deliveryId,
      );
      return 'retried' as const;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      if (e.reasons[0] === 'ConditionalCheckFailed') return 'not-dead' as const;
      if (e.reasons[1] === 'ConditionalCheckFailed') return 'event-gone' as const;
      throw e;
    }
  }

  async dead(limit: number) {
    const page = await this.db.send(
      new QueryCommand({ TableName: this.cfg.DELIVERIES_TABLE, IndexName: 'byDead', KeyConditionExpression: 'dead = :d', ExpressionAttributeValues: { ':d': 'dead' }, ScanIndexForward: false, Limit: limit }),
    );
    return ((page.Items ?? []) as (DeliveryRecord & { dead?: string; ttl?: number })[]).map(({ dead: _d, ttl: _t, ...r }) => r);
  }
}
