import * as z from 'zod/mini';
import { REVOCATION_KINDS } from './domain/license.ts';
import { SUSPENSION_KINDS } from './domain/application.ts';

/**
 * Requests of the HTTP contract (SPEC: HTTP contract v1): the bodies and queries the handlers
 * parse, and the OpenAPI document describes, from these same schemas, limits included.
 *
 * Written with `zod/mini`, zod 4's tree-shakable form (functions instead of methods:
 * `z.optional(z.string().check(z.maxLength(64)))`), as is every schema a Lambda bundle carries:
 * a bundle then holds only the parts of zod it calls, where classic zod's methods bring all of
 * it (~60 KiB) into every bundle that imports it anywhere. The same core parses and reports, so
 * issue codes, paths and our problem+json are those of classic zod; mini loads no locale, so an
 * issue our problem+json does not word itself (a bad environment, a flow's payload, in the logs)
 * reads "Invalid input" with its code, path and expectation. The response schemas
 * (shared/responses.ts) are types and document only, and stay classic; test/unit/bundles.test.ts
 * keeps classic zod out of the bundles.
 */

const text = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max));
const code = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * A schema built where it is defined, the call marked pure: a bundle that does not use the schema
 * leaves it out, and with it the cost of building it at every cold start (a handler parses one or
 * two of these; building all of them took several milliseconds of each function's start).
 */
const pure = <T>(build: () => T): T => build();

const phone = /* @__PURE__ */ pure(() => z.string().check(z.regex(/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/, '电话号码格式不正确')));
const name = /* @__PURE__ */ pure(() => text(1, 100));

export const UploadRequest = /* @__PURE__ */ pure(() => z.object({
  fileName: text(1, 200),
  contentType: z.string().check(z.regex(/^[\w.+-]+\/[\w.+-]+$/)),
  size: z.number().check(z.int(), z.minimum(1), z.maximum(100 * 1024 * 1024)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/i, 'sha256 应为 64 位十六进制')),
  /** The item and material the file is for: the slot is then held to that material's formats and size limit. */
  itemCode: z.optional(code(64)),
  materialCode: z.optional(code(64)),
}));

export const ApplicantInput = /* @__PURE__ */ pure(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person'), idNumber: z.string(), name, phone }),
  z.object({ kind: z.literal('enterprise'), creditCode: z.string(), name, phone }),
]));

export const DeliveryInput = /* @__PURE__ */ pure(() => z.discriminatedUnion('method', [
  z.object({
    method: z.literal('ems'),
    address: z.object({
      province: text(1, 20),
      city: text(1, 20),
      district: text(1, 20),
      detail: text(1, 200),
      recipient: name,
      phone,
    }),
  }),
  z.object({ method: z.literal('pickup') }),
  z.object({ method: z.literal('electronic') }),
]));

/**
 * A form: field names to scalar values (the catalogue's field types are all scalars), at most
 * 200 fields, so nothing nested or huge is ever hashed or stored; the item's own fields are
 * checked by the use case.
 */
export const FormInput = /* @__PURE__ */ pure(() =>
  z
    .record(z.string().check(z.maxLength(64)), z.union([z.string().check(z.maxLength(2000)), z.number(), z.boolean(), z.null()]))
    .check(z.refine((form) => Object.keys(form).length <= 200, { message: '表单字段不得多于 200 个' })),
);

export const MaterialRef = /* @__PURE__ */ pure(() => z.object({ materialCode: code(64), uploadId: code(64) }));
export type MaterialRef = z.infer<typeof MaterialRef>;

export const CorrectionRequest = /* @__PURE__ */ pure(() => z.object({ materials: z._default(z.array(MaterialRef).check(z.maxLength(50)), []), form: z.optional(FormInput) }));
export const WithdrawRequest = /* @__PURE__ */ pure(() => z.object({ reason: text(1, 500) }));
export const BlacklistRequest = /* @__PURE__ */ pure(() => z.object({
  reason: text(1, 1000),
  source: text(1, 200),
  until: z.optional(z.iso.datetime({ offset: true })),
}));

export const SubmitRequest = /* @__PURE__ */ pure(() => z.object({
  itemCode: code(64),
  applicant: ApplicantInput,
  form: z._default(FormInput, {}),
  materials: z.array(MaterialRef).check(z.maxLength(50)),
  delivery: DeliveryInput,
  quantity: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(500))),
}));
export type SubmitRequest = z.infer<typeof SubmitRequest>;

export const IdempotencyKey = /* @__PURE__ */ pure(() => z.string().check(z.regex(/^[\w.:-]{1,128}$/)));

/** PUT /v1/calendar/{year}: the State Council's schedule for a year (weekdays off, weekend days worked) and where it was published. */
export const CalendarYearRequest = /* @__PURE__ */ pure(() => z
  .strictObject({
    holidays: z.array(z.iso.date()).check(z.maxLength(366)),
    workdays: z.array(z.iso.date()).check(z.maxLength(366)),
    source: text(1, 500),
  })
  .check(
    z.superRefine((s, ctx) => {
      const off = new Set(s.holidays);
      s.workdays.forEach((d, i) => {
        if (off.has(d)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `${d} 不能既是放假日又是调休上班日` });
      });
    }),
  ));

/** POST /v1/applications/{applicationId}/suspend: why the clock stops (中止). */
export const SuspendRequest = /* @__PURE__ */ pure(() => z.object({ kind: z.enum(SUSPENSION_KINDS), reason: text(1, 1000) }));
/** POST /v1/applications/{applicationId}/extend: the deputy director's reason for the extension (延期). */
export const ExtendRequest = /* @__PURE__ */ pure(() => z.object({ reason: text(1, 1000) }));
/** POST /v1/applications/{applicationId}/evaluation: the applicant's rating (好差评). */
export const EvaluationRequest = /* @__PURE__ */ pure(() => z.object({ score: z.number().check(z.int(), z.minimum(1), z.maximum(5)), comment: z.optional(z.string().check(z.trim(), z.maxLength(500))) }));
/**
 * POST /v1/tasks/{taskId}/complete: an outcome; its fields are checked against the task's step
 * by the use case (domain/task.ts OUTCOME_SCHEMAS), which alone knows the step.
 */
export const CompleteTaskRequest = /* @__PURE__ */ pure(() => z.looseObject({ outcome: z.string() }));

/** POST /v1/webhooks/ems: a delivery event, signed by EMS (the signature is checked on the raw body first). */
export const EmsEvent = /* @__PURE__ */ pure(() => z.object({
  eventId: code(128),
  waybillNo: code(64),
  status: z.enum(['collected', 'in_transit', 'out_for_delivery', 'delivered', 'returned', 'failed']),
  occurredAt: z.iso.datetime({ offset: true }),
  location: z.optional(z.string().check(z.maxLength(200))),
  signedBy: z.optional(z.string().check(z.maxLength(100))),
}));
export type EmsEvent = z.infer<typeof EmsEvent>;

/** GET /v1/supervision/lights */
export const LightsQuery = /* @__PURE__ */ pure(() => z.object({ color: z.optional(z.enum(['red', 'yellow'])), dept: z.optional(z.string().check(z.maxLength(64))) }));
/** GET /v1/supervision/cases */
export const CasesQuery = /* @__PURE__ */ pure(() => z.object({ status: z._default(z.enum(['open', 'closed']), 'open') }));
/** A China date (YYYY-MM-DD, the whole day) or an ISO date-time with its offset. */
const Instant = /* @__PURE__ */ pure(() => z.union([z.iso.date(), z.iso.datetime({ offset: true })]));
/** GET /v1/supervision/stats */
export const StatsQuery = /* @__PURE__ */ pure(() => z.object({ from: z.optional(Instant), to: z.optional(Instant), dept: z.optional(z.string().check(z.maxLength(64))), itemCode: z.optional(z.string().check(z.maxLength(64))) }));

/** POST /v1/licenses/{licenseNo}/revoke (the answers of the license endpoints are in shared/responses.ts). */
export const RevokeRequest = /* @__PURE__ */ pure(() => z.object({
  // Described in the OpenAPI document (http/openapi.ts): the revoke handler's bundle carries no descriptions.
  reason: text(1, 1000),
  legalBasis: text(1, 500),
  kind: z.optional(z.enum(REVOCATION_KINDS)),
}));
/** GET /v1/events: after a cursor (`next` of the previous page), at most `limit` events. */
export const EventsQuery = /* @__PURE__ */ pure(() => z.object({ after: z.optional(z.string().check(z.maxLength(400))), limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(500)), 100) }));
/** GET /v1/admin/deliveries: the dead letters. */
export const DeliveriesQuery = /* @__PURE__ */ pure(() => z.object({ status: z._default(z.literal('dead'), 'dead') }));
