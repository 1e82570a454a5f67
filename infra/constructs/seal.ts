import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, AnyPrincipal, Effect, PolicyDocument, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { SealAction } from '../access.ts';
import type { CityConfig } from '../cities/city.ts';

/**
 * Key administration without the use of the key: the account (and so, through IAM, the
 * administrators and CloudFormation's deployment role) may describe, tag, alias, enable,
 * disable, schedule the deletion of, and change the policy of the key. Not Sign, not
 * GetPublicKey, not CreateGrant: a grant is another way to hand out Sign.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:PutKeyPolicy',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/**
 * The city's one approval seal (一枚印章): an asymmetric signing key in KMS, SM2 in the China
 * regions and ECC P-256 elsewhere, retained. Its key policy is written statement by statement,
 * not CDK's default (the account root with `kms:*`):
 * - `KeyAdministration`: the account may administer the key (KEY_ADMIN_ACTIONS), never use it.
 *   This statement is what keeps the key manageable: KMS accepts a policy only if the principal
 *   setting it may set it again (its lockout check), and the account keeps PutKeyPolicy, which
 *   IAM delegates to CloudFormation's deployment role and the administrators.
 * - `AllowSign1`: Sign, for the sealer's role only (the account, on the condition that the
 *   caller is that role; its IAM policy grants the same). A role named by condition rather than
 *   as the principal spares the key's creation IAM's propagation delay for a new role.
 * - `AllowGetPublicKey<n>`: GetPublicKey, for each role that verifies, the same way.
 * - `OnlyTheSealerSigns`: Sign denied to every principal but the sealer's role, so that no IAM
 *   policy and no grant can add a signer without changing this key policy (which is alarmed).
 */
export class Seal extends Construct {
  readonly key: Key;
  private readonly users = new Map<SealAction, IRole[]>();

  constructor(scope: Construct, id: string, city: CityConfig) {
    super(scope, id);
    // The key keeps the logical id it had at the stack's level: a new id would make a new seal.
    this.key = new Key(Stack.of(this), 'SealKey', {
      description: `${city.name}审批专用章 (approval seal)`,
      keySpec: city.seal.keySpec === 'SM2' ? KeySpec.SM2 : KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      alias: `alias/oneseal-${city.areaCode}-seal`,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new PolicyDocument({
        statements: [new PolicyStatement({ sid: 'KeyAdministration', principals: [new AccountRootPrincipal()], actions: KEY_ADMIN_ACTIONS, resources: ['*'] })],
      }),
    });
    // A city without its sealer would have a seal no one can use.
    this.node.addValidation({ validate: () => (this.users.get('kms:Sign')?.length === 1 ? [] : ['the seal needs exactly one signer (the sealer)']) });
  }

  /** Lets a function's role use the seal for these actions, in the key policy and in the role's policy: the only way to use the seal. */
  allow(role: IRole, actions: SealAction[]) {
    for (const action of actions) {
      const roles = this.users.get(action) ?? [];
      if (!roles.length) this.users.set(action, roles);
      roles.push(role);
      if (action === 'kms:Sign' && roles.length > 1) throw new Error('The seal has one signer: the sealer.');
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid: `Allow${action.replace('kms:', '')}${roles.length}`,
          principals: [new AccountRootPrincipal()],
          actions: [action],
          resources: ['*'],
          conditions: { ArnEquals: { 'aws:PrincipalArn': role.roleArn } },
        }),
      );
      this.key.grant(role, action);
      if (action === 'kms:Sign') {
        this.key.addToResourcePolicy(
          new PolicyStatement({
            sid: 'OnlyTheSealerSigns',
            effect: Effect.DENY,
            principals: [new AnyPrincipal()],
            actions: ['kms:Sign'],
            resources: ['*'],
            conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
          }),
        );
      }
    }
  }
}
