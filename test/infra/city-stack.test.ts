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
    // Swept uploads leave old versions behind, which expire; no rule ever expires a current material.
    const materialRules = Object.values(template.findResources('AWS::S3::Bucket')).flatMap((b) => b.Properties.LifecycleConfiguration?.Rules ?? []);
    expect(materialRules).toContainEqual(expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 1 }, ExpiredObjectDeleteMarker: true }));
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

  it('routes every path of the contract, the protected ones behind the provincial JWT authorizer', () => {
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

describe('the seal key', () => {
  const statements = (t: Template) => {
    const [key] = Object.values(t.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } }));
    return key.Properties.KeyPolicy.Statement as Statement[];
  };

  it('has a policy of five statements: administration, the sealer signs, the verifier and the published keys read the public key, and no one else signs', () => {
    for (const city of CITIES) {
      // Prepare
      const s = stacks.get(city.stackName)!;
      const t = templates.get(city.stackName)!;
      const sealer = `{${logicalIdOf(s, s.functions['seal-licenses'].fn.role!)}.Arn}`;
      const verifier = `{${logicalIdOf(s, s.functions['verify-license'].fn.role!)}.Arn}`;
      const publisher = `{${logicalIdOf(s, s.functions['seal-keys'].fn.role!)}.Arn}`;
      const bySid = Object.fromEntries(statements(t).map((st) => [st.Sid, st]));
      const root = 'arn:{AWS::Partition}:iam::{AWS::AccountId}:root';
      const callerIs = (st: Statement, op: 'ArnEquals' | 'ArnNotEquals') => render((st.Condition as Record<string, Record<string, unknown>>)[op]['aws:PrincipalArn']);
      // Assess
      expect(Object.keys(bySid).sort()).toEqual(['AllowGetPublicKey1', 'AllowGetPublicKey2', 'AllowSign1', 'KeyAdministration', 'OnlyTheSealerSigns']);
      expect(bySid.AllowSign1).toMatchObject({ Effect: 'Allow', Action: 'kms:Sign', Resource: '*' });
      expect(render((bySid.AllowSign1.Principal as { AWS: unknown }).AWS)).toBe(root);
      expect(callerIs(bySid.AllowSign1, 'ArnEquals')).toBe(sealer);
      for (const sid of ['AllowGetPublicKey1', 'AllowGetPublicKey2']) expect(bySid[sid]).toMatchObject({ Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: '*' });
      expect([callerIs(bySid.AllowGetPublicKey1, 'ArnEquals'), callerIs(bySid.AllowGetPublicKey2, 'ArnEquals')].sort()).toEqual([verifier, publisher].sort());
      expect(bySid.OnlyTheSealerSigns).toMatchObject({ Effect: 'Deny', Action: 'kms:Sign', Principal: { AWS: '*' }, Resource: '*' });
      expect(callerIs(bySid.OnlyTheSealerSigns, 'ArnNotEquals')).toBe(sealer);
    }
  });

  it('lets the account administer the key, never use it, and keeps PutKeyPolicy with the account so that no policy locks it out', () => {
    const admin = statements(template).find((st) => st.Sid === 'KeyAdministration')!;
    expect(render((admin.Principal as { AWS: unknown }).AWS)).toBe('arn:{AWS::Partition}:iam::{AWS::AccountId}:root');
    const actions = admin.Action as string[];
    // What CloudFormation needs to create, update, alias and retain the key, and what the break-glass path needs.
    expect(actions).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:TagResource', 'kms:CreateAlias', 'kms:ScheduleKeyDeletion', 'kms:DisableKey']));
    for (const forbidden of ['kms:*', 'kms:Sign', 'kms:Verify', 'kms:GetPublicKey', 'kms:CreateGrant', 'kms:Create*', 'kms:Get*']) expect(actions).not.toContain(forbidden);
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
    // No statement of the key policy grants kms:* to anyone.
    for (const st of statements(template)) expect(st.Action).not.toEqual('kms:*');
  });

  it("is named in three IAM policies only: the sealer's, to sign, and the verifier's and the published keys', to read the public key", () => {
    const keyArn = `{${logicalIdOf(stack, stack.seal.key)}.Arn}`;
    const onTheSeal = allGrants(template).filter((g) => g.pair.startsWith('kms:') || g.pair.includes(keyArn));
    expect(onTheSeal.map((g) => [g.pair, g.roles]).sort()).toEqual(
      [
        [`kms:GetPublicKey ${keyArn}`, [`{${logicalIdOf(stack, stack.functions['verify-license'].fn.role!)}}`]],
        [`kms:GetPublicKey ${keyArn}`, [`{${logicalIdOf(stack, stack.functions['seal-keys'].fn.role!)}}`]],
        [`kms:Sign ${keyArn}`, [`{${logicalIdOf(stack, stack.functions['seal-licenses'].fn.role!)}}`]],
      ].sort(),
    );
  });

  it('alarms on any change to its policy, grants or state, and on a Sign by anyone but the sealer', () => {
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.seal.key), 'Arn'] };
    const topic = Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('ObservabilityAlarms') } });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: Match.objectLike({ resources: { ARN: [keyArn] }, eventName: Match.arrayWith(['PutKeyPolicy', 'CreateGrant', 'DisableKey', 'ScheduleKeyDeletion']) }),
      },
      Targets: [topic],
    });
    const sealer = { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions['seal-licenses'].fn.role!), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.kms'],
        detail: Match.objectLike({
          eventName: ['Sign'],
          resources: { ARN: [keyArn] },
          $or: [{ userIdentity: { type: [{ 'anything-but': ['AssumedRole'] }] } }, { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [sealer] }] } } } }],
        }),
      },
      Targets: [topic],
    });
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
const CALLBACKS = ['complete-task', 'correct-application', 'ems-webhook', 'record-pickup', 'supervision-scan'];

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
    if (modes.includes('READ')) pairs.add(`s3:ListBucket ${bucket}`);
  }
  for (const action of access.seal ?? []) pairs.add(`${action} {${logicalIdOf(stack, stack.seal.key)}.Arn}`);
  if (access.ems) for (const a of ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) pairs.add(`${a} {${logicalIdOf(stack, stack.data.emsSecret)}}`);
  const executions = FLOWS.map((flow) => `arn:{AWS::Partition}:states:cn-northwest-1:{AWS::AccountId}:execution:oneseal-640100-${flow}:*`);
  for (const action of access.flows ?? []) {
    if (action === 'states:StartExecution') stack.flows.machines.forEach((m) => pairs.add(`${action} {${logicalIdOf(stack, m)}}`));
    if (action === 'states:StopExecution' || action === 'states:RedriveExecution') executions.forEach((e) => pairs.add(`${action} ${e}`));
    if (action === 'states:SendTaskSuccess') pairs.add(`${action} *`);
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
      expect('SEAL_KEY_ID' in env, `${name} SEAL_KEY_ID`).toBe(!!access.seal?.length);
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

  it('lets only the five functions that complete a callback send SendTaskSuccess, and no one SendTaskFailure', () => {
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
