import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { BUCKETS, TABLES } from '../../shared/adapters/aws/tables.ts';
import { needsMachineArns, type BucketId, type BucketMode, type FunctionAccess, type TableId, type TableMode } from '../access.ts';
import type { Seal } from './seal.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** ESM bundles of CommonJS dependencies need `require`, `__filename` and `__dirname` (the SDK's and pdf-lib's CommonJS modules call `require`). */
export const ESM_BANNER =
  "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);";

/**
 * The AWS SDK is in the Lambda runtime, and most functions use it from there: bundling every
 * client their wiring can reach would take them past 1 MB. The sealer bundles the three it
 * uses instead (within its 3 MB): one minified file loads ~50 ms faster than the runtime's
 * hundreds of modules, and its cold start is on the way to every license.
 */
export const externalModulesOf = (name: string): string[] => (name === 'seal-licenses' ? [] : ['@aws-sdk/*']);

/**
 * The bundles' text as UTF-8, not esbuild's default ASCII: the catalogue and every message are
 * Chinese, and each character escaped as `\uXXXX` took 6 bytes instead of 3 (~8 KiB of a median
 * bundle). Node reads a module as UTF-8 either way. bench/run.ts and bundles.test.ts bundle with
 * the same. Given to esbuild as an argument: this aws-cdk-lib declares a `charset` bundling
 * option but does not pass it on (its bundles stayed ASCII).
 */
export const BUNDLE_CHARSET = 'utf8';

/** The DynamoDB actions of each access mode (writes inside TransactWriteItems are authorized with the same item actions). */
export const TABLE_ACTIONS: Record<TableMode, { read: string[]; write: string[] }> = {
  RO: { read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'], write: [] },
  RW: { read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'], write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] },
  APPEND: { read: [], write: ['dynamodb:PutItem'] },
  'RO+APPEND': { read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'], write: ['dynamodb:PutItem'] },
  ADD: { read: [], write: ['dynamodb:UpdateItem'] },
};

/** The S3 actions of each bucket mode, on the objects under the bucket's prefix. READ lists the bucket too, so that a missing object is a 404, not a 403. */
export const BUCKET_ACTIONS: Record<BucketMode, string[]> = { READ: ['s3:GetObject'], PUT: ['s3:PutObject'], DELETE: ['s3:DeleteObject', 's3:DeleteObjectVersion'] };
export const BUCKET_PREFIX: Record<BucketId, string> = { materials: 'materials/*', licenses: 'licenses/*' };

export interface AppFunctionProps {
  /** The folder under functions/. */
  name: string;
  cityCode: string;
  /** What every function of the city is told (base URL, seal algorithm). */
  environment: Record<string, string>;
  logRetentionDays: number;
  memorySize?: number;
  timeout?: Duration;
  reservedConcurrency?: number;
  bundling?: NodejsFunctionProps['bundling'];
}

/** What a function's declaration binds it to. */
export interface Bindings {
  tables: Record<TableId, ITable>;
  buckets: Record<BucketId, IBucket>;
  seal: Seal;
  ems: { secret: ISecret; endpoint: string };
}

/** The city's state machines, as a function's flow actions need them. */
export interface FlowTargets {
  stateMachineArns: string[];
  /** The ARN pattern of each machine's executions (`…:execution:<machine>:*`). */
  executionArns: string[];
  /** `arn:…:stateMachine:oneseal-<city>-`: the adapter appends the flow's name. */
  stateMachineArnPrefix: string;
}

/**
 * One Lambda function with the defaults every function shares: Node 24 on ARM, ESM bundled by
 * the local esbuild (no Docker), X-Ray tracing, its own log group kept as long as the city's
 * retention requires. What it reads and writes comes from its declaration (infra/access.ts),
 * which sets its environment and its grants together: a table's name is in a function's
 * environment exactly when the function may use the table.
 */
export class AppFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: retentionOf(props.logRetentionDays), removalPolicy: RemovalPolicy.RETAIN });
    this.fn = new NodejsFunction(this, 'Fn', {
      functionName: `oneseal-${props.cityCode}-${props.name}`,
      entry: join(ROOT, 'functions', props.name, 'handler.ts'),
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: Tracing.ACTIVE,
      logGroup,
      // The source map ships beside the bundle but is not loaded at start (--enable-source-maps
      // costs the sealer ~70 ms of cold start); set NODE_OPTIONS=--enable-source-maps on a
      // function to read its stack traces against the source while debugging.
      environment: { POWERTOOLS_SERVICE_NAME: 'oneseal', CITY_CODE: props.cityCode, ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: ESM_BANNER,
        esbuildArgs: { '--charset': BUNDLE_CHARSET },
        // esbuild's size table for each of the 31 bundles buries a synth's output; its warnings still show.
        logLevel: LogLevel.WARNING,
        externalModules: externalModulesOf(props.name),
        ...props.bundling,
      },
    });
  }

  /** Binds the function to what its declaration names: each table, bucket, key action and secret, with its environment variable. */
  bind(access: FunctionAccess, to: Bindings) {
    for (const [id, mode] of Object.entries(access.tables) as [TableId, TableMode][]) this.bindTable(id, to.tables[id], mode);
    for (const [id, modes] of Object.entries(access.buckets ?? {}) as [BucketId, BucketMode[]][]) this.bindBucket(id, to.buckets[id], modes);
    if (access.seal?.length) {
      to.seal.allow(this.fn.role!, access.seal);
      // Every key the city has sealed with, with its period: sealing picks the active one, verification finds a license's key by its ARN.
      this.fn.addEnvironment('SEAL_KEYS', to.seal.keysEnvironment);
    }
    if (access.ems) {
      to.ems.secret.grantRead(this.fn);
      this.fn.addEnvironment('EMS_SECRET_ARN', to.ems.secret.secretArn);
      this.fn.addEnvironment('EMS_ENDPOINT', to.ems.endpoint);
    }
  }

  /** Binds the function to the city's flows, as its declaration says (after the state machines exist: they invoke these functions). */
  bindFlows(access: FunctionAccess, flows: FlowTargets) {
    const actions = access.flows ?? [];
    const on = (action: string, resources: string[]) => actions.includes(action as never) && this.fn.addToRolePolicy(new PolicyStatement({ actions: [action], resources }));
    on('states:StartExecution', flows.stateMachineArns);
    on('states:StopExecution', flows.executionArns);
    on('states:RedriveExecution', flows.executionArns);
    on('states:SendTaskSuccess', ['*']);
    if (needsMachineArns(access)) this.fn.addEnvironment('STATE_MACHINE_ARN_PREFIX', flows.stateMachineArnPrefix);
  }

  private bindTable(id: TableId, table: ITable, mode: TableMode) {
    const spec = TABLES.find((t) => t.id === id)!;
    const { read, write } = TABLE_ACTIONS[mode];
    if (read.length) this.fn.addToRolePolicy(new PolicyStatement({ actions: read, resources: [table.tableArn, ...(spec.indexes.length ? [`${table.tableArn}/index/*`] : [])] }));
    if (write.length) this.fn.addToRolePolicy(new PolicyStatement({ actions: write, resources: [table.tableArn] }));
    this.fn.addEnvironment(spec.env, table.tableName);
  }

  private bindBucket(id: BucketId, bucket: IBucket, modes: BucketMode[]) {
    this.fn.addToRolePolicy(new PolicyStatement({ actions: modes.flatMap((m) => BUCKET_ACTIONS[m]), resources: [bucket.arnForObjects(BUCKET_PREFIX[id])] }));
    if (modes.includes('READ')) this.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    this.fn.addEnvironment(BUCKETS[id], bucket.bucketName);
  }
}

/** The shortest retention CloudWatch Logs offers that keeps `days` (log groups take fixed values only). */
export function retentionOf(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number' && v >= days).sort((a, b) => a - b);
  return allowed[0] ?? RetentionDays.INFINITE;
}
