import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CITIES } from '../../infra/cities/index.ts';
import { demo } from '../../infra/cities/demo.ts';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CityStack } from '../../infra/city-stack.ts';
import { yinchuan } from '../../infra/cities/yinchuan.ts';
import { ROUTES, API_FUNCTIONS, EVENT_FUNCTIONS, FLOW_FUNCTIONS, SCHEDULED_FUNCTIONS } from '#shared/http/routes.ts';
import { BUCKETS, TABLES } from '#shared/adapters/aws/tables.ts';
import { FLOWS } from '../../shared/domain/catalog.ts';
import { zhenjiang } from '../../infra/cities/zhenjiang.ts';
import { ACCESS, FUNCTION_NAMES, type FunctionName, type TableMode } from '../../infra/access.ts';
import { allGrants, grantsOfRole, logicalIdOf, render, type Statement } from './grants.ts';

/**
 * Every city's stack as CloudFormation will receive it, functions bundled by the local esbuild,
 * checked by cdk-nag's AwsSolutions pack as `npm run synth` does. Yinchuan is looked at closely.
 */
let app: App;
let template: Template;
let templates: Map<string, Template>;
let stack: CityStack;
let stacks: Map<string, CityStack>;
beforeAll(() => {
  app = new App();
  const all = CITIES.map((city) => new CityStack(app, city.stackName, { city, env: { region: city.region } }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth(); // throws on any unacknowledged cdk-nag finding
  templates = new Map(all.map((s) => [s.stackName, Template.fromStack(s)]));
  stacks = new Map(all.map((s) => [s.stackName, s]));
  template = templates.get(yinchuan.stackName)!;
  stack = stacks.get(yinchuan.stackName)!;
}, 600_000); // 84 bundles: about 2.5 minutes on an idle two-core machine, much longer on a busy one

/** A function's CloudFormation properties and its role's grants. */
const fnOf = (name: FunctionName, s = stack, t = template) => {
  const fn = s.functions[name].fn;
  return { props: t.toJSON().Resources[logicalIdOf(s, fn)].Properties, grants: grantsOfRole(t, logicalIdOf(s, fn.role!)), roleId: logicalIdOf(s, fn.role!) };
};

describe('the cities', () => {
  it('synthesizes one stack per city, cdk-nag clean', () => {
    expect([...templates.keys()].sort()).toEqual(['OneSeal-321100', 'OneSeal-640100', 'OneSeal-demo']);
  });

  it('seals with SM2 in China regions and P-256 elsewhere; locks licenses COMPLIANCE in production', () => {
    for (const city of CITIES) {
      const t = templates.get(city.stackName)!;
      t.hasResourceProperties('AWS::KMS::Key', { KeySpec: city.seal.keySpec, KeyUsage: 'SIGN_VERIFY' });
      t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: city.licenseLock.mode } } } });
      for (const fn of Object.values(t.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties.Environment.Variables.SEAL_ALGORITHM).toBe(city.seal.keySpec === 'SM2' ? 'SM2_SM3' : 'ECDSA_P256_SHA256');
      }
    }
    expect(demo.seal.keySpec).toBe('ECC_NIST_P256');
  });

  it('writes no ARN with a fixed partition, so China regions get aws-cn', () => {
    for (const city of CITIES.filter((c) => c.region.startsWith('cn-'))) {
      const json = JSON.stringify(templates.get(city.stackName)!.toJSON());
      expect(json).not.toMatch(/"arn:aws:/);
      expect(json).toContain('{"Ref":"AWS::Partition"}');
    }
  });

  it('alarms on failed and timed-out flows, API 5xx, dead letters and red lights, and has a dashboard', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.filter((a) => a.MetricName === 'ExecutionsFailed')).toHaveLength(FLOWS.length);
    expect(alarms.filter((a) => a.MetricName === 'ExecutionsTimedOut')).toHaveLength(FLOWS.length);
    expect(alarms.map((a) => a.MetricName)).toEqual(expect.arrayContaining(['5xx', 'ApproximateNumberOfMessagesVisible', 'RedLights']));
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { MetricTransformations: [Match.objectLike({ MetricName: 'RedLights', MetricValue: '$.red' })] });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'oneseal-640100' });
  });
});

describe('the data of a city', () => {
  it('keeps every table: retained, point-in-time recovery, deletion protection, encrypted', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(TABLES.length);
    for (const table of Object.values(tables)) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it('projects each index as the table list says (all attributes unless said), as the embedded runtime creates them', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table')).map((t) => t.Properties);
    const indexes = new Map(tables.flatMap((t) => (t.GlobalSecondaryIndexes ?? []).map((g: { IndexName: string; Projection: unknown }) => [g.IndexName, g.Projection])));
    for (const index of TABLES.flatMap((t) => t.indexes)) {
      const p = index.projection;
      expect(indexes.get(index.name), index.name).toEqual(!p ? { ProjectionType: 'ALL' } : p.type === 'KEYS_ONLY' ? { ProjectionType: 'KEYS_ONLY' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: p.attributes });
    }
    expect(indexes.get('byRunningDeadlines')).toEqual({ ProjectionType: 'KEYS_ONLY' });
  });

  it('keeps sealed licenses immutable with Object Lock, and no bucket public', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 * 30 } } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties.BucketEncryption).toBeDefined();
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    // Old versions of a material live as long as the bucket (the sweep deletes versions itself); no rule expires a material.
    const materials = template.toJSON().Resources[logicalIdOf(stack, stack.data.materials)].Properties;
    expect(materials.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(materials.LifecycleConfiguration.Rules).toEqual([{ Id: 'forget-delete-markers', ExpiredObjectDeleteMarker: true, Status: 'Enabled' }]);
  });

  it('sweeps unused uploads daily, and only the sweep may delete a material', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 19 * * ? *)', State: 'ENABLED' });
    const deleters = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('s3:DeleteObject'));
    expect(deleters).toHaveLength(1);
    expect(deleters[0].Properties.Roles[0].Ref).toMatch(/sweepuploads/i);
  });

  it('has the approval seal as an asymmetric signing key in KMS, retained', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' } });
  });
});

describe('the functions and the API', () => {
  it('bundles every function for Node 24 on ARM with tracing and a log group kept 180 days', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(API_FUNCTIONS.length + Object.keys(FLOW_FUNCTIONS).length + SCHEDULED_FUNCTIONS.length + EVENT_FUNCTIONS.length);
    for (const fn of Object.values(fns)) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      expect(fn.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://oneseal.yinchuan.gov.cn');
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
    for (const lg of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(lg.Properties.RetentionInDays).toBeGreaterThanOrEqual(180);
  });

  it('routes every path of the contract, the protected ones behind the provincial JWT authorizer with the city\'s scope', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://tyrz.zwfw.nx.gov.cn', Audience: ['oneseal-640100'] },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) {
      const found = routes.find((r) => r.RouteKey === `${route.method} ${route.path}`)!;
      expect(found.AuthorizationType ?? 'NONE', found.RouteKey).toBe(route.auth ? 'JWT' : 'NONE');
      expect(found.AuthorizationScopes, found.RouteKey).toEqual(route.auth ? ['oneseal'] : undefined);
    }
  });

  it('ships a sealer that starts on its own: its bundle imports outside the repo, with harfbuzz and the font beside it', () => {
    const [sealer] = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.FunctionName === 'oneseal-640100-seal-licenses');
    // Copied out of the repository, so that nothing resolves from the project's node_modules.
    const dir = mkdtempSync(join(tmpdir(), 'oneseal-sealer-'));
    cpSync(join(app.outdir, `asset.${String(sealer.Properties.Code.S3Key).replace(/\.zip$/, '')}`), dir, { recursive: true });
    expect(existsSync(join(dir, sealer.Properties.Environment.Variables.SEAL_FONT_FILE.replace('/var/task/', '')))).toBe(true);
    const check = `
      const m = await import('./index.mjs');
      const { createRequire } = await import('node:module');
      const wasm = createRequire(new URL('./index.mjs', import.meta.url)).resolve('harfbuzzjs/dist/harfbuzz-subset.wasm');
      console.log(typeof m.handler, wasm.startsWith(process.cwd()));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', check], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'cn-northwest-1' } });
    rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function true');
  });

  it('bounds the API: a default throttle on the stage, tighter limits on every public route, the tightest on uploads of a PDF to verify', () => {
    // Prepare
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')).map((r) => r.Properties);
    const limit = (rateLimit: number, burstLimit: number) => ({ ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit });
    // Assess
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    const expected = Object.fromEntries(
      ROUTES.filter((r) => !r.auth).map((r) => {
        const key = `${r.method} ${r.path}`;
        return [key, key === 'POST /v1/licenses/{licenseNo}/verify' ? limit(2, 5) : key === 'POST /v1/webhooks/ems' ? limit(10, 20) : limit(20, 40)];
      }),
    );
    expect(stage.RouteSettings).toEqual(expected);
    for (const [key, settings] of Object.entries(stage.RouteSettings as Record<string, { ThrottlingRateLimit: number }>)) {
      expect(settings.ThrottlingRateLimit, key).toBeLessThan(stage.DefaultRouteSettings.ThrottlingRateLimit);
    }
    // The public routes named in issue 14 are all among them.
    for (const key of ['GET /v1/licenses/{licenseNo}/verify', 'GET /v1/catalog/items', 'GET /v1/calendar/{year}', 'POST /v1/webhooks/ems']) expect(expected[key]).toBeDefined();
  });

  it('reserves concurrency for the sealer and the scan, and caps public verification', () => {
    const reserved = Object.fromEntries(FUNCTION_NAMES.map((n) => [n, fnOf(n).props.ReservedConcurrentExecutions]).filter(([, v]) => v !== undefined));
    expect(reserved).toEqual({ 'seal-licenses': 10, 'supervision-scan': 1, 'verify-license': 10 });
  });
});

describe('the seal keys', () => {
  const ROOT = 'arn:{AWS::Partition}:iam::{AWS::AccountId}:root';
  /** Each seal key's policy statements by Sid, and its logical id, for a stack. */
  const sealKeys = (s: CityStack, t: Template) =>
    s.seal.keys.map(({ name, key }) => {
      const id = logicalIdOf(s, key);
      const resource = t.toJSON().Resources[id];
      return { name, id, resource, bySid: Object.fromEntries((resource.Properties.KeyPolicy.Statement as Statement[]).map((st) => [st.Sid, st])) as Record<string, Statement> };
    });
  const callerIs = (st: Statement, op: 'ArnEquals' | 'ArnNotEquals') => {
    const v = (st.Condition as Record<string, Record<string, unknown>>)[op]['aws:PrincipalArn'];
    return Array.isArray(v) ? v.map(render) : render(v);
  };
  const roleArnOf = (s: CityStack, name: FunctionName) => `{${logicalIdOf(s, s.functions[name].fn.role!)}.Arn}`;

  it('makes one retained KMS key per configured key: the first keeps SealKey and its alias, later ones SealKey-<name> with their own alias (the demo city rotated once)', () => {
    for (const city of CITIES) {
      // Prepare
      const s = stacks.get(city.stackName)!;
      const t = templates.get(city.stackName)!;
      // Assess
      const keys = sealKeys(s, t);
      expect(keys.map((k) => k.name)).toEqual(city.seal.keys.map((k) => k.name));
      expect(Object.keys(t.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } })).sort()).toEqual(keys.map((k) => k.id).sort());
      expect(keys[0].id).toBe('SealKey94782D95');
      for (const k of keys) expect(k.resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { KeySpec: city.seal.keySpec, KeyUsage: 'SIGN_VERIFY' } });
      const aliases = Object.values(t.findResources('AWS::KMS::Alias')).map((a) => [a.Properties.AliasName, a.Properties.TargetKeyId]);
      expect(aliases.filter(([name]) => String(name).includes('-seal')).sort()).toEqual(
        keys.map((k, i) => [i === 0 ? `alias/oneseal-${city.areaCode}-seal` : `alias/oneseal-${city.areaCode}-seal-${k.name}`, { 'Fn::GetAtt': [k.id, 'Arn'] }]).sort(),
      );
    }
    expect(demo.seal.keys.map((k) => k.name)).toEqual(['seal-2024', '2026']);
    expect(logicalIdOf(stacks.get(demo.stackName)!, stacks.get(demo.stackName)!.seal.keys[1].key)).toMatch(/^SealKey2026/);
  });

  it('gives every key the same policy: administration, the break-glass and deploy roles change it, the sealer signs, the sealer, the verifier and the published keys read the public key, no one else signs', () => {
    for (const city of CITIES) {
      // Prepare
      const s = stacks.get(city.stackName)!;
      const t = templates.get(city.stackName)!;
      const sealer = roleArnOf(s, 'seal-licenses');
      const readers = [sealer, roleArnOf(s, 'verify-license'), roleArnOf(s, 'seal-keys')].sort();
      const breakGlass = `{${logicalIdOf(s, s.seal.breakGlass)}.Arn}`;
      const deployRole = `arn:{AWS::Partition}:iam::{AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-{AWS::AccountId}-{AWS::Region}`;
      for (const { name, bySid } of sealKeys(s, t)) {
        // Assess
        expect(Object.keys(bySid).sort(), name).toEqual(['AllowGetPublicKey1', 'AllowGetPublicKey2', 'AllowGetPublicKey3', 'AllowSign1', 'ChangePolicy', 'KeyAdministration', 'OnlyTheSealerSigns']);
        expect(bySid.AllowSign1).toMatchObject({ Effect: 'Allow', Action: 'kms:Sign', Resource: '*' });
        expect(render((bySid.AllowSign1.Principal as { AWS: unknown }).AWS)).toBe(ROOT);
        expect(callerIs(bySid.AllowSign1, 'ArnEquals')).toBe(sealer);
        for (const sid of ['AllowGetPublicKey1', 'AllowGetPublicKey2', 'AllowGetPublicKey3']) expect(bySid[sid]).toMatchObject({ Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: '*' });
        expect(['AllowGetPublicKey1', 'AllowGetPublicKey2', 'AllowGetPublicKey3'].map((sid) => callerIs(bySid[sid], 'ArnEquals')).sort()).toEqual(readers);
        expect(bySid.OnlyTheSealerSigns).toMatchObject({ Effect: 'Deny', Action: 'kms:Sign', Principal: { AWS: '*' }, Resource: '*' });
        expect(callerIs(bySid.OnlyTheSealerSigns, 'ArnNotEquals')).toBe(sealer);
        expect(bySid.ChangePolicy).toMatchObject({ Effect: 'Allow', Action: 'kms:PutKeyPolicy', Resource: '*' });
        expect(render((bySid.ChangePolicy.Principal as { AWS: unknown }).AWS)).toBe(ROOT);
        expect(callerIs(bySid.ChangePolicy, 'ArnEquals')).toEqual([breakGlass, deployRole]);
      }
    }
  });

  it('lets the account administer each key, never use it or change its policy; PutKeyPolicy is in no other statement', () => {
    for (const { bySid } of sealKeys(stack, template)) {
      const admin = bySid.KeyAdministration;
      expect(render((admin.Principal as { AWS: unknown }).AWS)).toBe(ROOT);
      const actions = admin.Action as string[];
      // What CloudFormation needs to create, update, alias and retain the key.
      expect(actions).toEqual(expect.arrayContaining(['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:TagResource', 'kms:CreateAlias', 'kms:ScheduleKeyDeletion', 'kms:DisableKey']));
      for (const forbidden of ['kms:*', 'kms:Sign', 'kms:Verify', 'kms:GetPublicKey', 'kms:CreateGrant', 'kms:PutKeyPolicy', 'kms:Create*', 'kms:Get*', 'kms:Put*']) expect(actions).not.toContain(forbidden);
      expect(actions.every((a) => !a.includes('*'))).toBe(true);
      for (const st of Object.values(bySid)) {
        expect(st.Action).not.toEqual('kms:*');
        if ([st.Action].flat().includes('kms:PutKeyPolicy')) expect(st.Sid).toBe('ChangePolicy');
      }
    }
  });

  it('has a break-glass role, assumable in the account with MFA only, retained, that may read and set the seal keys\' policies and nothing else', () => {
    const role = template.toJSON().Resources[logicalIdOf(stack, stack.seal.breakGlass)];
    expect(role.DeletionPolicy).toBe('Retain');
    expect(role.Properties.RoleName).toBe('oneseal-640100-seal-break-glass');
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement as Statement[];
    expect(trust).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } });
    expect(render((trust.Principal as { AWS: unknown }).AWS)).toBe(ROOT);
    const keyArns = stack.seal.keys.map((k) => `{${logicalIdOf(stack, k.key)}.Arn}`);
    expect([...grantsOfRole(template, logicalIdOf(stack, stack.seal.breakGlass))].sort()).toEqual(
      ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey'].flatMap((a) => keyArns.map((k) => `${a} ${k}`)).sort(),
    );
  });

  it("is named in IAM policies only for the sealer (Sign, GetPublicKey), the verifier and the published keys (GetPublicKey), and the break-glass role, key by key", () => {
    for (const city of CITIES) {
      const s = stacks.get(city.stackName)!;
      const t = templates.get(city.stackName)!;
      const role = (name: FunctionName) => `{${logicalIdOf(s, s.functions[name].fn.role!)}}`;
      const breakGlass = `{${logicalIdOf(s, s.seal.breakGlass)}}`;
      const keyArns = s.seal.keys.map((k) => `{${logicalIdOf(s, k.key)}.Arn}`);
      const onTheSeal = allGrants(t).filter((g) => g.pair.startsWith('kms:') || keyArns.some((k) => g.pair.includes(k)));
      expect(onTheSeal.map((g) => JSON.stringify([g.pair, g.roles])).sort(), city.stackName).toEqual(
        keyArns
          .flatMap((k) => [
            [`kms:Sign ${k}`, [role('seal-licenses')]],
            [`kms:GetPublicKey ${k}`, [role('seal-licenses')]],
            [`kms:GetPublicKey ${k}`, [role('verify-license')]],
            [`kms:GetPublicKey ${k}`, [role('seal-keys')]],
            ...['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey'].map((a) => [`${a} ${k}`, [breakGlass]]),
          ])
          .map((x) => JSON.stringify(x))
          .sort(),
      );
    }
  });

  it("tells the sealer and the verifiers every key with its period (SEAL_KEYS), oldest first, and tells no other function", () => {
    for (const city of CITIES) {
      const s = stacks.get(city.stackName)!;
      const t = templates.get(city.stackName)!;
      const expected = city.seal.keys.map((k, i) => ({ key: `{${logicalIdOf(s, s.seal.keys[i].key)}.Arn}`, activeFrom: k.activeFrom, ...(k.activeUntil ? { activeUntil: k.activeUntil } : {}) }));
      for (const name of FUNCTION_NAMES) {
        const env = fnOf(name, s, t).props.Environment.Variables as Record<string, unknown>;
        if (['seal-licenses', 'verify-license', 'seal-keys'].includes(name)) expect(JSON.parse(render(env.SEAL_KEYS)), `${city.stackName} ${name}`).toEqual(expected);
        else expect(env.SEAL_KEYS, `${city.stackName} ${name}`).toBeUndefined();
        expect(env.SEAL_KEY_ID).toBeUndefined();
      }
    }
  });

  it('alarms on any change to any seal key\'s policy, grants or state, on a Sign by anyone but the sealer, and on any use of the break-glass role', () => {
    for (const city of CITIES) {
      const s = stacks.get(city.stackName)!;
      const t = templates.get(city.stackName)!;
      const keyArns = s.seal.keys.map((k) => ({ 'Fn::GetAtt': [logicalIdOf(s, k.key), 'Arn'] }));
      const topic = Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('ObservabilityAlarms') } });
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.kms'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: Match.objectLike({ resources: { ARN: keyArns }, eventName: Match.arrayWith(['PutKeyPolicy', 'CreateGrant', 'DisableKey', 'ScheduleKeyDeletion']) }),
        },
        Targets: [topic],
      });
      const sealer = { 'Fn::GetAtt': [logicalIdOf(s, s.functions['seal-licenses'].fn.role!), 'Arn'] };
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.kms'],
          detail: Match.objectLike({
            eventName: ['Sign'],
            resources: { ARN: keyArns },
            $or: [{ userIdentity: { type: [{ 'anything-but': ['AssumedRole'] }] } }, { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [sealer] }] } } } }],
          }),
        },
        Targets: [topic],
      });
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'Fn::GetAtt': [logicalIdOf(s, s.seal.breakGlass), 'Arn'] }] } } } },
        },
        Targets: [topic],
      });
    }
  });
});

/**
 * What each function may touch, as infra/access.ts declares it. The actions of each mode are
 * written out here, not imported, so that a change of meaning shows.
 */
const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'];
const MODE_ACTIONS: Record<TableMode, { read: string[]; write: string[] }> = {
  RO: { read: READ, write: [] },
  RW: { read: READ, write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] },
  APPEND: { read: [], write: ['dynamodb:PutItem'] },
  'RO+APPEND': { read: READ, write: ['dynamodb:PutItem'] },
  ADD: { read: [], write: ['dynamodb:UpdateItem'] },
};
/** Since the outbox (issue 15), one function tells the flows an outcome: the delivery of the callbacks. */
const CALLBACKS = ['deliver-events'];

/** The `action resource` pairs a function's declaration should grant, and nothing else. */
function expectedGrants(name: FunctionName): Set<string> {
  const access = ACCESS[name];
  const pairs = new Set<string>(['xray:PutTraceSegments *', 'xray:PutTelemetryRecords *']);
  for (const [id, mode] of Object.entries(access.tables) as [keyof typeof stack.data.tables, TableMode][]) {
    const arn = `{${logicalIdOf(stack, stack.data.tables[id])}.Arn}`;
    const indexed = TABLES.find((t) => t.id === id)!.indexes.length > 0;
    for (const a of MODE_ACTIONS[mode].read) [arn, ...(indexed ? [`${arn}/index/*`] : [])].forEach((r) => pairs.add(`${a} ${r}`));
    for (const a of MODE_ACTIONS[mode].write) pairs.add(`${a} ${arn}`);
  }
  for (const [id, modes] of Object.entries(access.buckets ?? {})) {
    const bucket = `{${logicalIdOf(stack, id === 'materials' ? stack.data.materials : stack.data.licenses)}.Arn}`;
    for (const m of modes) pairs.add(`${{ READ: 's3:GetObject', PUT: 's3:PutObject', DELETE: 's3:DeleteObject' }[m]} ${bucket}/${id}/*`);
    if (modes.includes('DELETE')) pairs.add(`s3:DeleteObjectVersion ${bucket}/${id}/*`);
    if (modes.includes('READ')) pairs.add(`s3:ListBucket ${bucket}`);
  }
  for (const action of access.seal ?? []) for (const { key } of stack.seal.keys) pairs.add(`${action} {${logicalIdOf(stack, key)}.Arn}`);
  if (access.ems) for (const a of ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) pairs.add(`${a} {${logicalIdOf(stack, stack.data.emsSecret)}}`);
  const executions = FLOWS.map((flow) => `arn:{AWS::Partition}:states:cn-northwest-1:{AWS::AccountId}:execution:oneseal-640100-${flow}:*`);
  for (const action of access.flows ?? []) {
    if (action === 'states:StartExecution') stack.flows.machines.forEach((m) => pairs.add(`${action} {${logicalIdOf(stack, m)}}`));
    if (action === 'states:StopExecution' || action === 'states:RedriveExecution') executions.forEach((e) => pairs.add(`${action} ${e}`));
    if (action === 'states:SendTaskSuccess') pairs.add(`${action} *`);
  }
  // Events (issue 15): the relay reads the outbox's stream and feeds the bus and the queues; the delivery consumes the queues with the subscribers' secrets.
  const queues = Object.values(stack.events.queues).map((q) => `{${logicalIdOf(stack, q)}.Arn}`);
  if (access.events === 'enqueue') {
    pairs.add(`events:PutEvents {${logicalIdOf(stack, stack.events.bus)}.Arn}`);
    for (const q of [...queues, `{${logicalIdOf(stack, stack.node.findChild('DeadLetters') as never)}.Arn}`]) for (const a of ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']) pairs.add(`${a} ${q}`);
    const stream = `{${logicalIdOf(stack, stack.data.tables.Outbox)}.StreamArn}`;
    for (const a of ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']) pairs.add(`${a} ${stream}`);
    pairs.add('dynamodb:ListStreams *');
  }
  if (access.events === 'deliver') {
    for (const q of queues) for (const a of ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) pairs.add(`${a} ${q}`);
    for (const s of Object.values(stack.events.secrets)) for (const a of ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) pairs.add(`${a} {${logicalIdOf(stack, s)}}`);
  }
  return pairs;
}

describe('what each function reads and writes (infra/access.ts)', () => {
  it('declares every function of the city, and the stack has no other', () => {
    expect(Object.keys(ACCESS).sort()).toEqual([...FUNCTION_NAMES].sort());
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(FUNCTION_NAMES.length);
  });

  it("puts in each function's environment exactly the tables and buckets it is bound to, the seal key only where it is used, the flows only where they are driven", () => {
    for (const name of FUNCTION_NAMES) {
      // Prepare
      const access = ACCESS[name];
      const env = fnOf(name).props.Environment.Variables as Record<string, unknown>;
      // Assess
      const tablesInEnv = TABLES.filter((t) => t.env in env).map((t) => t.id).sort();
      expect(tablesInEnv, name).toEqual(Object.keys(access.tables).sort());
      for (const t of TABLES.filter((t) => t.env in env)) expect(env[t.env], `${name} ${t.env}`).toEqual({ Ref: logicalIdOf(stack, stack.data.tables[t.id]) });
      const bucketsInEnv = Object.entries(BUCKETS).filter(([, v]) => v in env).map(([k]) => k).sort();
      expect(bucketsInEnv, name).toEqual(Object.keys(access.buckets ?? {}).sort());
      expect('SEAL_KEYS' in env, `${name} SEAL_KEYS`).toBe(!!access.seal?.length);
      // The scope the authorizer requires, for the functions behind the API to check again.
      expect(env.AUTH_SCOPE, `${name} AUTH_SCOPE`).toBe((API_FUNCTIONS as readonly string[]).includes(name) ? 'oneseal' : undefined);
      expect('STATE_MACHINE_ARN_PREFIX' in env, `${name} STATE_MACHINE_ARN_PREFIX`).toBe((access.flows ?? []).some((a) => a !== 'states:SendTaskSuccess'));
      expect('EMS_SECRET_ARN' in env && 'EMS_ENDPOINT' in env, `${name} EMS`).toBe(!!access.ems);
      // What every function needs: the city, its public URL, the seal's algorithm (the audit chain's hash).
      expect(env, name).toMatchObject({ CITY_CODE: '640100', PUBLIC_BASE_URL: 'https://oneseal.yinchuan.gov.cn', SEAL_ALGORITHM: 'SM2_SM3' });
    }
  });

  it("grants each function exactly what its declaration names, action by action and resource by resource", () => {
    for (const name of FUNCTION_NAMES) expect([...fnOf(name).grants].sort(), name).toEqual([...expectedGrants(name)].sort());
  });

  it('reads the calendar everywhere, and only the calendar function writes it', () => {
    const calendar = `{${logicalIdOf(stack, stack.data.tables.Calendar)}.Arn}`;
    for (const name of FUNCTION_NAMES) {
      const { grants } = fnOf(name);
      expect(grants.has(`dynamodb:Scan ${calendar}`), name).toBe(true);
      expect(grants.has(`dynamodb:PutItem ${calendar}`), name).toBe(name === 'calendar');
    }
  });

  it('keeps the audit trail append-only: no role of the stack may update or delete an audit item, writers only put', () => {
    const audit = `{${logicalIdOf(stack, stack.data.tables.Audit)}.Arn}`;
    const onAudit = allGrants(template).filter((g) => g.pair.endsWith(` ${audit}`) || g.pair.includes(` ${audit}/`));
    expect(onAudit.length).toBeGreaterThan(0);
    for (const { pair } of onAudit) expect(pair).toMatch(/^dynamodb:(GetItem|BatchGetItem|Query|Scan|ConditionCheckItem|PutItem) /);
    for (const { pair } of allGrants(template)) expect(pair).not.toMatch(/^dynamodb:(\*|UpdateItem|DeleteItem|BatchWriteItem|PartiQL\w*) .*Audit/);
    const writers = FUNCTION_NAMES.filter((n) => fnOf(n).grants.has(`dynamodb:PutItem ${audit}`));
    expect(writers.length).toBe(Object.values(ACCESS).filter((a) => a.tables.Audit === 'APPEND' || a.tables.Audit === 'RO+APPEND').length);
  });

  it('lets only the delivery of the callbacks send SendTaskSuccess (issue 15: callbacks go through the outbox), and no one SendTaskFailure', () => {
    const senders = allGrants(template).filter((g) => g.pair.startsWith('states:SendTask'));
    expect(senders.every((g) => g.pair === 'states:SendTaskSuccess *')).toBe(true);
    expect(FUNCTION_NAMES.filter((n) => fnOf(n).grants.has('states:SendTaskSuccess *')).sort()).toEqual(CALLBACKS.sort());
  });

  it('lets only redrive-flow redrive, and only executions of the city\'s own flows (issue 12)', () => {
    const redrivers = FUNCTION_NAMES.filter((n) => [...fnOf(n).grants].some((p) => p.startsWith('states:RedriveExecution')));
    expect(redrivers).toEqual(['redrive-flow']);
    expect([...fnOf('redrive-flow').grants].filter((p) => p.startsWith('states:RedriveExecution')).sort()).toEqual(
      FLOWS.map((flow) => `states:RedriveExecution arn:{AWS::Partition}:states:cn-northwest-1:{AWS::AccountId}:execution:oneseal-640100-${flow}:*`).sort(),
    );
  });
});

describe('supervision', () => {
  it('runs the scan on a schedule, its failed invocations to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions['supervision-scan'].fn), 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetters'), 'Arn'] } } })],
    });
  });

  it('alarms when the scan could not process a step (issue 12: SupervisionStepFailures)', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "supervision scan" }',
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'OneSeal', MetricName: 'SupervisionStepFailures', MetricValue: '$.failed' })],
      LogGroupName: { Ref: logicalIdOf(stack, stack.functions['supervision-scan'].fn.logGroup) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SupervisionStepFailures',
      Namespace: 'OneSeal',
      Dimensions: [{ Name: 'City', Value: '640100' }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('ObservabilityAlarms') }],
    });
  });

  it("alarms while next year's official calendar is not published (issue 12: CalendarNextYearProvisional)", () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [Match.objectLike({ MetricName: 'CalendarNextYearProvisional', MetricValue: '$.calendarNextYearProvisional' })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CalendarNextYearProvisional',
      Statistic: 'Maximum',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('ObservabilityAlarms') }],
    });
  });

  it('keeps the published calendar years in their own table, keyed by year (issue 12)', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ KeySchema: [{ AttributeName: 'year', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'year', AttributeType: 'N' }] }),
    });
    expect(logicalIdOf(stack, stack.data.tables.Calendar)).toMatch(/^DataCalendarTable/);
  });
});

describe('the flows', () => {
  it('deploys the very ASL files, every placeholder filled, with logging and tracing on', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines.map((m) => m.Properties.StateMachineName).sort()).toEqual(FLOWS.map((f) => `oneseal-640100-${f}`).sort());
    for (const m of machines) expect(m.DeletionPolicy ?? 'Delete').toBe('Delete'); // stateless: replaceable
    for (const m of machines) {
      expect(m.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(m.Properties.LoggingConfiguration.Level).toBe('ALL');
      expect(Object.keys(m.Properties.DefinitionSubstitutions).sort()).toEqual(['Partition', ...Object.keys(FLOW_FUNCTIONS).map((k) => `${k}FunctionArn`)].sort());
      expect(m.Properties.DefinitionSubstitutions.Partition).toEqual({ Ref: 'AWS::Partition' });
    }
  });

  it("records a failed or timed-out execution of the city's own flows on its application, with retries and a dead-letter queue (issue 12: FlowFailures)", () => {
    const [rule] = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.states'] } } })).map((r) => r.Properties);
    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT'], stateMachineArn: stack.flows.machines.map((m) => ({ Ref: logicalIdOf(stack, m) })) },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions['record-failure'].fn), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.node.findChild('DeadLetters')), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions['record-failure'].fn), 'Arn'] } });
  });

  it('keeps the logs of the flows and of the API as long as the city says (Zhenjiang: 365 days)', () => {
    for (const [city, days] of [[yinchuan, 180], [zhenjiang, 365]] as const) {
      const t = templates.get(city.stackName)!;
      const groups = t.toJSON().Resources as Record<string, { Type: string; Properties: { RetentionInDays: number } }>;
      expect(groups[logicalIdOf(stacks.get(city.stackName)!, stacks.get(city.stackName)!.node.findChild('FlowLogs'))].Properties.RetentionInDays).toBe(days);
      expect(groups[logicalIdOf(stacks.get(city.stackName)!, stacks.get(city.stackName)!.node.findChild('ApiAccessLogs'))].Properties.RetentionInDays).toBe(days);
      for (const [id, r] of Object.entries(groups).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup')) expect(r.Properties.RetentionInDays, `${city.name} ${id}`).toBe(days);
    }
  });
});

describe('the split into constructs', () => {
  it('keeps the logical ids of what a replacement would lose: the seal key, the EMS secret, the API and its stage, the named state machines, the dead letters, the retained logs and keys', () => {
    const ids = Object.keys(template.toJSON().Resources);
    for (const id of ['SealKey94782D95', 'SealKeyAliasCBC7A149', 'EmsSecret11992B77', 'ApiF70053CD', 'DefaultStageEE28A986', 'DeadLettersBBF8BAAB', 'FlowLogs16C1943A', 'ApiAccessLogsE9DF007D', 'AlarmKeyE05DE300']) {
      expect(ids, id).toContain(id);
    }
    for (const id of ['Flowinstant5A5D899E', 'Flowpromised10E6B46C', 'Flowjoint16994CF0', 'Flowreferral13B64853', 'FlowfilingCF0ECB8F']) expect(ids, id).toContain(id);
    for (const id of Object.values(TABLES).map((t) => `Data${t.id}Table`)) expect(ids.some((i) => i.startsWith(id))).toBe(true);
  });
});

describe('the events (issue 15)', () => {
  it("feeds the relay from the outbox's stream, kept 190 days by TTL, its failures to the dead-letter queue", () => {
    const outbox = template.toJSON().Resources[logicalIdOf(stack, stack.data.tables.Outbox)].Properties;
    expect(outbox.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(outbox.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack, stack.functions.relay.fn) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.data.tables.Outbox), 'StreamArn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(stack, stack.node.findChild('DeadLetters') as never), 'Arn'] } } },
    });
  });

  it('delivers through one FIFO queue per subscriber and one for the callbacks, each with its DLQ: 13 receives for a webhook (12 delays, 30 s doubling to 12 h ≈ 29 h), 1000 for a callback', () => {
    expect(Object.keys(stack.events.queues).sort()).toEqual(['callbacks', 'license-library', 'platform']);
    for (const [dest, queue] of Object.entries(stack.events.queues)) {
      const props = template.toJSON().Resources[logicalIdOf(stack, queue)].Properties;
      expect(props.FifoQueue, dest).toBe(true);
      expect(props.RedrivePolicy, dest).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.events.deadLetterQueues[dest]), 'Arn'] }, maxReceiveCount: dest === 'callbacks' ? 1000 : 13 });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalIdOf(stack, stack.functions['deliver-events'].fn) },
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack, queue), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
    // The 12 delays between 13 receives, 30 s doubling, capped at 12 h: at least a day.
    const total = Array.from({ length: 12 }, (_, i) => Math.min(43_200, 30 * 2 ** i)).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(86_400);
  });

  it("tells each subscriber's secret only to the delivery function, and the subscribers and queues to the relay and the delivery", () => {
    expect(Object.keys(stack.events.secrets).sort()).toEqual(['license-library', 'platform']);
    const env = (name: FunctionName) => fnOf(name).props.Environment.Variables as Record<string, unknown>;
    for (const name of FUNCTION_NAMES) {
      expect('SUBSCRIBERS' in env(name), name).toBe(name === 'relay' || name === 'deliver-events');
      expect('DELIVERY_QUEUES' in env(name), name).toBe(name === 'relay' || name === 'deliver-events');
      expect('EVENT_BUS_NAME' in env(name), name).toBe(name === 'relay');
    }
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'oneseal-640100' });
  });

  it('alarms on every dead letter, on the oldest undelivered entry older than an hour, and on the relay five minutes behind', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const on = (metric: string) => alarms.filter((a) => a.MetricName === metric);
    const dlqs = Object.values(stack.events.deadLetterQueues).map((q) => logicalIdOf(stack, q));
    for (const dlq of dlqs) expect(on('ApproximateNumberOfMessagesVisible').some((a) => JSON.stringify(a.Dimensions).includes(dlq)), dlq).toBe(true);
    expect(on('ApproximateAgeOfOldestMessage').map((a) => a.Threshold)).toEqual([3600, 3600, 3600]);
    expect(on('IteratorAge')).toHaveLength(1);
    expect(on('IteratorAge')[0].Threshold).toBe(300_000);
  });
});
