import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, AnyPrincipal, Effect, PolicyDocument, PolicyStatement, Role, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { SealAction } from '../access.ts';
import type { CityConfig } from '../cities/city.ts';

/**
 * Key administration without the use of the key and without its policy: the account (and so,
 * through IAM, the administrators and CloudFormation's deployment role) may describe, tag,
 * alias, enable, disable and schedule the deletion of the key. Not Sign, not GetPublicKey, not
 * CreateGrant (a grant is another way to hand out Sign), not PutKeyPolicy (`ChangePolicy` below).
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:ListGrants',
  'kms:RevokeGrant',
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

/** One seal key of the city, with its period as the city configuration gives it. */
export interface SealKeyOf {
  name: string;
  key: Key;
  activeFrom: string;
  activeUntil?: string;
}

/**
 * The city's approval seal (一枚印章) over time: one asymmetric signing key in KMS per entry of
 * `seal.keys` (SM2 in the China regions, ECC P-256 elsewhere), every one retained, since the
 * licenses it sealed verify by it. The first keeps the logical id `SealKey` and the alias
 * `alias/oneseal-<area>-seal` it always had (a new id would replace, and so lose, the key); each
 * later one is `SealKey-<name>`, alias `alias/oneseal-<area>-seal-<name>`. The functions get the
 * list with its periods as SEAL_KEYS (shared/domain/keyring.ts picks the active key).
 *
 * Each key's policy is written statement by statement, the same for every key, not CDK's default
 * (the account root with `kms:*`):
 * - `KeyAdministration`: the account may administer the key (KEY_ADMIN_ACTIONS), never use it
 *   and never change its policy.
 * - `ChangePolicy`: PutKeyPolicy, only for the city's break-glass role and the role CloudFormation
 *   deploys with. PutKeyPolicy is the way around every other statement, so it is narrowed to
 *   these two, and every use is alarmed (Observability). KMS refuses a policy that would lock out
 *   the principal setting it (the lockout safety check, never bypassed here), and CloudFormation
 *   creates and updates the key: its role has to stay in this statement.
 * - `AllowSign<n>`: Sign, for the sealer's role only (the account, on the condition that the
 *   caller is that role; its IAM policy grants the same). A role named by condition rather than
 *   as the principal spares the key's creation IAM's propagation delay for a new role, and a
 *   policy naming a deleted role does not turn into an unknown principal id.
 * - `AllowGetPublicKey<n>`: GetPublicKey, for each role that reads the public key, the same way.
 * - `OnlyTheSealerSigns`: Sign denied to every principal but the sealer's role, so that no IAM
 *   policy and no grant can add a signer without changing this key policy (which is alarmed).
 */
export class Seal extends Construct {
  readonly keys: SealKeyOf[];
  /** Assumed by a person, with MFA, to change a seal key's policy when nothing else can: every call it makes is alarmed. */
  readonly breakGlass: Role;
  private readonly users = new Map<SealAction, IRole[]>();

  constructor(scope: Construct, id: string, city: CityConfig) {
    super(scope, id);
    const stack = Stack.of(this);
    this.breakGlass = new Role(this, 'BreakGlass', {
      roleName: `oneseal-${city.areaCode}-seal-break-glass`,
      description: `oneseal ${city.areaCode}: changes the approval seal keys' policies in an emergency (docs/operations.md); every use is alarmed`,
      assumedBy: new AccountRootPrincipal().withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
    });
    // Kept with the keys it can repair: a new role of the same name matches again (the key policies name it by ARN condition).
    this.breakGlass.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const deployRole = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: city.seal.deployRoleName ?? `cdk-hnb659fds-cfn-exec-role-${Aws.ACCOUNT_ID}-${Aws.REGION}` });

    this.keys = city.seal.keys.map((entry, i) => {
      const first = i === 0;
      // At the stack's level: the first key under the logical id it always had.
      const key = new Key(stack, first ? 'SealKey' : `SealKey-${entry.name}`, {
        description: first ? `${city.name}审批专用章 (approval seal)` : `${city.name}审批专用章 (approval seal) ${entry.name}`,
        keySpec: city.seal.keySpec === 'SM2' ? KeySpec.SM2 : KeySpec.ECC_NIST_P256,
        keyUsage: KeyUsage.SIGN_VERIFY,
        alias: first ? `alias/oneseal-${city.areaCode}-seal` : `alias/oneseal-${city.areaCode}-seal-${entry.name}`,
        removalPolicy: RemovalPolicy.RETAIN,
        policy: new PolicyDocument({
          statements: [
            new PolicyStatement({ sid: 'KeyAdministration', principals: [new AccountRootPrincipal()], actions: KEY_ADMIN_ACTIONS, resources: ['*'] }),
            new PolicyStatement({
              sid: 'ChangePolicy',
              principals: [new AccountRootPrincipal()],
              actions: ['kms:PutKeyPolicy'],
              resources: ['*'],
              conditions: { ArnEquals: { 'aws:PrincipalArn': [this.breakGlass.roleArn, deployRole] } },
            }),
          ],
        }),
      });
      return { name: entry.name, key, activeFrom: entry.activeFrom, ...(entry.activeUntil ? { activeUntil: entry.activeUntil } : {}) };
    });
    this.breakGlass.addToPolicy(new PolicyStatement({ actions: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey'], resources: this.keys.map((k) => k.key.keyArn) }));
    // A city without its sealer would have a seal no one can use.
    this.node.addValidation({ validate: () => (this.users.get('kms:Sign')?.length === 1 ? [] : ['the seal needs exactly one signer (the sealer)']) });
  }

  /** SEAL_KEYS for the functions: every key's ARN with its period, oldest first (shared/config.ts). */
  get keysEnvironment(): string {
    return Stack.of(this).toJsonString(this.keys.map(({ key, activeFrom, activeUntil }) => ({ key: key.keyArn, activeFrom, ...(activeUntil ? { activeUntil } : {}) })));
  }

  /** Lets a function's role use every seal key for these actions, in each key's policy and in the role's policy: the only way to use the seal. */
  allow(role: IRole, actions: SealAction[]) {
    for (const action of actions) {
      const roles = this.users.get(action) ?? [];
      if (!roles.length) this.users.set(action, roles);
      roles.push(role);
      if (action === 'kms:Sign' && roles.length > 1) throw new Error('The seal has one signer: the sealer.');
      for (const { key } of this.keys) {
        key.addToResourcePolicy(
          new PolicyStatement({
            sid: `Allow${action.replace('kms:', '')}${roles.length}`,
            principals: [new AccountRootPrincipal()],
            actions: [action],
            resources: ['*'],
            conditions: { ArnEquals: { 'aws:PrincipalArn': role.roleArn } },
          }),
        );
        key.grant(role, action);
        if (action === 'kms:Sign') {
          key.addToResourcePolicy(
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
}
