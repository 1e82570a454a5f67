import type { EventBody } from '../../domain/events.ts';
import type { DeliveryQueues, EventBus } from '../../ports.ts';
import { meter } from './usage.ts';

/**
 * The relay's AWS engines (SPEC rule 15): the city's EventBridge bus and the SQS FIFO delivery
 * queues. The SDKs load on first use: only the relay and the delivery function use them.
 */

export class EventBridgeBus implements EventBus {
  constructor(private readonly busName: string | undefined) {}

  async publish(events: EventBody[]) {
    if (!this.busName || !events.length) return;
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const client = meter('events', new EventBridgeClient({}));
    // Masked events only (as the feed shows them); at most 10 entries a call.
    for (let i = 0; i < events.length; i += 10) {
      const out = await client.send(
        new PutEventsCommand({ Entries: events.slice(i, i + 10).map((e) => ({ EventBusName: this.busName, Source: 'oneseal', DetailType: e.type, Time: new Date(e.occurredAt), Detail: JSON.stringify(e) })) }),
      );
      if (out.FailedEntryCount) throw new Error(`EventBridge refused ${out.FailedEntryCount} events`);
    }
  }
}

/** `queues`: destination → queue URL (the CDK construct sets DELIVERY_QUEUES). */
export class SqsDeliveryQueues implements DeliveryQueues {
  constructor(private readonly queues: Record<string, string>) {}

  private async client() {
    const m = await import('@aws-sdk/client-sqs');
    return { m, client: meter('sqs', new m.SQSClient({})) };
  }

  async enqueue(destination: string, entry: { id: string; applicationId: string }, dedupId: string) {
    const url = this.queues[destination];
    if (!url) throw new Error(`no delivery queue for ${destination}`);
    const { m, client } = await this.client();
    await client.send(new m.SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ id: entry.id }), MessageGroupId: entry.applicationId, MessageDeduplicationId: dedupId.slice(0, 128) }));
  }

  destinationOf(queueArn: string) {
    const name = queueArn.split(':').at(-1);
    return Object.entries(this.queues).find(([, url]) => url.endsWith(`/${name}`))?.[0];
  }

  async delay(queueArn: string, receiptHandle: string, seconds: number) {
    const destination = this.destinationOf(queueArn);
    if (!destination) return;
    const { m, client } = await this.client();
    await client.send(new m.ChangeMessageVisibilityCommand({ QueueUrl: this.queues[destination], ReceiptHandle: receiptHandle, VisibilityTimeout: Math.min(43_200, Math.max(0, Math.ceil(seconds))) }));
  }
}
