import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { StartingPosition, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CityConfig } from '../cities/city.ts';

export interface EventsProps {
  city: CityConfig;
  outbox: Table;
  /** The relay (the outbox's stream) and the delivery function (the queues). */
  relay: LambdaFunction;
  deliver: LambdaFunction;
  /** Where a stream batch the relay could not pass on for good goes (the city's dead-letter queue). */
  deadLetters: Queue;
  alarms: ITopic;
}

/** Webhook deliveries: 13 receives, the 12 delays between them doubling from 30 s to 12 h (SQS’s longest visibility timeout): 30 s + 1 min + … + 8.5 h + 12 h ≈ 29 h ≥ 24 h. */
export const WEBHOOK_RECEIVES = 13;
/** Callbacks are retried until Step Functions answers (every 200 ms doubling to a minute): ~1000 receives ≈ 16 h before the DLQ alarms. */
export const CALLBACK_RECEIVES = 1000;

/**
 * The events (SPEC rule 15) on AWS, on existing engines: the outbox table's DynamoDB stream feeds
 * the relay, which puts each event on the city's EventBridge bus (for AWS-side consumers) and on
 * one SQS FIFO queue per subscriber, each callback on the callbacks queue, all grouped by
 * application (MessageGroupId) so that an application's entries go in order. The delivery
 * function posts signed webhooks (secrets in Secrets Manager) and sends the callbacks, holding a
 * failed message back with exponential backoff; each queue has its DLQ. Alarms: any dead letter,
 * the oldest undelivered message older than an hour, the relay more than five minutes behind.
 */
export class Events extends Construct {
  readonly bus: EventBus;
  readonly queues: Record<string, Queue> = {};
  readonly deadLetterQueues: Record<string, Queue> = {};
  readonly secrets: Record<string, Secret> = {};

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    const { city } = props;
    this.bus = new EventBus(this, 'Bus', { eventBusName: `oneseal-${city.areaCode}` });
    this.bus.grantPutEventsTo(props.relay);

    const alarm = (name: string, metric: IMetric, threshold: number, description: string) =>
      new Alarm(this, name, { alarmDescription: description, metric, threshold, evaluationPeriods: 1, comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: TreatMissingData.NOT_BREACHING }).addAlarmAction(
        new SnsAction(props.alarms),
      );

    const destinations = [{ id: 'callbacks', receives: CALLBACK_RECEIVES }, ...city.subscribers.map((s) => ({ id: s.id, receives: WEBHOOK_RECEIVES }))];
    for (const { id: dest, receives } of destinations) {
      const dlq = new Queue(this, `${dest}-dlq`, { fifo: true, encryption: QueueEncryption.KMS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
      const queue = new Queue(this, `${dest}-queue`, {
        fifo: true,
        encryption: QueueEncryption.KMS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        // Six times the delivery function's timeout (AWS's advice for an SQS event source).
        visibilityTimeout: Duration.seconds(6 * (props.deliver.timeout?.toSeconds() ?? 30)),
        deadLetterQueue: { queue: dlq, maxReceiveCount: receives },
      });
      queue.grantSendMessages(props.relay);
      props.deliver.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
      this.queues[dest] = queue;
      this.deadLetterQueues[dest] = dlq;
      alarm(`${dest}-dead-letters`, dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 1, `${city.name}: ${dest}: a delivery was given up (see GET /v1/admin/deliveries?status=dead)`);
      alarm(`${dest}-oldest`, queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }), 3600, `${city.name}: ${dest}: the oldest undelivered entry waits for more than an hour`);
    }

    const subscribers = city.subscribers.map((s) => {
      const secret = new Secret(Stack.of(this), `Subscriber-${s.id}-Secret`, {
        secretName: `oneseal/${city.areaCode}/subscriber/${s.id}`,
        description: `oneseal ${city.name}: the signing secret of the events pushed to ${s.id} (X-Oneseal-Signature)`,
        generateSecretString: { excludePunctuation: true, passwordLength: 48 },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      secret.grantRead(props.deliver);
      this.secrets[s.id] = secret;
      return { ...s, secretArn: secret.secretArn };
    });

    for (const fn of [props.relay, props.deliver]) {
      fn.addEnvironment('SUBSCRIBERS', Stack.of(this).toJsonString(subscribers));
      fn.addEnvironment('DELIVERY_QUEUES', Stack.of(this).toJsonString(Object.fromEntries(Object.entries(this.queues).map(([dest, q]) => [dest, q.queueUrl]))));
    }
    props.relay.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
    // The delivery records a webhook dead at the queue's last receive.
    props.deliver.addEnvironment('WEBHOOK_MAX_ATTEMPTS', String(WEBHOOK_RECEIVES));

    props.relay.addEventSource(
      new DynamoEventSource(props.outbox, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10_000,
        onFailure: new SqsDlq(props.deadLetters),
      }),
    );
    alarm('RelayBehind', props.relay.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }), 300_000, `${city.name}: the relay is more than five minutes behind the outbox`);
  }
}
