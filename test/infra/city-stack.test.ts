import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CityStack } from '../../infra/city-stack.ts';
import { yinchuan } from '../../infra/cities/yinchuan.ts';
import { ROUTES, API_FUNCTIONS, FLOW_FUNCTIONS, SCHEDULED_FUNCTIONS } from '#functions/routes.ts';
import { TABLES } from '#shared/adapters/aws/tables.ts';
import { FLOWS } from '../../local/flows.ts';

/** The Yinchuan stack as CloudFormation will receive it, functions bundled by the local esbuild. */
let template: Template;
beforeAll(() => {
  const app = new App();
  const stack = new CityStack(app, 'OneSeal-640100', { city: yinchuan, env: { region: yinchuan.region } });
  template = Template.fromStack(stack);
}, 120_000);

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
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 * 30 } } },
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
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 7 })]) } });
  });

  it('has the approval seal as an asymmetric signing key in KMS, retained', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' } });
  });
});

describe('the functions and the API', () => {
  it('bundles every function for Node 22 on ARM with tracing and a log group kept 180 days', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(API_FUNCTIONS.length + Object.keys(FLOW_FUNCTIONS).length + SCHEDULED_FUNCTIONS.length);
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
    for (const m of machines) {
      expect(m.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(m.Properties.LoggingConfiguration.Level).toBe('ALL');
      expect(Object.keys(m.Properties.DefinitionSubstitutions).sort()).toEqual(['Partition', ...Object.keys(FLOW_FUNCTIONS).map((k) => `${k}FunctionArn`)].sort());
      expect(m.Properties.DefinitionSubstitutions.Partition).toEqual({ Ref: 'AWS::Partition' });
    }
  });
});
