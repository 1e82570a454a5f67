import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { ArnFormat, Aws, CfnOutput, Validations, type CfnElement, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Observability } from './constructs/observability.ts';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, IConstruct } from 'constructs';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { API_FUNCTIONS, EVENT_FUNCTIONS, FLOW_FUNCTIONS, ROUTES, SCHEDULED_FUNCTIONS, type ApiFunction, type FlowFunction } from '../shared/http/routes.ts';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { BUCKETS, TABLES } from '../shared/adapters/aws/tables.ts';
import { FLOWS } from '../shared/domain/catalog.ts';
import { catalogFor } from '../shared/catalog/index.ts';
import type { CityConfig } from './cities/city.ts';
import { Data } from './constructs/data.ts';
import { AppFunction } from './constructs/function.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const FONT = join(ROOT, 'node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const HARFBUZZ = join(ROOT, 'node_modules/harfbuzzjs');

export interface CityStackProps extends StackProps {
  city: CityConfig;
}

/** One city: its data, its approval seal, its functions, its HTTP API and its flows. */
type FunctionName = ApiFunction | FlowFunction | (typeof SCHEDULED_FUNCTIONS)[number] | (typeof EVENT_FUNCTIONS)[number];

export class CityStack extends Stack {
  readonly functions: Record<FunctionName, AppFunction>;

  constructor(scope: Construct, id: string, props: CityStackProps) {
    super(scope, id, props);
    const { city } = props;
    catalogFor(city.areaCode); // a catalogue that does not validate never deploys

    const data = new Data(this, 'Data', city);
    // The seal keys, oldest first (city.seal.keys): the first keeps the id, alias and description
    // it was deployed with; each later one is a key of its own. All are retained for verification.
    const sealKeys = city.seal.keys.map(
      (k, i) =>
        new Key(this, i === 0 ? 'SealKey' : `SealKey-${k.name}`, {
          description: i === 0 ? `${city.name}审批专用章 (approval seal)` : `${city.name}审批专用章 (approval seal, ${k.name})`,
          keySpec: city.seal.keySpec === 'SM2' ? KeySpec.SM2 : KeySpec.ECC_NIST_P256,
          keyUsage: KeyUsage.SIGN_VERIFY,
          alias: i === 0 ? `alias/oneseal-${city.areaCode}-seal` : `alias/oneseal-${city.areaCode}-seal-${k.name}`,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
    );
    const grantSeal = (fn: IFunction, ...actions: string[]) => sealKeys.forEach((key) => key.grant(fn, ...actions));

    const machinePrefix = `oneseal-${city.areaCode}-`;
    const environment: Record<string, string> = {
      PUBLIC_BASE_URL: city.publicBaseUrl,
      STATE_MACHINE_ARN_PREFIX: this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: machinePrefix, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      SEAL_MODE: 'kms',
      SEAL_ALGORITHM: city.seal.keySpec === 'SM2' ? 'SM2_SM3' : 'ECDSA_P256_SHA256',
      // Every key with its active period (shared/domain/keyring.ts): sealing uses the active one.
      SEAL_KEYS: this.toJsonString(city.seal.keys.map((k, i) => ({ key: sealKeys[i].keyArn, activeFrom: k.activeFrom, ...(k.activeUntil ? { activeUntil: k.activeUntil } : {}) }))),
      [BUCKETS.materials]: data.materials.bucketName,
      [BUCKETS.licenses]: data.licenses.bucketName,
      ...Object.fromEntries(TABLES.map((t) => [t.env, data.tables[t.id].tableName])),
    };
    const make = (name: FunctionName) =>
      new AppFunction(this, `Fn-${name}`, {
        name,
        cityCode: city.areaCode,
        environment,
        logRetentionDays: city.logRetentionDays,
        ...(name === 'seal-licenses'
          ? {
              memorySize: 1536,
              timeout: Duration.minutes(5),
              environment: { ...environment, SEAL_FONT_FILE: '/var/task/NotoSansSC-Regular.ttf' },
              // The font, and harfbuzz's wasm where shared/seal/subset.ts resolves it (node_modules/harfbuzzjs beside the bundle).
              bundling: {
                commandHooks: {
                  beforeBundling: () => [],
                  beforeInstall: () => [],
                  afterBundling: (_i: string, out: string) => [`cp "${FONT}" "${out}/NotoSansSC-Regular.ttf"`, `mkdir -p "${out}/node_modules"`, `cp -r "${HARFBUZZ}" "${out}/node_modules/harfbuzzjs"`],
                },
              },
            }
          : {}),
      });
    this.functions = Object.fromEntries([...API_FUNCTIONS, ...Object.values(FLOW_FUNCTIONS), ...SCHEDULED_FUNCTIONS, ...EVENT_FUNCTIONS].map((n) => [n, make(n)])) as Record<FunctionName, AppFunction>;
    const f = this.functions;
    const t = data.tables;

    // Least privilege: each function gets exactly the tables, buckets and keys its use case touches.
    f['verify-license'].bindTable(t.Licenses, 'RO');
    data.licenses.grantRead(f['verify-license'].fn);
    grantSeal(f['verify-license'].fn, 'kms:GetPublicKey');
    grantSeal(f['seal-keys'].fn, 'kms:GetPublicKey');
    f['license-seal'].bindTable(t.Licenses, 'RO');
    f['license-seal'].bindTable(t.Applications, 'RO');
    f.uploads.bindTable(t.Uploads, 'RW');
    data.materials.grantPut(f.uploads.fn, 'materials/*');
    for (const [table, mode] of [[t.Applications, 'RW'], [t.Audit, 'RW'], [t.Uploads, 'RW'], [t.Counters, 'RW'], [t.Blacklist, 'RW']] as const) f['submit-application'].bindTable(table, mode);
    for (const [table, mode] of [[t.Applications, 'RW'], [t.Audit, 'RW'], [t.Uploads, 'RW'], [t.Tasks, 'RW']] as const) f['correct-application'].bindTable(table, mode);
    data.materials.grantRead(f['correct-application'].fn, 'materials/*');
    for (const [table, mode] of [[t.Applications, 'RW'], [t.Audit, 'RW'], [t.Tasks, 'RW']] as const) f['withdraw-application'].bindTable(table, mode);
    for (const [table, mode] of [[t.Applications, 'RW'], [t.Audit, 'RW'], [t.Tasks, 'RW']] as const) f['application-clock'].bindTable(table, mode);
    for (const [table, mode] of [[t.Applications, 'RW'], [t.Audit, 'RW'], [t.Cases, 'RW']] as const) f['evaluate-application'].bindTable(table, mode);
    f['read-audit'].bindTable(t.Applications, 'RO');
    f['read-audit'].bindTable(t.Audit, 'RO');
    for (const table of [t.Tasks, t.Cases, t.Applications, t.Counters]) f.supervision.bindTable(table, 'RO');
    for (const table of [t.Tasks, t.Cases, t.Applications, t.Audit]) f['supervision-scan'].bindTable(table, 'RW');
    f.blacklist.bindTable(t.Blacklist, 'RW');
    f.blacklist.bindTable(t.Audit, 'RW');
    data.materials.grantRead(f['submit-application'].fn, 'materials/*');
    f['sweep-uploads'].bindTable(t.Uploads, 'RW');
    data.materials.grantDelete(f['sweep-uploads'].fn, 'materials/*');
    f['read-applications'].bindTable(t.Applications, 'RO');
    f['read-applications'].bindTable(t.Audit, 'RO');
    f['list-tasks'].bindTable(t.Tasks, 'RO');
    for (const [table, mode] of [[t.Tasks, 'RW'], [t.Applications, 'RW'], [t.Audit, 'RW']] as const) f['complete-task'].bindTable(table, mode);
    f['get-license'].bindTable(t.Licenses, 'RO');
    f['get-license'].bindTable(t.Applications, 'RO');
    data.licenses.grantRead(f['get-license'].fn);
    f['conclude-joint-review'].bindTable(t.Applications, 'RW');
    f['conclude-joint-review'].bindTable(t.Audit, 'RW');
    f['open-task'].bindTable(t.Tasks, 'RW');
    f['open-task'].bindTable(t.Applications, 'RO');
    for (const [table, mode] of [[t.Applications, 'RW'], [t.Audit, 'RW'], [t.Licenses, 'RW'], [t.Counters, 'RW']] as const) f['seal-licenses'].bindTable(table, mode);
    data.licenses.grantPut(f['seal-licenses'].fn, 'licenses/*');
    grantSeal(f['seal-licenses'].fn, 'kms:Sign', 'kms:GetPublicKey');
    // Every function computes on the working-day calendar, whose published years it reads.
    for (const fn of Object.values(f)) fn.bindTable(t.Calendar, 'RO');
    for (const [table, mode] of [[t.Calendar, 'RW'], [t.Audit, 'RW'], [t.Applications, 'RW'], [t.Tasks, 'RW']] as const) f.calendar.bindTable(table, mode);
    for (const [table, mode] of [[t.Applications, 'RW'], [t.Audit, 'RW'], [t.Tasks, 'RW'], [t.Cases, 'RW']] as const) f['record-failure'].bindTable(table, mode);
    for (const [table, mode] of [[t.Applications, 'RW'], [t.Audit, 'RW']] as const) f['redrive-flow'].bindTable(table, mode);
    for (const name of ['deliver', 'ems-webhook', 'record-pickup', 'revoke-license'] as const) {
      f[name].bindTable(t.Applications, 'RW');
      f[name].bindTable(t.Audit, 'RW');
    }
    for (const name of ['ems-webhook', 'record-pickup'] as const) f[name].bindTable(t.Tasks, 'RW');
    f['revoke-license'].bindTable(t.Licenses, 'RW');
    // EMS: the webhook secrets (current and previous, for rotation) and the API credentials, in Secrets Manager.
    const emsSecret = new Secret(this, 'EmsSecret', {
      description: `EMS webhook secrets and API credentials for ${city.name}: {"current","previous","partnerId","key"}`,
      generateSecretString: { secretStringTemplate: JSON.stringify({ partnerId: 'to-be-set' }), generateStringKey: 'current', excludePunctuation: true, passwordLength: 48 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const name of ['ems-webhook', 'deliver'] as const) {
      emsSecret.grantRead(f[name].fn);
      f[name].fn.addEnvironment('EMS_SECRET_ARN', emsSecret.secretArn);
      f[name].fn.addEnvironment('EMS_ENDPOINT', city.emsEndpoint);
    }

    // The flows: the very ASL files the embedded runtime runs, with the ARNs filled in.
    const flowLogs = new LogGroup(this, 'FlowLogs', { retention: RetentionDays.SIX_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    const substitutions = {
      Partition: Aws.PARTITION,
      ...Object.fromEntries(Object.entries(FLOW_FUNCTIONS).map(([key, name]) => [`${key}FunctionArn`, f[name].fn.functionArn])),
    };
    const machines = FLOWS.map((flow) => {
      const machine = new StateMachine(this, `Flow-${flow}`, {
        stateMachineName: `${machinePrefix}${flow}`,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(readFileSync(join(ROOT, 'statemachines', `${flow}.asl.json`), 'utf8')),
        definitionSubstitutions: substitutions,
        logs: { destination: flowLogs, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      for (const name of Object.values(FLOW_FUNCTIONS)) f[name].fn.grantInvoke(machine);
      machine.grantStartExecution(f['submit-application'].fn);
      return machine;
    });
    // Withdrawal stops the application's execution, of whichever of this city's flows it runs.
    const executionsArn = `arn:${Aws.PARTITION}:states:${city.region}:${Aws.ACCOUNT_ID}:execution:${machinePrefix}*`;
    f['withdraw-application'].fn.addToRolePolicy(new PolicyStatement({ actions: ['states:StopExecution'], resources: [executionsArn] }));
    f['redrive-flow'].fn.addToRolePolicy(new PolicyStatement({ actions: ['states:RedriveExecution'], resources: [executionsArn] }));
    // SendTaskSuccess and SendTaskFailure take no resource-level permission (the task token is the capability).
    // The supervision scan: deemed acceptance completes acceptance tasks, as an officer would.
    // Failed scheduled invocations land in an encrypted dead-letter queue, which is alarmed.
    const deadLetters = new Queue(this, 'DeadLetters', { encryption: QueueEncryption.KMS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    new Rule(this, 'SupervisionSchedule', {
      description: '电子监察：黄灯、红灯、追责与视为受理',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [new LambdaFunction(f['supervision-scan'].fn, { deadLetterQueue: deadLetters, retryAttempts: 2 })],
    });
    // A flow that fails (a step failed for good, a callback timed out) is recorded from its status
    // change: the flows catch nothing, so that RedriveExecution restarts one from the state that failed.
    new Rule(this, 'FlowFailures', {
      description: '办理流程失败：记录到办件、关闭待办任务、开启监察案件',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT'], stateMachineArn: machines.map((m) => m.stateMachineArn) },
      },
      targets: [new LambdaFunction(f['record-failure'].fn, { deadLetterQueue: deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
    new Rule(this, 'UploadSweepSchedule', {
      description: '清理过期未用的上传材料',
      schedule: Schedule.cron({ hour: '19', minute: '30' }), // 03:30 China time
      targets: [new LambdaFunction(f['sweep-uploads'].fn, { deadLetterQueue: deadLetters, retryAttempts: 2 })],
    });
    for (const name of ['complete-task', 'correct-application', 'supervision-scan', 'ems-webhook', 'record-pickup'] as const) {
      f[name].fn.addToRolePolicy(new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] }));
    }

    // The HTTP API: every route of functions/routes.ts, the JWT authorizer of the provincial identity provider on the protected ones.
    const authorizer = new HttpJwtAuthorizer('ProvincialIdp', city.identityProvider.issuer, { jwtAudience: city.identityProvider.audience, identitySource: ['$request.header.Authorization'] });
    const api = new HttpApi(this, 'Api', {
      apiName: `oneseal-${city.areaCode}`,
      createDefaultStage: false,
      corsPreflight: { allowOrigins: [city.publicBaseUrl], allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE], allowHeaders: ['authorization', 'content-type', 'idempotency-key'] },
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.SIX_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    new HttpStage(this, 'DefaultStage', { httpApi: api, stageName: '$default', autoDeploy: true, accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.jsonWithStandardFields() } });
    const integrations = new Map<ApiFunction, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      if (!integrations.has(route.fn)) integrations.set(route.fn, new HttpLambdaIntegration(`Int-${route.fn}`, f[route.fn].fn));
      api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: integrations.get(route.fn)!, ...(route.auth ? { authorizer } : {}) });
    }

    const alarmKey = new Key(this, 'AlarmKey', { description: `oneseal ${city.name}: alarm topic encryption`, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    alarmKey.grantEncryptDecrypt(new ServicePrincipal('cloudwatch.amazonaws.com'));
    const observability = new Observability(this, 'Observability', {
      cityName: city.name,
      areaCode: city.areaCode,
      api,
      machines,
      deadLetters,
      scanLogs: f['supervision-scan'].fn.logGroup,
      key: alarmKey,
    });

    acknowledgeNagFindings(this, {
      tables: Object.values(data.tables),
      buckets: [data.materials, data.licenses],
      invoked: Object.values(FLOW_FUNCTIONS).map((n) => f[n].fn),
      executions: `arn:<AWS::Partition>:states:${city.region}:<AWS::AccountId>:execution:${machinePrefix}*`,
    });

    new CfnOutput(this, 'AlarmTopicArn', { value: observability.topic.topicArn });
    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'SealKeyArn', { value: sealKeys[0].keyArn });
    new CfnOutput(this, 'StateMachines', { value: machines.map((m) => m.stateMachineName).join(',') });
  }
}

/**
 * The cdk-nag AwsSolutions findings this stack keeps on purpose, each with its reason. cdk-nag
 * matches acknowledgements by exact finding, so each is named; anything new fails `cdk synth`.
 */
function acknowledgeNagFindings(stack: Stack, refs: { tables: Table[]; buckets: Bucket[]; invoked: IFunction[]; executions: string }) {
  const ack = (id: string, reason: string) => Validations.of(stack).acknowledge({ id: `AwsSolutions-${id}`, reason });
  const arnOf = (c: IConstruct) => `<${stack.getLogicalId(c.node.defaultChild as CfnElement)}.Arn>`;
  ack('L1', 'Node.js 22 is pinned on purpose: the code is tested on it (middy 6, vitest 4); a runtime upgrade is a reviewed change.');
  ack('IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'It only lets each function write to CloudWatch Logs; every function has its own retained log group.');
  ack('IAM5[Resource::*]', 'X-Ray trace segments and states:SendTaskSuccess/Failure (the task token is the capability) have no resource-level permissions.');
  for (const action of ['s3:List*', 's3:GetObject*', 's3:GetBucket*', 's3:Abort*', 's3:DeleteObject*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
    ack(`IAM5[Action::${action}]`, `The action group CDK grants for reading or writing this city's own buckets and keys (${action}), on those resources only.`);
  }
  for (const table of refs.tables) ack(`IAM5[Resource::${arnOf(table)}/index/*]`, 'The indexes of a table the function is bound to.');
  for (const fn of refs.invoked) ack(`IAM5[Resource::${arnOf(fn)}:*]`, 'The versions of a function the state machines invoke.');
  for (const bucket of refs.buckets) {
    for (const prefix of ['*', 'materials/*', 'licenses/*']) ack(`IAM5[Resource::${arnOf(bucket)}/${prefix}]`, `Objects under ${prefix} of this city's own bucket.`);
  }
  ack(`IAM5[Resource::${refs.executions}]`, "Withdrawal stops executions of this city's own flows only.");
  ack('APIG4', 'Public by the contract (SPEC): health, OpenAPI, catalogue and license verification; the EMS webhook authenticates every request with its HMAC signature and timestamp. Every other route has the provincial JWT authorizer.');
  ack('SQS3', 'This queue is itself the dead-letter queue of the scheduled scan.');
  ack('SMG4', 'The EMS secret is rotated together with EMS (two active webhook secrets during the rotation, see README), not by a rotation Lambda.');
}
