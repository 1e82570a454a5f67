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

export function resetUsage() {
  usage.calls = {};
  usage.ms = {};
  usage.readUnits = 0;
  usage.writeUnits = 0;
}

type Capacity = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

type Args = { input: unknown };
type Next = (args: Args) => Promise<{ output: unknown }>;
/** The part of an AWS SDK v3 client this needs: its middleware stack. */
interface Metered {
  middlewareStack: { add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void };
}

export function meter<C>(service: string, client: C): C {
  if (process.env.ONESEAL_USAGE !== '1') return client;
  (client as unknown as Metered).middlewareStack.add(
    (next, context) => async (args) => {
      const op = `${service}:${String(context.commandName).replace(/Command$/, '')}`;
      usage.calls[op] = (usage.calls[op] ?? 0) + 1;
      const input = args.input as Record<string, unknown>;
      if (service === 'dynamodb' && input && typeof input === 'object') input.ReturnConsumedCapacity = 'TOTAL';
      const started = performance.now();
      const out = await next(args);
      usage.ms[op] = (usage.ms[op] ?? 0) + performance.now() - started;
      if (service === 'dynamodb') {
        const consumed = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          usage.readUnits += c.ReadCapacityUnits ?? 0;
          usage.writeUnits += c.WriteCapacityUnits ?? 0;
          // Some operations report only the total; reads and writes are then told apart by the operation.
          if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined && c.CapacityUnits !== undefined) {
            if (/Get|Query|Scan/.test(op)) usage.readUnits += c.CapacityUnits;
            else usage.writeUnits += c.CapacityUnits;
          }
        }
      }
      return out;
    },
    { step: 'initialize', name: 'onesealUsage' },
  );
  return client;
}
