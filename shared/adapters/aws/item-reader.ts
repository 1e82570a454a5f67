import DataLoader from 'dataloader';
import { BatchGetCommand, GetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retry } from '../../retry.ts';

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** BatchGetItem takes at most 100 keys a call. */
const MAX_BATCH = 100;
const MAX_ATTEMPTS = 8;

/**
 * Strongly consistent single-item reads. The reads a request makes side by side (an
 * application, its applicant's blacklist entry, its uploads) are issued in the same tick and
 * travel together as one BatchGetItem: one round trip and one call instead of five, for the
 * same read units. A read made on its own stays a GetItem. Nothing is cached: every read sees
 * the table as it is.
 */
export class ItemReader {
  private readonly loader: DataLoader<string, Item | undefined>;

  constructor(private readonly db: DynamoDBDocumentClient) {
    this.loader = new DataLoader((ids) => this.fetch(ids), { cache: false, maxBatchSize: MAX_BATCH });
  }

  /** The item with this key, or undefined. The key's attributes must be given in a fixed order. */
  async get<T>(table: string, key: Key): Promise<T | undefined> {
    return (await this.loader.load(JSON.stringify([table, key]))) as T | undefined;
  }

  private async fetch(ids: readonly string[]): Promise<(Item | undefined)[]> {
    if (ids.length === 1) {
      const [table, key] = JSON.parse(ids[0]) as [string, Key];
      const out = await this.db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
      return [out.Item];
    }
    // BatchGetItem refuses a key given twice; each distinct key is asked once.
    let pending: Record<string, { Keys: Key[]; ConsistentRead: true }> = {};
    const keyNames = new Map<string, string[]>();
    for (const id of new Set(ids)) {
      const [table, key] = JSON.parse(id) as [string, Key];
      (pending[table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
      keyNames.set(table, Object.keys(key));
    }
    const found = new Map<string, Item>();
    // Throttled keys come back unprocessed: those are asked again, with exponential backoff and jitter.
    await retry({ attempts: MAX_ATTEMPTS, retryable: (e) => e instanceof UnprocessedKeys, backoffMs: (attempt) => Math.random() * 25 * 2 ** attempt }, async (attempt) => {
      const out: BatchGetCommandOutput = await this.db.send(new BatchGetCommand({ RequestItems: pending }));
      for (const [table, items] of Object.entries(out.Responses ?? {})) {
        for (const item of items) {
          // An answer is matched to its read by the key attributes the read named, in its order.
          found.set(JSON.stringify([table, Object.fromEntries(keyNames.get(table)!.map((n) => [n, item[n]]))]), item);
        }
      }
      const unprocessed = out.UnprocessedKeys ?? {};
      pending = Object.fromEntries(Object.entries(unprocessed).filter(([, r]) => r.Keys?.length).map(([t, r]) => [t, { Keys: r.Keys as Key[], ConsistentRead: true as const }]));
      const left = Object.values(pending).reduce((n, r) => n + r.Keys.length, 0);
      if (left) throw new UnprocessedKeys(`BatchGetItem: ${left} keys still unprocessed after ${attempt} attempts`);
    });
    return ids.map((id) => found.get(id));
  }
}

class UnprocessedKeys extends Error {}

const readers = new WeakMap<DynamoDBDocumentClient, ItemReader>();
/** One reader per client, so that every repository's reads can travel together. */
export function readerFor(db: DynamoDBDocumentClient): ItemReader {
  let reader = readers.get(db);
  if (!reader) readers.set(db, (reader = new ItemReader(db)));
  return reader;
}
