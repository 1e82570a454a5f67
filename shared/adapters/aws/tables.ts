/**
 * The DynamoDB tables, as plain data: the CDK data construct and the embedded runtime both
 * create them from this list, so the local tables are the deployed ones.
 */
type TableId = 'Applications' | 'Tasks' | 'Audit' | 'Uploads' | 'Licenses' | 'Counters' | 'Blacklist' | 'Cases' | 'Calendar' | 'Outbox' | 'Deliveries' | 'Stats';
export interface TableSpec {
  /** Logical name, and the table's name in the embedded mode; a deployment's physical name reaches a function through the env variable `env`. */
  id: TableId;
  env: `${Uppercase<TableId>}_TABLE`;
  partitionKey: { name: string; type: 'S' | 'N' };
  sortKey?: { name: string; type: 'S' | 'N' };
  ttl?: string;
  /** A DynamoDB stream of the table's changes (the outbox's feeds the relay on AWS). */
  stream?: 'NEW_AND_OLD_IMAGES';
  indexes: IndexSpec[];
}

/** A global secondary index. */
export interface IndexSpec {
  name: string;
  partitionKey: { name: string; type: 'S' | 'N' };
  sortKey?: { name: string; type: 'S' | 'N' };
  /**
   * What the index holds besides the keys: every attribute unless said (ALL). An index is written
   * on every change to an attribute it holds; KEYS_ONLY, or INCLUDE with a few attributes, is
   * written only when those change (and a read then fetches the rest from the table).
   */
  projection?: { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; attributes: string[] };
}

export const TABLES: TableSpec[] = [
  {
    id: 'Applications',
    env: 'APPLICATIONS_TABLE',
    partitionKey: { name: 'applicationId', type: 'S' },
    indexes: [
      // The indexes of this table hold keys only: an application is written whole at every step
      // (1–2 KB), and an index projecting every attribute was written as often, for as many units.
      // Keys only, an index is written when its keys change: byApplicant once, at submission.
      // The applicant's list then reads the applications themselves, in batches of 100.
      { name: 'byApplicant', partitionKey: { name: 'applicantId', type: 'S' }, sortKey: { name: 'submittedAt', type: 'S' }, projection: { type: 'KEYS_ONLY' } },
      // (No index by city and time: statistics read the Stats table's daily buckets.)
      // Sparse: EMS events find their application by waybill number.
      { name: 'byWaybill', partitionKey: { name: 'waybillNo', type: 'S' }, projection: { type: 'KEYS_ONLY' } },
      // Sparse: `deadlines` is 'running' only while one of the application's own deadlines runs
      // (domain/deadlines.ts deadlinesRunning: the decision's, the license's issue, deferred
      // materials), so a calendar publication finds every application it may move, also one
      // between two steps with no open task. Keys only: the attribute is set once at acceptance
      // and removed once at the end, and no other change of the application writes the index
      // (projecting ALL, every write would write it again); the publication reads each
      // application itself anyway, to amend it.
      { name: 'byRunningDeadlines', partitionKey: { name: 'deadlines', type: 'S' }, projection: { type: 'KEYS_ONLY' } },
    ],
  },
  {
    id: 'Tasks',
    env: 'TASKS_TABLE',
    partitionKey: { name: 'taskId', type: 'S' },
    indexes: [
      // Sparse: `inbox` (dept#rank) is set only while the task is open, so the inbox reads open tasks only.
      { name: 'byInbox', partitionKey: { name: 'inbox', type: 'S' }, sortKey: { name: 'dueAt', type: 'S' } },
      { name: 'byApplication', partitionKey: { name: 'applicationId', type: 'S' }, sortKey: { name: 'openedAt', type: 'S' } },
      // Sparse: `watch` is set while the task is open and its clock runs; `watchAt` is the next
      // moment its light can change. The supervision scan reads only watchAt <= now.
      { name: 'byWatch', partitionKey: { name: 'watch', type: 'S' }, sortKey: { name: 'watchAt', type: 'S' } },
      // Sparse: `light` is set (yellow, red) only on open tasks that are not green.
      { name: 'byLight', partitionKey: { name: 'light', type: 'S' }, sortKey: { name: 'dueAt', type: 'S' } },
    ],
  },
  { id: 'Audit', env: 'AUDIT_TABLE', partitionKey: { name: 'applicationId', type: 'S' }, sortKey: { name: 'seq', type: 'N' }, indexes: [] },
  {
    id: 'Uploads',
    env: 'UPLOADS_TABLE',
    partitionKey: { name: 'uploadId', type: 'S' },
    ttl: 'ttl',
    // Sparse: `unusedUntil` is set only until an application takes the upload, so the sweep reads unused uploads only.
    indexes: [
      { name: 'unusedByDay', partitionKey: { name: 'unusedUntil', type: 'S' }, sortKey: { name: 'uploadId', type: 'S' } },
      // Sparse too: `openBy` (the owner) only while unused, so an applicant's open slots can be counted (at most 50).
      { name: 'openByOwner', partitionKey: { name: 'openBy', type: 'S' }, sortKey: { name: 'expiresAt', type: 'S' } },
    ],
  },
  // Keyed by license number; each license's 证照标识 is a second item pointing at it (identifierOf).
  { id: 'Licenses', env: 'LICENSES_TABLE', partitionKey: { name: 'licenseNo', type: 'S' }, indexes: [] },
  { id: 'Counters', env: 'COUNTERS_TABLE', partitionKey: { name: 'name', type: 'S' }, indexes: [] },
  { id: 'Blacklist', env: 'BLACKLIST_TABLE', partitionKey: { name: 'subjectId', type: 'S' }, indexes: [] },
  // The official yearly holiday schedules an admin published (PUT /v1/calendar/{year}), one item a year.
  { id: 'Calendar', env: 'CALENDAR_TABLE', partitionKey: { name: 'year', type: 'N' }, indexes: [] },
  // Statistics by department and item (scope `dept#itemCode`) and China day of submission: each
  // application change adds to its day's counts in its own transaction (usecases/stats.ts).
  { id: 'Stats', env: 'STATS_TABLE', partitionKey: { name: 'scope', type: 'S' }, sortKey: { name: 'day', type: 'S' }, indexes: [] },
  {
    id: 'Cases',
    env: 'CASES_TABLE',
    partitionKey: { name: 'caseId', type: 'S' },
    indexes: [{ name: 'byStatus', partitionKey: { name: 'status', type: 'S' }, sortKey: { name: 'openedAt', type: 'S' } }],
  },
  {
    // The transactional outbox (SPEC rule 15): events and callbacks, written with the change they come from.
    id: 'Outbox',
    env: 'OUTBOX_TABLE',
    partitionKey: { name: 'id', type: 'S' },
    ttl: 'ttl',
    stream: 'NEW_AND_OLD_IMAGES',
    indexes: [
      // Sparse: `pending` is set until the relay is done with the entry (the embedded relay's read).
      { name: 'byPending', partitionKey: { name: 'pending', type: 'S' }, sortKey: { name: 'position', type: 'S' } },
      // Events only (`feed`), in commit order: GET /v1/events.
      { name: 'byFeed', partitionKey: { name: 'feed', type: 'S' }, sortKey: { name: 'position', type: 'S' } },
    ],
  },
  {
    id: 'Deliveries',
    env: 'DELIVERIES_TABLE',
    partitionKey: { name: 'deliveryId', type: 'S' },
    ttl: 'ttl',
    // Sparse: `dead` is set on dead letters only, for the admin's list.
    indexes: [{ name: 'byDead', partitionKey: { name: 'dead', type: 'S' }, sortKey: { name: 'updatedAt', type: 'S' } }],
  },
];

/** The buckets, by the env variable that names each in a deployment. */
export const BUCKETS = {
  materials: 'MATERIALS_BUCKET',
  licenses: 'LICENSES_BUCKET',
} as const;

/** The buckets' names where no deployment names them: the embedded mode's S3 emulator. */
export const EMBEDDED_BUCKETS: Record<keyof typeof BUCKETS, string> = {
  materials: 'oneseal-materials',
  licenses: 'oneseal-licenses',
};
