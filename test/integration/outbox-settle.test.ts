import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { wiring } from '#shared/wiring.ts';
import { TABLES } from '#shared/adapters/aws/tables.ts';
import { startPlatform, type Platform } from '../support/platform.ts';

/**
 * Settling an outbox entry in DynamoDB itself: an entry an admin retried is settled only for the
 * retries the relay served, so that a retry added meanwhile is not dropped with it. The items
 * are written without `pending`, as on AWS, so the embedded relay leaves them to the test.
 */
let platform: Platform;
let db: DynamoDBDocumentClient;
const table = TABLES.find((t) => t.id === 'Outbox')!.id;
beforeAll(async () => {
  platform = await startPlatform();
  db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
});
afterAll(async () => {
  await platform?.close();
});

const put = async (item: Record<string, unknown>) => {
  const id = `evt_test_${randomUUID()}`;
  await db.send(new PutCommand({ TableName: table, Item: { id, applicationId: 'app-test', seq: 1, occurredAt: '2026-06-01T02:00:00.000Z', position: `2026-06-01T02:00:00.000Z#${id}`, ...item } }));
  return id;
};
const read = async (id: string) => (await db.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }))).Item;

describe('settling an outbox entry', () => {
  it('keeps an entry retried for one more subscriber than the relay served, and settles it once that one is served', async () => {
    const { outbox } = wiring();
    const id = await put({ retryFor: ['platform', 'library'] });

    await outbox.settle(id, undefined, ['platform']);
    expect((await read(id))!.retryFor).toEqual(['platform', 'library']);

    await outbox.settle(id, undefined, ['platform', 'library']);
    expect((await read(id))!.retryFor).toBeUndefined();
  });

  it('settles an entry no admin retried with its result, unless a retry was added since the relay read it', async () => {
    const { outbox } = wiring();
    const plain = await put({});
    const retried = await put({ retryFor: ['library'] });

    await outbox.settle(plain, 'sent');
    await outbox.settle(retried, 'sent');

    expect((await read(plain))!.result).toBe('sent');
    expect(await read(retried)).toMatchObject({ retryFor: ['library'] });
    expect((await read(retried))!.result).toBeUndefined();
  });

  it('does nothing for an entry past its retention', async () => {
    await expect(wiring().outbox.settle(`evt_test_${randomUUID()}`, 'sent')).resolves.toBeUndefined();
  });
});
