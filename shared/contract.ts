import { z } from 'zod';

/** Request bodies of the HTTP contract (SPEC: HTTP contract v1), shared by handlers and the OpenAPI document. */

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
