import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** ESM bundles of CommonJS dependencies need `require`, `__filename` and `__dirname` (harfbuzz's emscripten code uses them). */
export const ESM_BANNER =
  "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);";

export interface AppFunctionProps {
  /** The folder under functions/. */
  name: string;
  cityCode: string;
  environment: Record<string, string>;
  logRetentionDays: number;
  memorySize?: number;
  timeout?: Duration;
  bundling?: NodejsFunctionProps['bundling'];
}

/**
 * One Lambda function with the defaults every function shares: Node 22 on ARM, ESM bundled by
 * the local esbuild (no Docker), X-Ray tracing, its own log group kept as long as the city's
 * retention requires. Tables are bound with an explicit access mode.
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
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'oneseal', CITY_CODE: props.cityCode, ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: ESM_BANNER,
        externalModules: ['@aws-sdk/*'],
        ...props.bundling,
      },
    });
  }

  bindTable(table: ITable, accessMode: 'RO' | 'RW') {
    if (accessMode === 'RO') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
  }
}

function retentionOf(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number' && v >= days).sort((a, b) => a - b);
  return allowed[0] ?? RetentionDays.INFINITE;
}
