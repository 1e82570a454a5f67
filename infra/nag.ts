import { Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { BUCKET_PREFIX } from './constructs/function.ts';

/**
 * The cdk-nag AwsSolutions findings a city's stack keeps on purpose, each with its reason.
 * cdk-nag matches acknowledgements by exact finding, so each is named; anything new fails `cdk synth`.
 */
export function acknowledgeNagFindings(stack: Stack, refs: { tables: Table[]; buckets: Bucket[]; invoked: IFunction[]; executions: string[]; edge: boolean }) {
  const ack = (id: string, reason: string) => Validations.of(stack).acknowledge({ id: `AwsSolutions-${id}`, reason });
  const arnOf = (c: IConstruct) => `<${stack.getLogicalId(c.node.defaultChild as CfnElement)}.Arn>`;
  ack('L1', 'Node.js 24 is pinned on purpose: the code is tested on it (.nvmrc, CI); a runtime upgrade is a reviewed change.');
  ack('IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'It only lets each function write to CloudWatch Logs; every function has its own retained log group.');
  ack(
    'IAM5[Resource::*]',
    'Only what IAM cannot scope: X-Ray trace segments, and states:SendTaskSuccess, for which the Service Authorization Reference lists no resource type (the task token is the capability); it is given to deliver-events, the one function that sends the flows’ callbacks (from the outbox), nothing else.',
  );
  for (const table of refs.tables) ack(`IAM5[Resource::${arnOf(table)}/index/*]`, 'The indexes of a table the function reads (declared in infra/access.ts).');
  for (const fn of refs.invoked) ack(`IAM5[Resource::${arnOf(fn)}:*]`, 'The versions of a function the state machines invoke.');
  for (const bucket of refs.buckets) {
    for (const prefix of Object.values(BUCKET_PREFIX)) ack(`IAM5[Resource::${arnOf(bucket)}/${prefix}]`, `Objects under ${prefix} of this city's own bucket, with the one action the function's declaration names.`);
  }
  for (const executions of refs.executions) {
    const resolved = stack.resolve(executions) as unknown;
    ack(`IAM5[Resource::${renderArn(resolved)}]`, "The executions of one of this city's own flows (withdrawal stops one, an admin redrives one).");
  }
  ack('APIG4', 'Public by the contract (SPEC): health, OpenAPI, catalogue, calendar and license verification; the EMS webhook authenticates every request with its HMAC signature and timestamp. Every other route has the provincial JWT authorizer.');
  ack('SQS3', 'This queue is itself the dead-letter queue of the scheduled and event-driven invocations.');
  ack('SMG4', 'The EMS secret is rotated together with EMS (two active webhook secrets during the rotation, see README), not by a rotation Lambda; a subscriber’s signing secret is rotated with the subscriber (docs/events.md).');
  if (refs.edge) {
    ack('CFR1', 'No geo restriction: the API serves the provincial platform, EMS and anyone verifying a license, wherever they are; the web ACL filters requests.');
  }
}

/** An ARN as cdk-nag prints it: pseudo parameters as `<AWS::Partition>`. */
function renderArn(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`cannot render ${JSON.stringify(resolved)}`);
  return join[1].map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join(join[0]);
}
