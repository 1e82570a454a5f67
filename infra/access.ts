import { API_FUNCTIONS, EVENT_FUNCTIONS, FLOW_FUNCTIONS, SCHEDULED_FUNCTIONS } from '../shared/http/routes.ts';
import type { TableSpec } from '../shared/adapters/aws/tables.ts';

/** Every Lambda function of a city, by its folder under functions/. */
export const FUNCTION_NAMES = [...API_FUNCTIONS, ...Object.values(FLOW_FUNCTIONS), ...SCHEDULED_FUNCTIONS, ...EVENT_FUNCTIONS] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type TableId = TableSpec['id'];
/**
 * How a function uses a table:
 * - `RO`: reads (GetItem, BatchGetItem, Query, Scan, ConditionCheckItem);
 * - `RW`: reads and writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem);
 * - `APPEND`: PutItem only, the only write the audit trail takes (each event is put on the
 *   condition that its sequence number is free; IAM cannot require the condition, the hash
 *   chain shows any overwrite). No UpdateItem, no DeleteItem;
 * - `RO+APPEND`: both.
 * - `ADD`: UpdateItem only, the statistics buckets' write (an ADD of counts inside the
 *   transaction that changes an application).
 * Writes inside TransactWriteItems are authorized item by item with these same actions.
 */
export type TableMode = 'RO' | 'RW' | 'APPEND' | 'RO+APPEND' | 'ADD';
export type BucketId = 'materials' | 'licenses';
/** Objects under the bucket's prefix (`materials/`, `licenses/`): read, put, or delete (a version too: for good). */
export type BucketMode = 'READ' | 'PUT' | 'DELETE';
/** What a function may do with the seal key: the key policy names the function's role for it. */
export type SealAction = 'kms:Sign' | 'kms:GetPublicKey';
/**
 * What a function may do with the city's flows. StartExecution on the state machines,
 * StopExecution and RedriveExecution on their executions. SendTaskSuccess cannot be narrowed to
 * the city's state machines: Step Functions authorizes it on the activity's ARN or the task
 * token (developer guide, "Creating granular permissions for non-admin users"), a callback token
 * of a Lambda task names no resource IAM can match, and the action has no condition key; the
 * task token is the capability. So it is on `*`, given to one function only, deliver-events, which
 * sends the tokens of the callbacks committed changes put in the outbox, never one from a request.
 */
export type FlowAction = 'states:StartExecution' | 'states:StopExecution' | 'states:RedriveExecution' | 'states:SendTaskSuccess';

export interface FunctionAccess {
  tables: Partial<Record<TableId, TableMode>>;
  buckets?: Partial<Record<BucketId, BucketMode[]>>;
  seal?: SealAction[];
  flows?: FlowAction[];
  /** The EMS secret (webhook secrets, API credentials) and the EMS endpoint. */
  ems?: boolean;
  /**
   * Events (SPEC rule 15), bound by the events construct (infra/constructs/events.ts): `enqueue`
   * puts on the city's bus and sends to the delivery queues; `deliver` consumes them, with the
   * subscribers' secrets.
   */
  events?: 'enqueue' | 'deliver';
}

/**
 * What each function reads and writes: the one declaration that sets both its environment
 * (a table's or bucket's name reaches only the functions bound to it) and its grants. Read off
 * the use cases each handler calls; a use case that starts touching something new needs its
 * line here, or it meets AccessDenied on AWS (the embedded mode has no IAM).
 *
 * Every function reads the Calendar table (the published years) through `ready()`: that
 * binding is added to each entry below, except where the function writes the calendar.
 */
const DECLARED: Record<FunctionName, FunctionAccess> = {
  // GET /v1/health, /v1/openapi.json: the clock and the calendar only.
  health: { tables: {} },
  // The published catalogue ships with the code.
  catalog: { tables: {} },
  // Public verification: the license record and its PDF, checked against the seal's public key.
  'verify-license': { tables: { Licenses: 'RO' }, buckets: { licenses: ['READ'] }, seal: ['kms:GetPublicKey'] },
  // An upload slot: the record and a presigned PUT (signed with this function's credentials).
  uploads: { tables: { Uploads: 'RW' }, buckets: { materials: ['PUT'] } },
  // Intake: checks the uploads' bytes, refuses (and counts, and audits) blacklisted subjects, creates the application with its trail, takes the uploads, starts the flow.
  'submit-application': {
    tables: { Applications: 'RW', Audit: 'RO+APPEND', Uploads: 'RW', Counters: 'RW', Blacklist: 'RW', Outbox: 'APPEND', Stats: 'ADD' },
    buckets: { materials: ['READ'] },
    flows: ['states:StartExecution'],
  },
  'read-applications': { tables: { Applications: 'RO', Audit: 'RO' } },
  // The correction: checks the new uploads, takes them, completes the correction task (its callback goes through the outbox).
  'correct-application': {
    tables: { Applications: 'RW', Audit: 'RO+APPEND', Uploads: 'RW', Tasks: 'RW', Outbox: 'APPEND', Stats: 'ADD' },
    buckets: { materials: ['READ'] },
  },
  // Withdrawal cancels the open tasks; the execution's stop goes through the outbox.
  'withdraw-application': { tables: { Applications: 'RW', Audit: 'RO+APPEND', Tasks: 'RW', Outbox: 'APPEND', Stats: 'ADD' } },
  'list-tasks': { tables: { Tasks: 'RO' } },
  // An officer's outcome: the task, the application, its trail and the callback (in the outbox) in one transaction.
  'complete-task': { tables: { Tasks: 'RW', Applications: 'RW', Audit: 'APPEND', Outbox: 'APPEND', Stats: 'ADD' } },
  'get-license': { tables: { Licenses: 'RO', Applications: 'RO' }, buckets: { licenses: ['READ'] } },
  'license-seal': { tables: { Licenses: 'RO', Applications: 'RO' } },
  'seal-keys': { tables: {}, seal: ['kms:GetPublicKey'] },
  // The blacklist keeps its own trail in the audit table.
  blacklist: { tables: { Blacklist: 'RW', Audit: 'RO+APPEND' } },
  // Suspend, resume, extend: the open tasks' due times move with the application's.
  'application-clock': { tables: { Applications: 'RW', Audit: 'RO+APPEND', Tasks: 'RW', Outbox: 'APPEND', Stats: 'ADD' } },
  // A rating of 1 or 2 opens a follow-up case.
  'evaluate-application': { tables: { Applications: 'RW', Audit: 'RO+APPEND', Cases: 'RW', Outbox: 'APPEND', Stats: 'ADD' } },
  'read-audit': { tables: { Applications: 'RO', Audit: 'RO' } },
  supervision: { tables: { Tasks: 'RO', Cases: 'RO', Applications: 'RO', Counters: 'RO', Stats: 'RO' } },
  // The public webhook: finds the shipment by waybill, moves it along, and on delivery completes the delivery task and its callback.
  'ems-webhook': { tables: { Applications: 'RW', Audit: 'APPEND', Tasks: 'RW', Outbox: 'APPEND', Stats: 'ADD' }, ems: true },
  'record-pickup': { tables: { Applications: 'RW', Audit: 'RO+APPEND', Tasks: 'RW', Outbox: 'APPEND', Stats: 'ADD' } },
  'revoke-license': { tables: { Licenses: 'RW', Applications: 'RW', Audit: 'APPEND', Outbox: 'APPEND', Stats: 'ADD' } },
  'redrive-flow': { tables: { Applications: 'RW', Audit: 'RO+APPEND', Outbox: 'APPEND', Stats: 'ADD' }, flows: ['states:RedriveExecution'] },
  // Publishing a year: its schedule with its trail, then every open deadline that reaches it recomputed.
  calendar: { tables: { Calendar: 'RW', Audit: 'APPEND', Applications: 'RW', Tasks: 'RW', Outbox: 'APPEND', Stats: 'ADD' } },
  // Lights, cases and deemed acceptance (which completes the acceptance task; its callback goes through the outbox).
  'supervision-scan': { tables: { Tasks: 'RW', Applications: 'RW', Audit: 'APPEND', Cases: 'RW', Outbox: 'APPEND', Stats: 'ADD' } },
  // The daily sweep of uploads no application took: the only function that deletes a material.
  'sweep-uploads': { tables: { Uploads: 'RW' }, buckets: { materials: ['READ', 'DELETE'] } },
  // A failed flow: the application marked, its open tasks closed, a supervision case opened.
  'record-failure': { tables: { Applications: 'RW', Audit: 'APPEND', Tasks: 'RW', Cases: 'RW', Outbox: 'APPEND', Stats: 'ADD' } },
  // The flows' own steps.
  'open-task': { tables: { Tasks: 'RW', Applications: 'RO' } },
  'conclude-joint-review': { tables: { Applications: 'RW', Audit: 'APPEND', Outbox: 'APPEND', Stats: 'ADD' } },
  'seal-licenses': {
    tables: { Applications: 'RW', Audit: 'APPEND', Licenses: 'RW', Counters: 'RW', Outbox: 'APPEND', Stats: 'ADD' },
    // READ: a retry reads the sealed record an earlier run left beside its PDF (and needs a missing one answered 404, not 403).
    buckets: { licenses: ['READ', 'PUT'] },
    // Sign with the active key; GetPublicKey for the SM2 digest's Z_A (shared/adapters/aws/kms-signer.ts).
    seal: ['kms:Sign', 'kms:GetPublicKey'],
  },
  // Events (SPEC rule 15): the feed (platform, supervisor); the admin's dead letters, put back before the relay.
  'read-events': { tables: { Outbox: 'RO' } },
  deliveries: { tables: { Deliveries: 'RW', Outbox: 'RW' } },
  // The relay: the outbox's stream to the bus and the queues; it takes each entry out of the pending index.
  relay: { tables: { Outbox: 'RW' }, events: 'enqueue' },
  // Delivery: signed webhooks and the flows' callbacks (the only functions that tell Step Functions an outcome or stop a flow).
  'deliver-events': { tables: { Outbox: 'RW', Deliveries: 'RW' }, flows: ['states:SendTaskSuccess', 'states:StopExecution'], events: 'deliver' },
  deliver: { tables: { Applications: 'RW', Audit: 'APPEND', Outbox: 'APPEND', Stats: 'ADD' }, ems: true },
};

export const ACCESS: Record<FunctionName, FunctionAccess> = Object.fromEntries(
  Object.entries(DECLARED).map(([name, access]) => [name, { ...access, tables: { Calendar: 'RO', ...access.tables } }]),
) as Record<FunctionName, FunctionAccess>;

/** The flow actions that take the city's state machines (or their executions) as resources, and so need their ARN prefix. */
export const needsMachineArns = (access: FunctionAccess) => (access.flows ?? []).some((a) => a !== 'states:SendTaskSuccess');
