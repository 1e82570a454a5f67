import * as z from 'zod/mini';
import { BUCKETS, EMBEDDED_BUCKETS, TABLES, type TableSpec } from './adapters/aws/tables.ts';

/**
 * Every table's and bucket's name, by its env variable: CDK sets them in a deployment; where
 * nothing sets them (the embedded mode), the names of adapters/aws/tables.ts.
 */
const storageNames = {
  ...Object.fromEntries(TABLES.map((t) => [t.env, z._default(z.string(), t.id)])),
  ...Object.fromEntries(Object.entries(BUCKETS).map(([bucket, env]) => [env, z._default(z.string(), EMBEDDED_BUCKETS[bucket as keyof typeof BUCKETS])])),
} as Record<TableSpec['env'] | (typeof BUCKETS)[keyof typeof BUCKETS], z.ZodMiniDefault<z.ZodMiniString>>;
import { SealKeySpecs } from './domain/keyring.ts';

/**
 * Configuration from the environment, read once. CDK sets these on every function; the
 * embedded runtime sets them for its in-process handlers.
 */
/** A variable holding JSON, checked against its schema: a clear message when it is not JSON at all. */
const jsonVariable = <T extends z.ZodMiniType>(name: string, schema: T) =>
  z.pipe(z.pipe(z.string().check(z.refine(isJson, `${name} is not JSON`)), z.transform((text: string) => JSON.parse(text) as unknown)), schema);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const Env = z.object({
  CITY_CODE: z.string().check(z.regex(/^\d{6}$/)),
  PUBLIC_BASE_URL: z.url(),
  ...storageNames,
  STATE_MACHINE_ARN_PREFIX: z._default(z.string(), 'arn:aws:states:local:000000000000:stateMachine:oneseal-'),
  SEAL_MODE: z._default(z.enum(['kms', 'local']), 'kms'),
  SEAL_KEY_ID: z.optional(z.string()),
  SEAL_ALGORITHM: z._default(z.enum(['ECDSA_P256_SHA256', 'SM2_SM3']), 'ECDSA_P256_SHA256'),
  /**
   * Every seal key the city has had, as JSON: `[{key, algorithm?, activeFrom, activeUntil?}]`
   * (shared/domain/keyring.ts); `key` is a KMS key id or ARN, or in the embedded mode a key file.
   * Unset: the one KMS key of SEAL_KEY_ID, active since ever.
   */
  SEAL_KEYS: z.optional(jsonVariable('SEAL_KEYS', SealKeySpecs)),
  S3_FORCE_PATH_STYLE: z._default(z.enum(['true', 'false']), 'false'),
  SEAL_FONT_FILE: z.optional(z.string()),
  COURIER_MODE: z._default(z.enum(['ems', 'simulated']), 'ems'),
  EMS_ENDPOINT: z.optional(z.url()),
  /**
   * Secrets Manager secret {"current","previous","partnerId","key"} in AWS; the plain variables in
   * the embedded mode, which sets its own (local/runtime.ts). No default: with neither, every
   * webhook call is refused.
   */
  EMS_SECRET_ARN: z.optional(z.string()),
  EMS_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(8))),
  EMS_WEBHOOK_SECRET_PREVIOUS: z.optional(z.string().check(z.minLength(8))),
  /**
   * The city's event subscribers (SPEC rule 15), as JSON: `[{id, url, types, fullIdentifiers?, secretArn}]`, each
   * secret in Secrets Manager. The embedded mode has one, the provincial platform, from the two variables below.
   */
  SUBSCRIBERS: z.optional(
    jsonVariable('SUBSCRIBERS', z.array(z.object({ id: z.string().check(z.regex(/^[a-z0-9-]{1,40}$/)), url: z.url(), types: z.array(z.string()).check(z.minLength(1)), fullIdentifiers: z._default(z.boolean(), false), secretArn: z.string() }))),
  ),
  /** AWS: the city's EventBridge bus, and the delivery queues by destination (`{"<subscriber>": url, "callbacks": url}`). */
  EVENT_BUS_NAME: z.optional(z.string()),
  DELIVERY_QUEUES: z.optional(jsonVariable('DELIVERY_QUEUES', z.record(z.string(), z.url()))),
  PLATFORM_WEBHOOK_URL: z.optional(z.url()),
  PLATFORM_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(8))),
  PLATFORM_WEBHOOK_FULL_IDENTIFIERS: z._default(z.enum(['true', 'false']), 'false'),
  /** Webhook retries: the first delay, doubling up to the cap, and the attempts before a dead letter (AWS: 30 s, 12 h, 13 attempts: ≈ 29 h between the first and the last; infra/constructs/events.ts). */
  WEBHOOK_RETRY_BASE_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 30_000),
  WEBHOOK_RETRY_CAP_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 43_200_000),
  WEBHOOK_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 13),
});
export type Config = z.infer<typeof Env>;

let cached: Config | undefined;

export function config(): Config {
  cached ??= Env.parse(process.env);
  return cached;
}

/** For the embedded runtime and tests, which set the environment before the first request. */
export function resetConfig(): void {
  cached = undefined;
}
