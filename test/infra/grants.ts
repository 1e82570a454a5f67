import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/**
 * Reading a synthesized template's grants as plain strings, so that a test can compare a
 * function's whole policy with what it should be: `dynamodb:PutItem {DataAuditTable….Arn}`.
 */

/** A CloudFormation value as text: `{X}` for a Ref, `{X.Arn}` for a GetAtt, joins joined. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `{${v.Ref as string}}`;
  if ('Fn::GetAtt' in v) return `{${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
  Sid?: string;
}

/** Every `action resource` pair a statement allows. */
export const pairsOf = (s: Statement) => list(s.Action).flatMap((a) => list(s.Resource).map((r) => `${a} ${render(r)}`));

/** The logical id of a construct's CloudFormation resource. */
export const logicalIdOf = (stack: Stack, c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);

/** Every `action resource` pair the IAM policies attached to this role allow. */
export function grantsOfRole(template: Template, roleLogicalId: string): Set<string> {
  const pairs = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!list(policy.Properties.Roles as unknown[]).some((r) => render(r) === `{${roleLogicalId}}`)) continue;
    for (const s of policy.Properties.PolicyDocument.Statement as Statement[]) {
      if (s.Effect !== 'Allow') throw new Error(`unexpected ${s.Effect} in a role policy`);
      for (const p of pairsOf(s)) pairs.add(p);
    }
  }
  return pairs;
}

/** Every `action resource` pair any IAM policy of the template allows, with the roles it is attached to. */
export function allGrants(template: Template): { pair: string; roles: string[] }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Statement[]).flatMap((s) => pairsOf(s).map((pair) => ({ pair, roles: list(policy.Properties.Roles as unknown[]).map(render) }))),
  );
}
