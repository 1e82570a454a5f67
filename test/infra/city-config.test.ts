import { beforeAll, describe, expect, it, vi } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CityStack } from '../../infra/city-stack.ts';
import { defineCity, type CityConfig } from '../../infra/cities/city.ts';
import { demo } from '../../infra/cities/demo.ts';
import { yinchuan } from '../../infra/cities/yinchuan.ts';
import { grantsOfRole, logicalIdOf, render } from './grants.ts';

/**
 * What a city's configuration changes in its stack. The functions' code is not bundled here
 * (a one-line stand-in; city-stack.test.ts bundles the real code), which keeps these checks
 * fast; cdk-nag runs.
 */
vi.mock('aws-cdk-lib/aws-lambda-nodejs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('aws-cdk-lib/aws-lambda-nodejs')>();
  const { Code, Function } = await import('aws-cdk-lib/aws-lambda');
  class NodejsFunction extends Function {
    constructor(scope: ConstructorParameters<typeof Function>[0], id: string, props: import('aws-cdk-lib/aws-lambda-nodejs').NodejsFunctionProps) {
      const { entry: _entry, projectRoot: _root, depsLockFilePath: _lock, bundling: _bundling, handler: _handler, runtime, ...rest } = props;
      super(scope, id, { ...rest, runtime: runtime!, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {};') });
    }
  }
  return { ...actual, NodejsFunction };
});

function synth(city: CityConfig) {
  const app = new App();
  const stack = new CityStack(app, city.stackName, { city, env: { region: city.region } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth(); // throws on any unacknowledged cdk-nag finding
  return { stack, template: Template.fromStack(stack) };
}

/** The first synthesis loads most of aws-cdk-lib: several seconds to a minute on a busy machine. */
const SLOW = 180_000;

const WAF = {
  webAclArn: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/oneseal-demo/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
  certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/12345678-abcd-ef01-2345-EXAMPLE22222',
};

describe('a WAF in front of the API', () => {
  let edge: ReturnType<typeof synth>;
  beforeAll(() => {
    edge = synth(defineCity({ ...demo, waf: WAF }));
  }, SLOW);

  it('puts a CloudFront distribution carrying the web ACL in front of the HTTP API, for the public host, TLS 1.2, logged, cdk-nag clean', () => {
    const { stack, template } = edge;
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: WAF.webAclArn,
        Aliases: ['demo.oneseal.example.org'],
        ViewerCertificate: Match.objectLike({ AcmCertificateArn: WAF.certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021' }),
        Logging: Match.objectLike({ Bucket: Match.anyValue(), Prefix: 'cloudfront/' }),
        Origins: [
          Match.objectLike({
            DomainName: { 'Fn::Join': ['.', [{ Ref: logicalIdOf(stack, stack.api.api) }, 'execute-api', { Ref: 'AWS::Region' }, { Ref: 'AWS::URLSuffix' }]] },
            CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] }),
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'] }),
      }),
    });
  });

  it('is not offered in the China regions, where AWS WAF is regional only and cannot be attached to an HTTP API', () => {
    expect(() => defineCity({ ...yinchuan, waf: WAF })).toThrow(/regional only/);
  });

  it('needs a web ACL of CloudFront scope (us-east-1) and a certificate from us-east-1', () => {
    expect(() => defineCity({ ...demo, waf: { ...WAF, webAclArn: WAF.webAclArn.replace('us-east-1', 'ap-southeast-1') } })).toThrow();
    expect(() => defineCity({ ...demo, waf: { ...WAF, certificateArn: WAF.certificateArn.replace('us-east-1', 'ap-southeast-1') } })).toThrow();
  });

  it('is off unless configured', () => {
    const { template } = synth(demo);
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
  }, SLOW);
});

describe("the city's limits", () => {
  it('takes the stage default, the public limit, route limits and reserved concurrency from the configuration', () => {
    // Prepare
    const city = defineCity({
      ...yinchuan,
      throttling: {
        default: { rateLimit: 300, burstLimit: 600 },
        public: { rateLimit: 50, burstLimit: 80 },
        routes: { 'GET /v1/licenses/{licenseNo}/verify': { rateLimit: 5, burstLimit: 10 }, 'POST /v1/uploads': { rateLimit: 30, burstLimit: 60 } },
      },
      concurrency: { 'seal-licenses': 25, 'supervision-scan': 2, 'verify-license': 40 },
    });
    // Act
    const { stack, template } = synth(city);
    // Assess
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')).map((r) => r.Properties);
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 });
    expect(stage.RouteSettings['GET /v1/catalog/items']).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 });
    expect(stage.RouteSettings['GET /v1/licenses/{licenseNo}/verify']).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    expect(stage.RouteSettings['POST /v1/uploads']).toEqual({ ThrottlingRateLimit: 30, ThrottlingBurstLimit: 60 });
    // A built-in route limit the city did not override stays.
    expect(stage.RouteSettings['POST /v1/licenses/{licenseNo}/verify']).toEqual({ ThrottlingRateLimit: 2, ThrottlingBurstLimit: 5 });
    const reserved = (name: 'seal-licenses' | 'supervision-scan' | 'verify-license') =>
      template.toJSON().Resources[logicalIdOf(stack, stack.functions[name].fn)].Properties.ReservedConcurrentExecutions;
    expect([reserved('seal-licenses'), reserved('supervision-scan'), reserved('verify-license')]).toEqual([25, 2, 40]);
  }, SLOW);

  it('refuses a route limit for a key that is not a route of the API', () => {
    expect(() => defineCity({ ...yinchuan, throttling: { routes: { '/v1/health': { rateLimit: 1, burstLimit: 1 } } } })).toThrow();
    const city = defineCity({ ...yinchuan, throttling: { routes: { 'GET /v1/nothing': { rateLimit: 1, burstLimit: 1 } } } });
    expect(() => synth(city)).toThrow(/names no route: GET \/v1\/nothing/);
  }, SLOW);
});

describe('seal keys in the configuration', () => {
  const key = (name: string, activeFrom: string, activeUntil?: string) => ({ name, activeFrom, ...(activeUntil ? { activeUntil } : {}) });
  const withKeys = (keys: ReturnType<typeof key>[]) => ({ ...yinchuan, seal: { ...yinchuan.seal, keys } });

  it('refuses keys out of order, overlapping periods, and a period that ends before it begins', () => {
    expect(() => defineCity(withKeys([key('seal-2026', '2026-01-01T00:00:00+08:00'), key('seal-2024', '2024-01-01T00:00:00+08:00')]))).toThrow(/oldest first/);
    expect(() => defineCity(withKeys([key('seal-2024', '2024-01-01T00:00:00+08:00', '2026-03-01T00:00:00+08:00'), key('seal-2026', '2026-01-01T00:00:00+08:00')]))).toThrow(/must not overlap/);
    expect(() => defineCity(withKeys([key('seal-2024', '2024-01-01T00:00:00+08:00', '2023-01-01T00:00:00+08:00')]))).toThrow(/after its activeFrom/);
    expect(() => defineCity(withKeys([key('seal-2024', '2024-01-01T00:00:00+08:00'), key('seal-2024', '2026-01-01T00:00:00+08:00')]))).toThrow(/unique/);
    expect(() => defineCity(withKeys([]))).toThrow();
  });

  it('accepts a compromise: the old key ends at the moment of the compromise, the new key begins later', () => {
    const city = defineCity(withKeys([key('seal-2024', '2024-01-01T00:00:00+08:00', '2026-03-02T09:30:00+08:00'), key('seal-2026', '2026-03-03T00:00:00+08:00')]));
    expect(city.seal.keys).toHaveLength(2);
  });

  it('deploys a rotated city (after a compromise): two retained keys, the later one under SealKey-<name>, and SEAL_KEYS with both periods for the sealer and the verifiers', () => {
    // Prepare
    const city = defineCity(withKeys([key('seal-2024', '2024-01-01T00:00:00+08:00', '2026-03-02T09:30:00+08:00'), key('seal-2026', '2026-03-03T00:00:00+08:00')]));
    // Act
    const { stack, template } = synth(city);
    // Assess
    const [first, second] = stack.seal.keys.map((k) => logicalIdOf(stack, k.key));
    expect(first).toBe('SealKey94782D95');
    expect(second).toMatch(/^SealKeyseal2026/);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }) });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/oneseal-640100-seal-seal-2026', TargetKeyId: { 'Fn::GetAtt': [second, 'Arn'] } });
    for (const name of ['seal-licenses', 'verify-license', 'seal-keys'] as const) {
      const env = template.toJSON().Resources[logicalIdOf(stack, stack.functions[name].fn)].Properties.Environment.Variables;
      expect(JSON.parse(render(env.SEAL_KEYS)), name).toEqual([
        { key: `{${first}.Arn}`, activeFrom: '2024-01-01T00:00:00+08:00', activeUntil: '2026-03-02T09:30:00+08:00' },
        { key: `{${second}.Arn}`, activeFrom: '2026-03-03T00:00:00+08:00' },
      ]);
    }
    // The sealer may sign with, and read, both keys: the keyring picks the active one.
    const sealer = grantsOfRole(template, logicalIdOf(stack, stack.functions['seal-licenses'].fn.role!));
    for (const id of [first, second]) for (const action of ['kms:Sign', 'kms:GetPublicKey']) expect(sealer.has(`${action} {${id}.Arn}`)).toBe(true);
  }, SLOW);
});

describe('the authorizer and the break-glass path in the configuration', () => {
  it('requires the city\'s scope on every protected route and tells the API functions the same scope', () => {
    // Prepare
    const city = defineCity({ ...yinchuan, identityProvider: { ...yinchuan.identityProvider, scope: 'oneseal.api' } });
    // Act
    const { stack, template } = synth(city);
    // Assess
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    for (const route of routes) expect(route.AuthorizationScopes, route.RouteKey).toEqual(route.AuthorizationType === 'JWT' ? ['oneseal.api'] : undefined);
    expect(routes.filter((r) => r.AuthorizationType === 'JWT').length).toBeGreaterThan(10);
    expect(template.toJSON().Resources[logicalIdOf(stack, stack.functions['complete-task'].fn)].Properties.Environment.Variables.AUTH_SCOPE).toBe('oneseal.api');
    expect(template.toJSON().Resources[logicalIdOf(stack, stack.functions['seal-licenses'].fn)].Properties.Environment.Variables.AUTH_SCOPE).toBeUndefined();
  }, SLOW);

  it('refuses a scope that is not one RFC 6749 scope token', () => {
    expect(() => defineCity({ ...yinchuan, identityProvider: { ...yinchuan.identityProvider, scope: 'oneseal admin' } })).toThrow();
    expect(() => defineCity({ ...yinchuan, identityProvider: { ...yinchuan.identityProvider, scope: '' } })).toThrow();
  });

  it('lets the configured deployment role, and the break-glass role, set the seal key policy', () => {
    const { stack, template } = synth(defineCity({ ...yinchuan, seal: { ...yinchuan.seal, deployRoleName: 'oneseal-deploy' } }));
    const [key] = Object.values(template.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } }));
    const change = (key.Properties.KeyPolicy.Statement as { Sid: string; Condition: { ArnEquals: Record<string, unknown[]> } }[]).find((s) => s.Sid === 'ChangePolicy')!;
    expect(change.Condition.ArnEquals['aws:PrincipalArn'].map(render)).toEqual([`{${logicalIdOf(stack, stack.seal.breakGlass)}.Arn}`, 'arn:{AWS::Partition}:iam::{AWS::AccountId}:role/oneseal-deploy']);
  }, SLOW);
});

describe("a city's event subscribers (issue 15)", () => {
  it('gives each subscriber a FIFO queue with its DLQ, a generated signing secret and alarms; a city without any has the callbacks queue only', () => {
    // Prepare
    const city = defineCity({ ...demo, subscribers: [{ id: 'notify', url: 'https://notify.example.gov.cn/events', types: ['application.completed', 'license.*'] }] });
    // Act
    const { stack, template } = synth(city);
    const { stack: bare } = synth(defineCity({ ...demo, subscribers: [] }));
    // Assess
    expect(Object.keys(stack.events.queues).sort()).toEqual(['callbacks', 'notify']);
    expect(Object.keys(bare.events.queues)).toEqual(['callbacks']);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `oneseal/${demo.areaCode}/subscriber/notify` });
    const env = template.toJSON().Resources[logicalIdOf(stack, stack.functions['deliver-events'].fn)].Properties.Environment.Variables;
    expect(JSON.stringify(env.SUBSCRIBERS)).toContain('https://notify.example.gov.cn/events');
    expect(JSON.stringify(env.SUBSCRIBERS)).toContain('license.*');
  }, SLOW);

  it('refuses a subscriber without https, two with one id, one named like the callbacks queue, and an unknown type pattern', () => {
    const sub = { id: 'a', url: 'https://a.example/e', types: ['*'] };
    expect(() => defineCity({ ...demo, subscribers: [{ ...sub, url: 'http://a.example/e' }] })).toThrow();
    expect(() => defineCity({ ...demo, subscribers: [sub, sub] })).toThrow(/unique/);
    expect(() => defineCity({ ...demo, subscribers: [{ ...sub, id: 'callbacks' }] })).toThrow();
    expect(() => defineCity({ ...demo, subscribers: [{ ...sub, types: ['license'] }] })).toThrow();
  });
});
