import { afterEach, describe, expect, it, vi } from 'vitest';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoApplications } from '../../shared/adapters/aws/dynamo.ts';
import type { Config } from '../../shared/config.ts';
import type { ApplicationChange } from '../../shared/ports.ts';

/**
 * The events feed shows an event a second after its position's time (listEvents' SETTLE_MS): a
 * commit that DynamoDB holds back with transaction conflicts for longer must not keep the position
 * of its first attempt, or it lands behind a cursor already handed out and the feed never shows it.
 */
afterEach(() => vi.useRealTimers());

describe('an application change retried after transaction conflicts', () => {
  it('writes its outbox entries with the time of the attempt that commits', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T00:00:00.000Z'));
    const positions: string[] = [];
    let calls = 0;
    const db = {
      send: async (command: TransactWriteCommand) => {
        const outbox = command.input.TransactItems!.map((i) => i.Put?.Item).filter((item) => item?.position);
        positions.push(outbox[0]!.position as string);
        if (++calls < 3) {
          vi.setSystemTime(new Date(Date.now() + 800)); // each conflicted attempt took 0.8 s
          throw new TransactionCanceledException({ message: 'conflict', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] });
        }
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    const change = {
      next: { applicationId: 'app_1' },
      expectedSeq: 1,
      events: [],
      outbox: [{ id: 'evt_1', applicationId: 'app_1', seq: 2, occurredAt: '2026-06-01T00:00:00.000Z' }],
    } as unknown as ApplicationChange;
    const cfg = { APPLICATIONS_TABLE: 'applications', AUDIT_TABLE: 'audit', TASKS_TABLE: 'tasks', UPLOADS_TABLE: 'uploads', OUTBOX_TABLE: 'outbox' } as unknown as Config;
    await new DynamoApplications(cfg, db, { markPending: true }).commit(change);
    expect(calls).toBe(3);
    expect(positions.at(-1)).toMatch(/^2026-06-01T00:00:01\.600Z#app_1#000000002#evt_1$/);
  });
});
