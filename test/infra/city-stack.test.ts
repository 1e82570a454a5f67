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
import { TABLES } from '#shared/adapters/aws/tables.ts';
import { FLOWS } from '#shared/domain/catalog.ts';

/**
 * Every city's stack as CloudFormation will receive it, functions bundled by the local esbuild,
 * checked by cdk-nag's AwsSolutions pack as `npm run synth` does. Yinchuan is looked at closely.
 */
let app: App;
let template: Template;
let templates: Map<string, Template>;
beforeAll(() => {
  app = new App();
  const stacks = CITIES.map((city) => new CityStack(app, city.stackName, { city, env: { region: city.region } }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth(); // throws on any unacknowledged cdk-nag finding
  templates = new Map(stacks.map((s) => [s.stackName, Template.fromStack(s)]));
  template = templates.get(yinchuan.stackName)!;
}, 180_000);

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
  it('bundles every function for Node 22 on ARM with tracing and a log group kept 180 days', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(API_FUNCTIONS.length + Object.keys(FLOW_FUNCTIONS).length + SCHEDULED_FUNCTIONS.length + EVENT_FUNCTIONS.length);
    for (const fn of Object.values(fns)) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
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

  it('lets the sealer sign with the seal key and nothing else reach it', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const signers = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('kms:Sign'));
    expect(signers).toHaveLength(1);
    expect(signers[0].Properties.Roles[0].Ref).toMatch(/seallicenses/i);
  });
});

describe('supervision', () => {
  it('runs the scan on a schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
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
});
