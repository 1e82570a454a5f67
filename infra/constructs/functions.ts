import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { API_FUNCTIONS } from '../../shared/http/routes.ts';
import { ACCESS, FUNCTION_NAMES, type FunctionName } from '../access.ts';
import type { CityConfig } from '../cities/city.ts';
import { AppFunction, type AppFunctionProps, type Bindings, type FlowTargets } from './function.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const FONT = join(ROOT, 'node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const HARFBUZZ = join(ROOT, 'node_modules/harfbuzzjs');

/** What a few functions need beyond the defaults (512 MB, 10 s). */
const SIZING: Partial<Record<FunctionName, Pick<AppFunctionProps, 'memorySize' | 'timeout' | 'bundling'> & { environment?: Record<string, string> }>> = {
  // A batch of 100 stream records, each to the bus and a few queues.
  relay: { timeout: Duration.seconds(60) },
  // A batch of 10 messages, each a webhook that may take its full 10 s.
  'deliver-events': { timeout: Duration.seconds(120) },
  'seal-licenses': {
    memorySize: 1536,
    timeout: Duration.minutes(5),
    environment: { SEAL_FONT_FILE: '/var/task/NotoSansSC-Regular.ttf' },
    // The font, and harfbuzz's wasm where shared/seal/subset.ts resolves it (node_modules/harfbuzzjs beside the bundle).
    bundling: {
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_i: string, out: string) => [`cp "${FONT}" "${out}/NotoSansSC-Regular.ttf"`, `mkdir -p "${out}/node_modules"`, `cp -r "${HARFBUZZ}" "${out}/node_modules/harfbuzzjs"`],
      },
    },
  },
};

/**
 * Every function of the city, each bound to exactly what infra/access.ts declares for it.
 * Reserved concurrency comes from the city's configuration.
 */
export class Functions extends Construct {
  readonly byName: Record<FunctionName, AppFunction>;

  constructor(scope: Construct, id: string, props: { city: CityConfig; bindings: Bindings }) {
    super(scope, id);
    const { city } = props;
    const environment = {
      PUBLIC_BASE_URL: city.publicBaseUrl,
      SEAL_MODE: 'kms',
      // Also the audit chain's hash: SM3 for an SM2 city, SHA-256 otherwise.
      SEAL_ALGORITHM: city.seal.keySpec === 'SM2' ? 'SM2_SM3' : 'ECDSA_P256_SHA256',
    };
    const reserved = city.concurrency as Partial<Record<FunctionName, number>>;
    this.byName = Object.fromEntries(
      FUNCTION_NAMES.map((name) => {
        const { environment: extra, ...sizing } = SIZING[name] ?? {};
        // At the stack's level, under the logical ids they had before the constructs: a function's
        // name is explicit, and a replacement under a new id would collide with the old one's.
        const fn = new AppFunction(scope, `Fn-${name}`, {
          name,
          cityCode: city.areaCode,
          // The scope the authorizer requires, which the API's functions check again on every token.
          environment: { ...environment, ...((API_FUNCTIONS as readonly string[]).includes(name) ? { AUTH_SCOPE: city.identityProvider.scope } : {}), ...extra },
          logRetentionDays: city.logRetentionDays,
          reservedConcurrency: reserved[name],
          ...sizing,
        });
        fn.bind(ACCESS[name], props.bindings);
        return [name, fn];
      }),
    ) as Record<FunctionName, AppFunction>;
  }

  /** These functions by name, as the constructs that invoke them take them. */
  pick<N extends FunctionName>(names: readonly N[]): Record<N, IFunction> {
    return Object.fromEntries(names.map((n) => [n, this.byName[n].fn as IFunction])) as Record<N, IFunction>;
  }

  /** Grants each function the flow actions it declares, once the state machines exist. */
  bindFlows(flows: FlowTargets) {
    for (const name of FUNCTION_NAMES) this.byName[name].bindFlows(ACCESS[name], flows);
  }
}
