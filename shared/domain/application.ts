import type { FieldProblem } from './errors.ts';
import type { DeliveryMethod, FlowKind, FormField, Item, MaterialFormat } from './catalog.ts';
import type { ChainHead } from './audit.ts';
import type { CalendarKind } from './deadlines.ts';

/** An application (办件) and the rules of its life (SPEC rules 3–7). */

export type ApplicationStatus =
  | 'submitted'
  | 'correcting'
  | 'accepted'
  | 'suspended'
  | 'approved'
  | 'denied'
  | 'refused'
  | 'withdrawn'
  | 'issued'
  | 'delivering'
  | 'completed';

export type Applicant =
  | { kind: 'person'; idNumber: string; name: string; phone: string }
  | { kind: 'enterprise'; creditCode: string; name: string; phone: string };

export const subjectIdOf = (a: Applicant): string => (a.kind === 'person' ? a.idNumber : a.creditCode);

export type Delivery =
  | { method: 'ems'; address: { province: string; city: string; district: string; detail: string; recipient: string; phone: string } }
  | { method: 'pickup' }
  | { method: 'electronic' };

export interface StoredMaterial {
  materialCode: string;
  uploadId: string;
  /** Where the bytes are: the upload's own key, kept for as long as the application. */
  key: string;
  fileName: string;
  format: MaterialFormat;
  size: number;
  sha256: string;
  /** The S3 object version checked at intake (a versioned bucket): the bytes are read by it from then on. */
  versionId?: string;
}

export interface Decision {
  outcome: 'approve' | 'deny';
  opinion?: string;
  reason?: string;
  legalBasis?: string;
  remedies?: string;
  by: string;
  at: string;
}

export interface ApplicationRecord {
  applicationId: string;
  applicationNo: string;
  cityCode: string;
  itemCode: string;
  itemVersion: number;
  itemName: string;
  department: string;
  flow: FlowKind;
  /** The applicant's subject ID (ID number or credit code): the key of "own applications". */
  applicantId: string;
  applicant: Applicant;
  form: Record<string, unknown>;
  materials: StoredMaterial[];
  delivery: Delivery & { status?: string; waybillNo?: string; lastEventAt?: string; lastEventId?: string; eventIds?: string[]; returnedWaybillNo?: string };
  /** Top-level copy of the EMS waybill number, for the byWaybill index. */
  waybillNo?: string;
  quantity: number;
  status: ApplicationStatus;
  submittedAt: string;
  /** When the complete application was received: the submission, or the correction that completed it. */
  receivedAt?: string;
  acceptedAt?: string;
  /** Decision due (promised and legal limits); after approval, issuing the license is due too (Art. 44). */
  due?: { promisedAt: string; legalAt: string; issueAt?: string; calendar?: CalendarKind };
  clockPaused: boolean;
  /** The running suspension (中止), and the ones before it. */
  suspension?: { kind: string; reason: string; since: string };
  suspensions?: { kind: string; reason: string; since: string; until: string; workingDays: number }[];
  /** The one extension (延期) approved by the deputy director. */
  extension?: { days: number; reason: string; by: string; at: string };
  /** The applicant's evaluation (好差评) after completion. */
  evaluation?: { score: number; comment?: string; at: string };
  decision?: Decision;
  refusal?: { reason: string; legalBasis: string; by: string; at: string };
  corrections?: { items: { materialCode?: string; field?: string; reason: string }[]; requestedAt: string; resolvedAt?: string };
  deferred?: { materialCodes: string[]; dueAt: string; suppliedAt?: string };
  /**
   * The licenses' numbers and identifiers, reserved once before sealing (a retry reuses them);
   * `sealedAt` is set when the license is sealed and stored, and only then is it shown.
   */
  licenses?: { licenseNo: string; identifier?: string; previousIdentifier?: string; sealedAt?: string }[];
  /** When every license was sealed (a filing stays submitted: this tells a retried seal from a first one). */
  sealedAt?: string;
  completedAt?: string;
  /** SHA-256 of the canonical submission, to tell a retry from a reuse of its idempotency key. */
  requestHash: string;
  audit: ChainHead;
  /** Set when the flow failed; cleared when an admin redrives it. */
  flowError?: { error: string; cause: string; at: string; executionArn?: string };
  /** How often the flow was redriven after a failure. */
  redrives?: number;
  /** The last event's sequence number (SPEC rule 15): each committed change numbers its events from here. */
  eventSeq?: number;
}

/** Why an accepted application's clock may stop (中止, SPEC rule 5): hearing, testing, inspection, expert review, public notice. */
export const SUSPENSION_KINDS = ['hearing', 'testing', 'inspection', 'expert-review', 'public-notice'] as const;

/** The flow of an application as the outside sees it (the view's `flow`). */
export type FlowState = 'running' | 'waiting' | 'failed' | 'succeeded';

/** Statuses in which the flow waits for a person: an officer, the applicant, the courier. */
const WAITING = new Set<ApplicationRecord['status']>(['correcting', 'accepted', 'suspended', 'delivering']);
/** Statuses in which the flow has ended (a withdrawal stops it, as the applicant asked). */
const ENDED = new Set<ApplicationRecord['status']>(['completed', 'refused', 'denied', 'withdrawn']);

export function flowState(app: ApplicationRecord): FlowState {
  if (app.flowError) return 'failed';
  if (ENDED.has(app.status)) return 'succeeded';
  // A submitted application waits for acceptance, except a filing, which has no officer step.
  if (WAITING.has(app.status) || (app.status === 'submitted' && app.flow !== 'filing')) return 'waiting';
  return 'running';
}

/** Art. 38: a denial tells the applicant of the right to reconsideration or litigation. */
export const REMEDIES_NOTICE =
  '申请人如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，或者自收到本决定之日起六个月内依法向人民法院提起行政诉讼。';


function fieldProblem(field: FormField, value: unknown): FieldProblem | null {
  const path = `form.${field.field}`;
  if (value === undefined || value === null || value === '') {
    return field.required ? { path, code: 'form.required', message: `请填写${field.label}` } : null;
  }
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') return { path, code: 'form.type', message: `${field.label}应为文本` };
      if (field.maxLength && [...value].length > field.maxLength) return { path, code: 'form.too-long', message: `${field.label}不得超过${field.maxLength}个字` };
      if (field.pattern && !new RegExp(field.pattern).test(value)) return { path, code: 'form.pattern', message: `${field.label}格式不正确` };
      return null;
    case 'integer':
      return Number.isSafeInteger(value) && (value as number) >= 0 ? null : { path, code: 'form.type', message: `${field.label}应为非负整数` };
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : { path, code: 'form.type', message: `${field.label}应为日期（YYYY-MM-DD）` };
    case 'boolean':
      return typeof value === 'boolean' ? null : { path, code: 'form.type', message: `${field.label}应为是或否` };
    case 'enum':
      return typeof value === 'string' && field.options!.includes(value)
        ? null
        : { path, code: 'form.option', message: `${field.label}应为以下之一：${field.options!.join('、')}` };
  }
}

/** Every problem of a form against the item's form definition, unknown fields included. */
export function formProblems(item: Item, form: Record<string, unknown>): FieldProblem[] {
  const problems = item.form.map((f) => fieldProblem(f, form[f.field])).filter((p): p is FieldProblem => p !== null);
  const known = new Set(item.form.map((f) => f.field));
  for (const key of Object.keys(form)) {
    if (!known.has(key)) problems.push({ path: `form.${key}`, code: 'form.unknown-field', message: `事项不需要填写“${key}”` });
  }
  return problems;
}

/** The license fields printed on the certificate, in the item's order. */
export function licenseFields(item: Item, form: Record<string, unknown>): { label: string; value: string }[] {
  return item.form.filter((f) => f.onLicense && form[f.field] !== undefined && form[f.field] !== '').map((f) => ({ label: f.label, value: String(form[f.field]) }));
}

export const deliveryAllowed = (item: Item, method: DeliveryMethod) => item.delivery.includes(method);
