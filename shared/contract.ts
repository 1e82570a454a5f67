import { z } from 'zod';
import { SUSPENSION_KINDS } from './domain/application.ts';

/**
 * Requests of the HTTP contract (SPEC: HTTP contract v1): the bodies and queries the handlers
 * parse, and the OpenAPI document describes, from these same schemas, limits included.
 */

const phone = z.string().regex(/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/, '电话号码格式不正确');
const name = z.string().trim().min(1).max(100);

export const UploadRequest = z.object({
  fileName: z.string().trim().min(1).max(200),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/),
  size: z.number().int().min(1).max(100 * 1024 * 1024),
  sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'sha256 应为 64 位十六进制'),
});

export const ApplicantInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person'), idNumber: z.string(), name, phone }),
  z.object({ kind: z.literal('enterprise'), creditCode: z.string(), name, phone }),
]);

export const DeliveryInput = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('ems'),
    address: z.object({
      province: z.string().trim().min(1).max(20),
      city: z.string().trim().min(1).max(20),
      district: z.string().trim().min(1).max(20),
      detail: z.string().trim().min(1).max(200),
      recipient: name,
      phone,
    }),
  }),
  z.object({ method: z.literal('pickup') }),
  z.object({ method: z.literal('electronic') }),
]);

export const MaterialRef = z.object({ materialCode: z.string().min(1).max(64), uploadId: z.string().min(1).max(64) });
export type MaterialRef = z.infer<typeof MaterialRef>;

export const CorrectionRequest = z.object({ materials: z.array(MaterialRef).max(50).default([]), form: z.record(z.string(), z.unknown()).optional() });
export const WithdrawRequest = z.object({ reason: z.string().trim().min(1).max(500) });
export const BlacklistRequest = z.object({
  reason: z.string().trim().min(1).max(1000),
  source: z.string().trim().min(1).max(200),
  until: z.iso.datetime({ offset: true }).optional(),
});

export const SubmitRequest = z.object({
  itemCode: z.string().min(1).max(64),
  applicant: ApplicantInput,
  form: z.record(z.string(), z.unknown()).default({}),
  materials: z.array(MaterialRef).max(50),
  delivery: DeliveryInput,
  quantity: z.number().int().min(1).max(500).optional(),
});
export type SubmitRequest = z.infer<typeof SubmitRequest>;

export const IdempotencyKey = z.string().regex(/^[\w.:-]{1,128}$/);

/** PUT /v1/calendar/{year}: the State Council's schedule for a year (weekdays off, weekend days worked) and where it was published. */
export const CalendarYearRequest = z
  .object({
    holidays: z.array(z.iso.date()).max(366),
    workdays: z.array(z.iso.date()).max(366),
    source: z.string().trim().min(1).max(500),
  })
  .strict()
  .superRefine((s, ctx) => {
    const off = new Set(s.holidays);
    s.workdays.forEach((d, i) => {
      if (off.has(d)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `${d} 不能既是放假日又是调休上班日` });
    });
  });

/** POST /v1/applications/{applicationId}/suspend: why the clock stops (中止). */
export const SuspendRequest = z.object({ kind: z.enum(SUSPENSION_KINDS), reason: z.string().trim().min(1).max(1000) });
/** POST /v1/applications/{applicationId}/extend: the deputy director's reason for the extension (延期). */
export const ExtendRequest = z.object({ reason: z.string().trim().min(1).max(1000) });
/** POST /v1/applications/{applicationId}/evaluation: the applicant's rating (好差评). */
export const EvaluationRequest = z.object({ score: z.number().int().min(1).max(5), comment: z.string().trim().max(500).optional() });
/** POST /v1/licenses/{licenseNo}/revoke: reason and legal basis of the revocation. */
export const RevokeRequest = z.object({ reason: z.string().trim().min(1).max(1000), legalBasis: z.string().trim().min(1).max(500) });
/**
 * POST /v1/tasks/{taskId}/complete: an outcome; its fields are checked against the task's step
 * by the use case (domain/task.ts OUTCOME_SCHEMAS), which alone knows the step.
 */
export const CompleteTaskRequest = z.object({ outcome: z.string() }).passthrough();

/** POST /v1/webhooks/ems: a delivery event, signed by EMS (the signature is checked on the raw body first). */
export const EmsEvent = z.object({
  eventId: z.string().min(1).max(128),
  waybillNo: z.string().min(1).max(64),
  status: z.enum(['collected', 'in_transit', 'out_for_delivery', 'delivered', 'returned', 'failed']),
  occurredAt: z.iso.datetime({ offset: true }),
  location: z.string().max(200).optional(),
  signedBy: z.string().max(100).optional(),
});
export type EmsEvent = z.infer<typeof EmsEvent>;

/** GET /v1/supervision/lights */
export const LightsQuery = z.object({ color: z.enum(['red', 'yellow']).optional(), dept: z.string().max(64).optional() });
/** GET /v1/supervision/cases */
export const CasesQuery = z.object({ status: z.enum(['open', 'closed']).default('open') });
/** A China date (YYYY-MM-DD, the whole day) or an ISO date-time with its offset. */
const Instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
/** GET /v1/supervision/stats */
export const StatsQuery = z.object({ from: Instant.optional(), to: Instant.optional(), dept: z.string().max(64).optional(), itemCode: z.string().max(64).optional() });
