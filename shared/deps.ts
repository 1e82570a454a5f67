import type { Catalog } from './domain/catalog.ts';
import type { HashAlgorithm } from './domain/audit.ts';
import type { LightRule, WorkingCalendar } from './domain/calendar.ts';
import type { DeliveryLog, DeliveryQueues, EventBus, Outbox, Subscriber, WebhookSender } from './ports.ts';
import type { ApplicationRepository, BlacklistRepository, CalendarRepository, CaseRepository, Clock, Counters, Courier, LicenseRepository, ObjectStore, StatsRepository, TaskRepository, UploadRepository, Workflow } from './ports.ts';
import type { SealKeyring } from './domain/keyring.ts';

/** Everything a use case may need; each use case names the part it uses. */
export interface Deps {
  clock: Clock;
  /** The audit chains' hash: SM3 in cities that seal with SM2, SHA-256 elsewhere. */
  auditHash: HashAlgorithm;
  catalog: Catalog;
  /** The working-day calendar as it stands: shipped schedules, published ones, the city's overrides. */
  readonly calendar: WorkingCalendar;
  /** The official schedules an admin published. */
  calendars: CalendarRepository;
  /** From now on this container computes with `calendar` (after a publication; other containers reload within a minute). */
  adoptCalendar(calendar: WorkingCalendar): void;
  /** The city's thresholds for yellow (SPEC rule 10). */
  lightRule: LightRule;
  applications: ApplicationRepository;
  tasks: TaskRepository;
  uploads: UploadRepository;
  licenses: LicenseRepository;
  counters: Counters;
  blacklist: BlacklistRepository;
  cases: CaseRepository;
  /** The statistics buckets, by department, item and day. */
  stats: StatsRepository;
  materials: ObjectStore;
  licenseFiles: ObjectStore;
  workflow: Workflow;
  courier: Courier;
  /** The active EMS webhook secrets (two while one is being rotated). */
  emsSecrets(): Promise<string[]>;
  /** The city's seal keys: the active one seals, each verifies what it sealed (SPEC rule 8). */
  sealKeys: SealKeyring;
  /** Events (SPEC rule 15): the outbox, the deliveries, the city's subscribers, the webhook client, the retry policy. */
  outbox: Outbox;
  deliveries: DeliveryLog;
  subscribers(): Promise<Subscriber[]>;
  webhooks: WebhookSender;
  relayPolicy: { baseMs: number; capMs: number; maxAttempts: number };
  /** AWS only: the city's EventBridge bus and the SQS delivery queues the relay feeds. */
  eventBus: EventBus;
  queues: DeliveryQueues;
  publicBaseUrl: string;
  fontFile?: string;
}
