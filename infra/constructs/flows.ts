import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FLOW_FUNCTIONS, type FlowFunction } from '../../shared/http/routes.ts';
import { FLOWS } from '../../shared/domain/catalog.ts';
import type { CityConfig } from '../cities/city.ts';
import { retentionOf, type FlowTargets } from './function.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

export interface FlowsProps {
  city: CityConfig;
  /** The functions the ASL's `${<Name>FunctionArn}` placeholders name. */
  functions: Record<FlowFunction, IFunction>;
  recordFailure: IFunction;
  deadLetters: IQueue;
}

/**
 * The flows: the very ASL files of statemachines/ that the embedded runtime runs, with the ARNs
 * filled in, logged to one log group, and the rule that records a failed or timed-out
 * execution on its application (the flows catch nothing, so that RedriveExecution restarts one
 * from the state that failed).
 */
export class Flows extends Construct implements FlowTargets {
  readonly machines: StateMachine[];
  readonly stateMachineArns: string[];
  readonly executionArns: string[];
  readonly stateMachineArnPrefix: string;
  readonly failures: Rule;

  constructor(scope: Construct, id: string, props: FlowsProps) {
    super(scope, id);
    const { city } = props;
    // Named resources keep the logical ids they had at the stack's level: a new id would replace them.
    const stack = Stack.of(this);
    const prefix = `oneseal-${city.areaCode}-`;
    this.stateMachineArnPrefix = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: prefix, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    const logs = new LogGroup(stack, 'FlowLogs', { retention: retentionOf(city.logRetentionDays), removalPolicy: RemovalPolicy.RETAIN });
    const substitutions = {
      Partition: Aws.PARTITION,
      ...Object.fromEntries(Object.entries(FLOW_FUNCTIONS).map(([key, name]) => [`${key}FunctionArn`, props.functions[name].functionArn])),
    };
    this.machines = FLOWS.map((flow) => {
      const machine = new StateMachine(stack, `Flow-${flow}`, {
        stateMachineName: `${prefix}${flow}`,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(readFileSync(join(ROOT, 'statemachines', `${flow}.asl.json`), 'utf8')),
        definitionSubstitutions: substitutions,
        logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      for (const fn of Object.values(props.functions)) fn.grantInvoke(machine);
      return machine;
    });
    this.stateMachineArns = this.machines.map((m) => m.stateMachineArn);
    // Executions are named `<machine>:<applicationId>`; a function that stops or redrives one may do so for this city's machines only.
    this.executionArns = FLOWS.map((flow) => stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${prefix}${flow}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));

    this.failures = new Rule(this, 'FlowFailures', {
      description: '办理流程失败：记录到办件、关闭待办任务、开启监察案件',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT'], stateMachineArn: this.stateMachineArns },
      },
      targets: [new LambdaFunction(props.recordFailure, { deadLetterQueue: props.deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
  }
}
