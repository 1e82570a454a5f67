import { catalogFor } from './catalog/index.ts';
import { clock } from './clock.ts';
import { config } from './config.ts';
import type { Deps } from './deps.ts';
import { WorkingCalendar } from './domain/calendar.ts';
import { DynamoDeliveries, DynamoOutbox } from './adapters/aws/dynamo.ts';
import { FetchWebhooks } from './adapters/aws/webhook.ts';
import { EventBridgeBus, SqsDeliveryQueues } from './adapters/aws/queues.ts';
import { DynamoApplications, DynamoBlacklist, DynamoCalendar, DynamoCases, DynamoCounters, DynamoLicenses, DynamoTasks, DynamoUploads, documentClient } from './adapters/aws/dynamo.ts';
import { S3Store, s3Client } from './adapters/aws/s3.ts';
import { DynamoStats } from './adapters/aws/stats.ts';
import { StepFunctionsWorkflow } from './adapters/aws/sfn.ts';
import { EmsHttpCourier } from './adapters/aws/ems-courier.ts';
import { SealKeyring } from './domain/keyring.ts';
import type { Courier, SealAlgorithm, Signer, Subscriber } from './ports.ts';

import type { Config } from './config.ts';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedFetch } from './cached.ts';

/** The composition root: the adapters for this deployment, built once per Lambda container. */
let deps: Deps | undefined;

/**
 * Adapters that stand in for deployed ones, by configuration: the embedded runtime installs its
 * own (local/wiring.ts: the key-file seal, the simulated EMS) before the first request. This
 * file imports nothing local, so that no Lambda bundle carries the embedded mode's code.
 */
export type AdapterOverrides = (cfg: Config) => Partial<{
  signerFor: (key: string, algorithm: SealAlgorithm) => Signer;
  courier: Courier;
  /** The embedded relay finds new outbox entries through the `byPending` index; on AWS the table's stream brings them, and nothing reads the index but an admin's retry. */
  relayReadsPending: boolean;
}>;
let overrides: AdapterOverrides | undefined;

/** From the next request on, the adapters are composed with these overrides. */
export function installAdapters(make: AdapterOverrides): void {
  overrides = make;
  resetWiring();
}

/** The calendar this container computes with, and when the published years were last read. */
let calendar: { current: WorkingCalendar; loadedAt: number; loading?: Promise<void> } | undefined;
/** How long a container trusts the published years it read: a publication reaches every function within this. */
const CALENDAR_TTL_MS = 60_000;

export function wiring(): Deps {
  if (deps) return deps;
  const cfg = config();
  const s3 = s3Client(cfg);
  const db = documentClient();
  const catalog = catalogFor(cfg.CITY_CODE);
  const held = (calendar = { current: new WorkingCalendar({ overrides: catalog.calendar }), loadedAt: 0 });
  const standIns = overrides?.(cfg) ?? {};
  let sealKeys: SealKeyring | undefined;
  deps = {
    clock,
    auditHash: cfg.SEAL_ALGORITHM === 'SM2_SM3' ? 'SM3' : 'SHA-256',
    catalog,
    get calendar() {
      return held.current;
    },
    calendars: new DynamoCalendar(cfg, db),
    adoptCalendar: (c) => {
      held.current = c;
      held.loadedAt = Date.now();
    },
    lightRule: catalog.lightRule,
    applications: new DynamoApplications(cfg, db, { markPending: standIns.relayReadsPending ?? false }),
    tasks: new DynamoTasks(cfg, db),
    uploads: new DynamoUploads(cfg, db),
    licenses: new DynamoLicenses(cfg, db),
    counters: new DynamoCounters(cfg, db),
    blacklist: new DynamoBlacklist(cfg, db),
    cases: new DynamoCases(cfg, db),
    stats: new DynamoStats(cfg.STATS_TABLE, db),
    materials: new S3Store(s3, cfg.MATERIALS_BUCKET),
    licenseFiles: new S3Store(s3, cfg.LICENSES_BUCKET),
    workflow: new StepFunctionsWorkflow(cfg.STATE_MACHINE_ARN_PREFIX),
    // Built on first use: only the functions that seal or verify have a KMS seal (wiring-seal.ts).
    get sealKeys() {
      return (sealKeys ??= sealKeyring(cfg, standIns.signerFor ?? ((key, algorithm) => kmsSigner(cfg, key, algorithm))));
    },
    courier: standIns.courier ?? emsCourier(cfg),
    emsSecrets: async () => {
      // No secret configured at all: nothing is accepted (fail closed). The embedded mode sets its own.
      if (!cfg.EMS_SECRET_ARN) return [cfg.EMS_WEBHOOK_SECRET, cfg.EMS_WEBHOOK_SECRET_PREVIOUS].filter((s): s is string => !!s);
      const secret = await emsSecret(cfg);
      return [secret.current, secret.previous].filter((s): s is string => !!s);
    },
    outbox: new DynamoOutbox(cfg, db),
    deliveries: new DynamoDeliveries(cfg, db),
    subscribers: async () => subscribersOf(cfg),
    webhooks: new FetchWebhooks(),
    relayPolicy: { baseMs: cfg.WEBHOOK_RETRY_BASE_MS, capMs: cfg.WEBHOOK_RETRY_CAP_MS, maxAttempts: cfg.WEBHOOK_MAX_ATTEMPTS },
    eventBus: new EventBridgeBus(cfg.EVENT_BUS_NAME),
    queues: new SqsDeliveryQueues(cfg.DELIVERY_QUEUES ?? {}),
    publicBaseUrl: cfg.PUBLIC_BASE_URL.replace(/\/$/, ''),
    fontFile: cfg.SEAL_FONT_FILE,
  };
  return deps;
}

/**
 * The city's seal keys (SEAL_KEYS; without it, the one KMS key of SEAL_KEY_ID): KMS
 * keys, or in the embedded mode key files (an SM2 key lives beside its name as `-sm2.json`).
 */
function sealKeyring(cfg: Config, signerFor: (key: string, algorithm: SealAlgorithm) => Signer): SealKeyring {
  const specs = cfg.SEAL_KEYS ?? [{ key: cfg.SEAL_KEY_ID!, activeFrom: '1970-01-01T00:00:00Z' }];
  return new SealKeyring(
    specs.map(({ key, algorithm = cfg.SEAL_ALGORITHM, activeFrom, activeUntil }) => ({
      signer: signerFor(key, algorithm),
      activeFrom,
      ...(activeUntil ? { activeUntil } : {}),
    })),
  );
}

/**
 * The dependencies, with the calendar's published years read if this container's copy is older
 * than a minute: every handler starts here, so every function computes on the published years.
 */
export async function ready(): Promise<Deps> {
  const d = wiring();
  const held = calendar!;
  if (Date.now() - held.loadedAt > CALENDAR_TTL_MS) {
    held.loading ??= (async () => {
      try {
        const published = await d.calendars.published();
        held.current = published.reduce((c, y) => c.withSchedule(y), new WorkingCalendar({ overrides: d.catalog.calendar }));
        held.loadedAt = Date.now();
      } finally {
        held.loading = undefined;
      }
    })();
    // A container that never read them fails the request; one that did goes on with its copy.
    await (held.loadedAt ? held.loading.catch(() => {}) : held.loading);
  }
  return d;
}

/**
 * The city's seal in KMS, installed by the functions that seal or verify (their handlers import
 * wiring-seal.ts), so that no other bundle carries the KMS signer and its SM2 library. The
 * key-file seal (SEAL_MODE=local) exists only where the embedded runtime installed it.
 */
let kmsSeal: ((key: string, algorithm: SealAlgorithm) => Signer) | undefined;
export function installKmsSeal(make: (key: string, algorithm: SealAlgorithm) => Signer): void {
  kmsSeal = make;
}

function kmsSigner(cfg: Config, key: string, algorithm: SealAlgorithm) {
  if (cfg.SEAL_MODE !== 'kms') throw new Error(`SEAL_MODE=${cfg.SEAL_MODE} is the embedded runtime's (local/wiring.ts); a deployment seals with KMS (SEAL_MODE=kms)`);
  if (!kmsSeal) throw new Error('this function has no seal: a handler that seals or verifies imports #shared/wiring-seal.ts');
  return kmsSeal(key, algorithm);
}

/** EMS's API, with the partner credentials from Secrets Manager. The simulated courier exists only where the embedded runtime installed it. */
function emsCourier(cfg: Config) {
  if (cfg.COURIER_MODE !== 'ems') throw new Error(`COURIER_MODE=${cfg.COURIER_MODE} is the embedded runtime's (local/wiring.ts); a deployment ships with EMS (COURIER_MODE=ems)`);
  return new EmsHttpCourier(cfg.EMS_ENDPOINT ?? '', async () => (await emsSecret(cfg)) as { partnerId: string; key: string });
}

export function resetWiring(): void {
  deps = undefined;
  calendar = undefined;
}

/** The EMS secret (JSON) from Secrets Manager. */
async function emsSecret(cfg: Config): Promise<Record<string, string>> {
  return JSON.parse((await secretText(cfg.EMS_SECRET_ARN!)) ?? '{}') as Record<string, string>;
}

/**
 * The city's event subscribers: SUBSCRIBERS, each secret read from Secrets Manager (cached five
 * minutes, so that a rotation is picked up); or, where none are configured, the provincial
 * platform of PLATFORM_WEBHOOK_URL (the embedded mode), signed with PLATFORM_WEBHOOK_SECRET.
 */
function subscribersOf(cfg: Config): Subscriber[] {
  if (cfg.SUBSCRIBERS) return cfg.SUBSCRIBERS.map((s) => ({ id: s.id, url: s.url, types: s.types, fullIdentifiers: s.fullIdentifiers, secret: () => plainSecret(s.secretArn) }));
  if (!cfg.PLATFORM_WEBHOOK_URL) return [];
  const secret = cfg.PLATFORM_WEBHOOK_SECRET;
  // No default here: a deployment that names a webhook without its secret fails closed (the embedded mode sets its own).
  if (!secret) throw new Error('PLATFORM_WEBHOOK_URL is set without PLATFORM_WEBHOOK_SECRET');
  return [{ id: 'platform', url: cfg.PLATFORM_WEBHOOK_URL, types: ['*'], fullIdentifiers: cfg.PLATFORM_WEBHOOK_FULL_IDENTIFIERS === 'true', secret: async () => secret }];
}

/** A subscriber's signing secret: its secret's text, which must not be empty. */
async function plainSecret(arn: string): Promise<string> {
  const text = await secretText(arn);
  if (!text) throw new Error(`secret ${arn} has no text`);
  return text;
}

/**
 * A secret's text from Secrets Manager, per ARN, kept five minutes so that a rotation is picked
 * up; a failed read is not kept (the next call reads again). One client, made on first use.
 */
const secretReaders = new Map<string, () => Promise<string | undefined>>();
let secretsClient: SecretsManagerClient | undefined;
function secretText(arn: string): Promise<string | undefined> {
  let read = secretReaders.get(arn);
  if (!read) {
    read = cachedFetch(async () => {
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      secretsClient ??= new SecretsManagerClient({});
      return (await secretsClient.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
    }, 300_000);
    secretReaders.set(arn, read);
  }
  return read();
}
