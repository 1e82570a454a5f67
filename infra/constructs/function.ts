import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

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
      // The source map ships beside the bundle but is not loaded at start (--enable-source-maps
      // costs the sealer ~70 ms of cold start); set NODE_OPTIONS=--enable-source-maps on a
      // function to read its stack traces against the source while debugging.
      environment: { POWERTOOLS_SERVICE_NAME: 'oneseal', CITY_CODE: props.cityCode, ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: ESM_BANNER,
        externalModules: externalModulesOf(props.name),
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
