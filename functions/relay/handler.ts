import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { backgroundHandler } from '#shared/http/background.ts';
import { relayToQueues } from '#shared/usecases/relay.ts';
import type { StoredOutboxEntry } from '#shared/ports.ts';
import { ready } from '#shared/wiring.ts';

/**
 * The relay (SPEC rule 15), on the outbox table's DynamoDB stream: each new entry, and each entry
 * an admin put back for a retry, goes to the EventBridge bus and the delivery queues. A record
 * that fails is reported, and the stream retries from it (the event source mapping's
 * ReportBatchItemFailures), so nothing after it is lost or overtakes it.
 */
export const handler = backgroundHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>('relay failed', async (event) => {
  const deps = await ready();
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    const old = record.dynamodb?.OldImage as Record<string, AttributeValue> | undefined;
    const isNew = record.eventName === 'INSERT';
    const entry = image && (unmarshall(image) as StoredOutboxEntry);
    const before = old && (unmarshall(old) as StoredOutboxEntry);
    // An admin's retry: the entry put back before the relay, or one more subscriber added to a retry still pending.
    const queuedBefore = before?.pending ? (before.retryFor ?? []) : [];
    const isRetry = record.eventName === 'MODIFY' && !!entry?.pending && !!entry.retryFor && entry.retryFor.length > queuedBefore.length;
    if (!entry || (!isNew && !isRetry)) continue;
    try {
      await relayToQueues(deps, entry, isNew, queuedBefore);
    } catch {
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
    }
  }
  return { batchItemFailures: [] };
});
