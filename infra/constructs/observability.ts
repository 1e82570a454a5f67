import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, TextWidget, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface ObservabilityProps {
  cityName: string;
  areaCode: string;
  api: HttpApi;
  machines: StateMachine[];
  deadLetters: Queue;
  scanLogs: ILogGroup;
  /** Every seal key, the one role that may sign with them, and the break-glass role that may change their policies. */
  seal: { keyArns: string[]; signerRoleArn: string; breakGlassRoleArn: string };
}

/**
 * What DevOps watch for a city: alarms on failed or timed-out flows, API 5xx, dead letters and
 * red lights, any change to the seal key's policy or state and any attempt by another principal
 * to sign with it, all to one SNS topic, and a dashboard with the same figures.
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    // The topic's key keeps the logical id it had at the stack's level (it is retained: a new id would leave the old one behind).
    this.key = new Key(Stack.of(this), 'AlarmKey', { description: `oneseal ${props.cityName}: alarm topic encryption`, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    this.key.grantEncryptDecrypt(new ServicePrincipal('cloudwatch.amazonaws.com'));
    this.topic = new Topic(this, 'Alarms', { displayName: `oneseal ${props.cityName} alarms`, masterKey: this.key, enforceSSL: true });
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      const a = new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(new SnsAction(this.topic));
      return a;
    };

    const flowWidgets: IMetric[] = [];
    for (const m of props.machines) {
      const failed = m.metricFailed({ period: Duration.minutes(5) });
      const timedOut = m.metricTimedOut({ period: Duration.minutes(5) });
      flowWidgets.push(failed, timedOut);
      alarm(`${m.node.id}Failed`, failed, 1, `${props.cityName}: an execution of ${m.node.id} failed — the application shows flowError and an audit event`);
      alarm(`${m.node.id}TimedOut`, timedOut, 1, `${props.cityName}: an execution of ${m.node.id} timed out`);
    }
    const serverErrors = props.api.metricServerError({ period: Duration.minutes(5) });
    alarm('Api5xx', serverErrors, 5, `${props.cityName}: the API answered 5xx at least 5 times in 5 minutes`);
    const dlq = props.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) });
    alarm('DeadLetters', dlq, 1, `${props.cityName}: a scheduled or asynchronous invocation failed for good (see the dead-letter queue)`);

    // Figures read from the supervision scan's own log line: {"message":"supervision scan","red":N,"failed":N,…}.
    const fromScanLog = (filterId: string, metricName: string, field: string, statistic: 'Sum' | 'Maximum', period: Duration) => {
      new MetricFilter(this, filterId, {
        logGroup: props.scanLogs,
        filterPattern: FilterPattern.stringValue('$.message', '=', 'supervision scan'),
        metricNamespace: 'OneSeal',
        metricName,
        metricValue: `$.${field}`,
        dimensions: { City: '$.city' },
      });
      return new Metric({ namespace: 'OneSeal', metricName, dimensionsMap: { City: props.areaCode }, statistic, period });
    };
    const redLights = fromScanLog('RedLightsFilter', 'RedLights', 'red', 'Sum', Duration.minutes(15));
    alarm('RedLights', redLights, 1, `${props.cityName}: supervision turned a step red and opened an accountability case`);
    // Steps the scan could not finish (each is logged as "supervision step failed" with its application and retried next scan).
    const scanFailures = fromScanLog('ScanFailuresFilter', 'SupervisionStepFailures', 'failed', 'Sum', Duration.minutes(15));
    alarm('SupervisionStepFailures', scanFailures, 1, `${props.cityName}: the supervision scan could not process a step (see "supervision step failed" in its log); it retries at every scan`);
    // From 1 November, next year's official holiday schedule should be published (PUT /v1/calendar/{year}).
    const provisional = fromScanLog('CalendarFilter', 'CalendarNextYearProvisional', 'calendarNextYearProvisional', 'Maximum', Duration.hours(6));
    alarm('CalendarNextYearProvisional', provisional, 1, `${props.cityName}: next year's official holiday schedule is not published yet; its deadlines are provisional. Publish it: PUT /v1/calendar/{year} (docs/operations.md)`);

    // The seal, from CloudTrail (a trail must record the account's management events): a change
    // to any seal key's policy, grants or state, a Sign by anyone but the sealer (the key policy
    // denies it; the attempt still shows who tried), and any call made as the break-glass role.
    // Sign is a read-only event that EventBridge delivers to an ordinary rule, since its name
    // starts with neither Describe, Get nor List. Each rule lists every seal key, retired ones too.
    const onTheSealKey = { eventSource: ['kms.amazonaws.com'], resources: { ARN: props.seal.keyArns } };
    this.key.grantEncryptDecrypt(new ServicePrincipal('events.amazonaws.com'));
    new Rule(this, 'SealKeyChanged', {
      description: '审批专用章密钥的策略、授权或状态被更改',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { ...onTheSealKey, eventName: ['PutKeyPolicy', 'CreateGrant', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'EnableKey'] },
      },
      targets: [new SnsTopic(this.topic)],
    });
    new Rule(this, 'SealUsedByAnother', {
      description: '非制证函数尝试使用审批专用章签名',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          ...onTheSealKey,
          eventName: ['Sign'],
          $or: [{ userIdentity: { type: [{ 'anything-but': ['AssumedRole'] }] } }, { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [props.seal.signerRoleArn] }] } } } }],
        },
      },
      targets: [new SnsTopic(this.topic)],
    });

    new Rule(this, 'SealBreakGlassUsed', {
      description: '审批专用章应急角色被使用（任何以该角色发出的调用）',
      eventPattern: {
        detailType: ['AWS API Call via CloudTrail'],
        detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [props.seal.breakGlassRoleArn] } } } },
      },
      targets: [new SnsTopic(this.topic)],
    });

    new Dashboard(this, 'Dashboard', {
      dashboardName: `oneseal-${props.areaCode}`,
      widgets: [
        [new TextWidget({ markdown: `# oneseal — ${props.cityName}\nFlows, API errors, dead letters and red lights. Alarms go to the SNS topic of this stack.`, width: 24, height: 2 })],
        [
          new GraphWidget({ title: 'Flows failed / timed out', left: flowWidgets, width: 12 }),
          new GraphWidget({ title: 'API 5xx and latency', left: [serverErrors], right: [props.api.metricLatency({ period: Duration.minutes(5) })], width: 12 }),
        ],
        [new GraphWidget({ title: 'Red lights (supervision)', left: [redLights], width: 12 }), new GraphWidget({ title: 'Dead letters', left: [dlq], width: 12 })],
      ],
    });
  }
}
