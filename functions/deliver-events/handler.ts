import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { backgroundHandler } from '#shared/http/background.ts';
import { deliverQueued } from '#shared/usecases/relay.ts';
import { ready } from '#shared/wiring.ts';

/**
 * Delivery (SPEC rule 15), on the FIFO queues: a subscriber's events as signed webhooks, the
 * callbacks to Step Functions. A failed attempt holds its message back for the backoff (30 s
 * doubling to 12 h) and reports it failed, and with it every later message of its application in
 * the batch, so that an application's events arrive in order. After the queue's last receive the
 * message goes to its DLQ; the delivery was recorded dead by then, for the admin to retry.
 */
export const handler = backgroundHandler<SQSEvent, SQSBatchResponse>('delivery failed', async (event) => {
  const deps = await ready();
  const failures: string[] = [];
  const heldGroups = new Set<string>();
  for (const message of event.Records) {
    const group = message.attributes.MessageGroupId ?? '';
    if (heldGroups.has(group)) {
      failures.push(message.messageId);
      continue;
    }
    const destination = deps.queues.destinationOf(message.eventSourceARN);
    const { id } = JSON.parse(message.body) as { id: string };
    const outcome = destination ? await deliverQueued(deps, destination, id, Number(message.attributes.ApproximateReceiveCount)) : { done: true as const };
    if (!outcome.done) {
      await deps.queues.delay(message.eventSourceARN, message.receiptHandle, outcome.retryInSeconds);
      heldGroups.add(group);
      failures.push(message.messageId);
    }
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
});
