import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one process asks of AWS, by service and operation, with DynamoDB's own consumed-capacity
 * figures: the benchmark prices an application from these counts. Off unless ONESEAL_USAGE=1.
 */
export interface Usage {
  calls: Record<string, number>;
  /** Milliseconds spent waiting on each operation, summed over its calls (where a request's time goes). */
  ms: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

export const usage: Usage = { calls: {}, ms: {}, readUnits: 0, writeUnits: 0 };

/** One AWS call of one invocation: when it started and ended (performance.now()), what it consumed. */
export interface TracedCall {
  op: string;
  start: number;
  end: number;
  readUnits: number;
  writeUnits: number;
  /** Capacity units by table and index (`Table/index`). */
  units: Record<string, number>;
  /** A transaction's items by table, from the request: DynamoDB Local's capacity for several items of one table in a transaction is not AWS's (it reported 2 WCU for three small updates). */
  items?: Record<string, number>;
}
/** The AWS calls one Lambda invocation made, in the order they started. */
export interface Invocation { fn: string; calls: TracedCall[] }
/** The invocations of this process, when metered (the embedded runtime names each one: local/runtime.ts). */
export const invocationsTraced: Invocation[] = [];
const scope = new AsyncLocalStorage<Invocation>();

/** Runs one invocation of `fn`, its AWS calls recorded apart from every other's (metering only). */
export function traced<T>(fn: string, run: () => Promise<T>): Promise<T> {
  if (process.env.ONESEAL_USAGE !== '1') return run();
  const invocation: Invocation = { fn, calls: [] };
  invocationsTraced.push(invocation);
  return scope.run(invocation, run);
}

/**
 * How many calls an invocation made one after another: the longest chain of calls each started
 * after the one before it had answered (calls made together, as by Promise.all, count once).
 * On AWS each is a network round trip, whatever the emulator's speed.
 */
export function sequentialRoundTrips(calls: TracedCall[], which: (op: string) => boolean = () => true): number {
  const chosen = calls.filter((c) => which(c.op)).sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  chosen.forEach((c, i) => {
    depth[i] = 1 + Math.max(0, ...chosen.slice(0, i).map((p, j) => (p.end <= c.start ? depth[j] : 0)));
  });
  return Math.max(0, ...depth);
}

export function resetUsage() {
  usage.calls = {};
  usage.ms = {};
  usage.readUnits = 0;
  usage.writeUnits = 0;
  invocationsTraced.length = 0;
}

type Units = { CapacityUnits?: number };
type Capacity = { TableName?: string; ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number; Table?: Units; GlobalSecondaryIndexes?: Record<string, Units>; LocalSecondaryIndexes?: Record<string, Units> };

type Args = { input: unknown };
type Next = (args: Args) => Promise<{ output: unknown }>;
/** The part of an AWS SDK v3 client this needs: its middleware stack. */
interface Metered {
  middlewareStack: { add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void };
}

function itemsByTable(transactItems: unknown): Record<string, number> {
  const items: Record<string, number> = {};
  for (const item of (transactItems ?? []) as Record<string, { TableName?: string }>[]) {
    for (const action of Object.values(item)) if (action?.TableName) items[action.TableName] = (items[action.TableName] ?? 0) + 1;
  }
  return items;
}

export function meter<C>(service: string, client: C): C {
  if (process.env.ONESEAL_USAGE !== '1') return client;
  (client as unknown as Metered).middlewareStack.add(
    (next, context) => async (args) => {
      const op = `${service}:${String(context.commandName).replace(/Command$/, '')}`;
      usage.calls[op] = (usage.calls[op] ?? 0) + 1;
      const input = args.input as Record<string, unknown>;
      if (service === 'dynamodb' && input && typeof input === 'object') input.ReturnConsumedCapacity = 'INDEXES'; // the total, and each table's and index's share
      const started = performance.now();
      const out = await next(args);
      const ended = performance.now();
      usage.ms[op] = (usage.ms[op] ?? 0) + ended - started;
      const call: TracedCall = { op, start: started, end: ended, readUnits: 0, writeUnits: 0, units: {} };
      if (op === 'dynamodb:TransactWriteItems') call.items = itemsByTable(input.TransactItems);
      if (service === 'dynamodb') {
        const consumed = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          call.readUnits += c.ReadCapacityUnits ?? 0;
          call.writeUnits += c.WriteCapacityUnits ?? 0;
          // Some operations report only the total; reads and writes are then told apart by the operation.
          if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined && c.CapacityUnits !== undefined) {
            if (/Get|Query|Scan/.test(op)) call.readUnits += c.CapacityUnits;
            else call.writeUnits += c.CapacityUnits;
          }
          const table = c.TableName ?? '?';
          if (c.Table?.CapacityUnits) call.units[table] = (call.units[table] ?? 0) + c.Table.CapacityUnits;
          for (const [index, u] of Object.entries({ ...c.GlobalSecondaryIndexes, ...c.LocalSecondaryIndexes })) if (u.CapacityUnits) call.units[`${table}/${index}`] = (call.units[`${table}/${index}`] ?? 0) + u.CapacityUnits;
        }
        usage.readUnits += call.readUnits;
        usage.writeUnits += call.writeUnits;
      }
      scope.getStore()?.calls.push(call);
      return out;
    },
    { step: 'initialize', name: 'onesealUsage' },
  );
  return client;
}
