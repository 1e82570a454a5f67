import * as z from 'zod';
import { BUCKETS, EMBEDDED_BUCKETS, TABLES, type TableSpec } from './adapters/aws/tables.ts';

/**
 * Every table's and bucket's name, by its env variable: CDK sets them in a deployment; where
 * nothing sets them (the embedded mode), the names of adapters/aws/tables.ts.
 */
const storageNames = {
  ...Object.fromEntries(TABLES.map((t) => [t.env, z.string().default(t.id)])),
  ...Object.fromEntries(Object.entries(BUCKETS).map(([bucket, env]) => [env, z.string().default(EMBEDDED_BUCKETS[bucket as keyof typeof BUCKETS])])),
} as Record<TableSpec['env'] | (typeof BUCKETS)[keyof typeof BUCKETS], z.ZodDefault<z.ZodString>>;
import { SealKeySpecs } from './domain/keyring.ts';

/**
 * Configuration from the environment, read once. CDK sets these on every function; the
 * embedded runtime sets them for its in-process handlers.
 */
/** A variable holding JSON, checked against its schema: a clear message when it is not JSON at all. */
const jsonVariable = <T extends z.ZodType>(name: string, schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} is not JSON` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const Env = z.object({
  CITY_CODE: z.string().regex(/^\d{6}$/),
  PUBLIC_BASE_URL: z.string().url(),
  ...storageNames,
  STATE_MACHINE_ARN_PREFIX: z.string().default('arn:aws:states:local:000000000000:stateMachine:oneseal-'),
  SEAL_MODE: z.enum(['kms', 'local']).default('kms'),
  SEAL_KEY_ID: z.string().optional(),
  SEAL_ALGORITHM: z.enum(['ECDSA_P256_SHA256', 'SM2_SM3']).default('ECDSA_P256_SHA256'),
  /**
   * Every seal key the city has had, as JSON: `[{key, algorithm?, activeFrom, activeUntil?}]`
   * (shared/domain/keyring.ts); `key` is a KMS key id or ARN, or in the embedded mode a key file.
   * Unset: the one KMS key of SEAL_KEY_ID, active since ever.
   */
  SEAL_KEYS: jsonVariable('SEAL_KEYS', SealKeySpecs)
    .optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  SEAL_FONT_FILE: z.string().optional(),
  COURIER_MODE: z.enum(['ems', 'simulated']).default('ems'),
  EMS_ENDPOINT: z.string().url().optional(),
  /**
   * Secrets Manager secret {"current","previous","partnerId","key"} in AWS; the plain variables in
   * the embedded mode, which sets its own (local/runtime.ts). No default: with neither, every
   * webhook call is refused.
   */
  EMS_SECRET_ARN: z.string().optional(),
  EMS_WEBHOOK_SECRET: z.string().min(8).optional(),
  EMS_WEBHOOK_SECRET_PREVIOUS: z.string().min(8).optional(),
  /**
   * The city's event subscribers (SPEC rule 15), as JSON: `[{id, url, types, fullIdentifiers?, secretArn}]`, each
   * secret in Secrets Manager. The embedded mode has one, the provincial platform, from the two variables below.
   */
  SUBSCRIBERS: jsonVariable('SUBSCRIBERS', z.array(z.object({ id: z.string().regex(/^[a-z0-9-]{1,40}$/), url: z.string().url(), types: z.array(z.string()).min(1), fullIdentifiers: z.boolean().default(false), secretArn: z.string() })))
    .optional(),
  /** AWS: the city's EventBridge bus, and the delivery queues by destination (`{"<subscriber>": url, "callbacks": url}`). */
  EVENT_BUS_NAME: z.string().optional(),
  DELIVERY_QUEUES: jsonVariable('DELIVERY_QUEUES', z.record(z.string(), z.string().url()))
    .optional(),
  PLATFORM_WEBHOOK_URL: z.string().url().optional(),
  PLATFORM_WEBHOOK_SECRET: z.string().min(8).optional(),
  PLATFORM_WEBHOOK_FULL_IDENTIFIERS: z.enum(['true', 'false']).default('false'),
  /** Webhook retries: the first delay, doubling up to the cap, and the attempts before a dead letter (AWS: 30 s, 12 h, 13 attempts: ≈ 29 h between the first and the last; infra/constructs/events.ts). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(30_000),
  WEBHOOK_RETRY_CAP_MS: z.coerce.number().int().positive().default(43_200_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(13),
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
