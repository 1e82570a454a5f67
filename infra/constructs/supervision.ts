import { Duration, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface SupervisionProps {
  scan: IFunction;
  sweep: IFunction;
}

/**
 * What runs by the clock: the supervision scan every 15 minutes (yellow and red lights,
 * accountability cases, deemed acceptance), the daily sweep of unused uploads, and the
 * encrypted dead-letter queue that takes any scheduled or event-driven invocation that failed
 * for good (alarmed by observability).
 */
export class Supervision extends Construct {
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: SupervisionProps) {
    super(scope, id);
    // The queue keeps the logical id it had at the stack's level, so that no dead letter is lost to a replacement.
    this.deadLetters = new Queue(Stack.of(this), 'DeadLetters', { encryption: QueueEncryption.KMS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    new Rule(this, 'ScanSchedule', {
      description: '电子监察：黄灯、红灯、追责与视为受理',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [new LambdaFunction(props.scan, { deadLetterQueue: this.deadLetters, retryAttempts: 2 })],
    });
    new Rule(this, 'UploadSweepSchedule', {
      description: '清理过期未用的上传材料',
      schedule: Schedule.cron({ hour: '19', minute: '30' }), // 03:30 China time
      targets: [new LambdaFunction(props.sweep, { deadLetterQueue: this.deadLetters, retryAttempts: 2 })],
    });
  }
}
