import * as z from 'zod';
import { LICENSE_STATUS_NAMES, REVOCATION_KINDS } from './domain/license.ts';
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
  /** The item and material the file is for: the slot is then held to that material's formats and size limit. */
  itemCode: z.string().min(1).max(64).optional(),
  materialCode: z.string().min(1).max(64).optional(),
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

/**
 * A form: field names to scalar values (the catalogue's field types are all scalars), at most
 * 200 fields, so nothing nested or huge is ever hashed or stored; the item's own fields are
 * checked by the use case.
 */
export const FormInput = z
  .record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((form) => Object.keys(form).length <= 200, { message: '表单字段不得多于 200 个' });

export const MaterialRef = z.object({ materialCode: z.string().min(1).max(64), uploadId: z.string().min(1).max(64) });
export type MaterialRef = z.infer<typeof MaterialRef>;

export const CorrectionRequest = z.object({ materials: z.array(MaterialRef).max(50).default([]), form: FormInput.optional() });
export const WithdrawRequest = z.object({ reason: z.string().trim().min(1).max(500) });
export const BlacklistRequest = z.object({
  reason: z.string().trim().min(1).max(1000),
  source: z.string().trim().min(1).max(200),
  until: z.iso.datetime({ offset: true }).optional(),
});

export const SubmitRequest = z.object({
  itemCode: z.string().min(1).max(64),
  applicant: ApplicantInput,
  form: FormInput.default({}),
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

/**
 * The license endpoints of the HTTP contract (SPEC: verify, license, `/seal`, `/seal/keys`,
 * revoke): the revocation body the handler parses, and the answers' shapes with the Chinese
 * names of GB/T 36903 as their descriptions, for the OpenAPI document (`LICENSE_RESPONSES`,
 * keyed like its routes).
 */

export const RevokeRequest = z.object({
  reason: z.string().trim().min(1).max(1000).describe('理由'),
  legalBasis: z.string().trim().min(1).max(500).describe('法律依据'),
  kind: z.enum(REVOCATION_KINDS).optional().describe('revoke 撤销（第六十九条，默认，状态代码 03）| cancel 注销（第七十条，04）| penalty 吊销（行政处罚，07）'),
});

const statusCode = z.enum(Object.keys(LICENSE_STATUS_NAMES) as [keyof typeof LICENSE_STATUS_NAMES]).describe('证照状态代码：01 有效，02 暂扣，03 撤销，04 注销，05 失效，07 吊销');
const status = z.enum(['valid', 'revoked', 'expired']).describe('证照状态：valid 有效 | revoked 已撤销、注销或吊销 | expired 已过有效期（失效）');
const identifier = z.string().nullable().describe('证照标识（GB/T 36904）：1.2.156.3005.2.<证照类型代码>.<颁发机构代码>.<流水号>.<版本号>.<校验位>');
const algorithm = z.enum(['SM2_SM3', 'ECDSA_P256_SHA256']).describe('签名算法：SM2_SM3（GB/T 32918，默认用户标识 1234567812345678）| ECDSA_P256_SHA256');
const date = z.iso.date();

/** The GB/T 36903 metadata of a license (电子证照元数据). */
export const LicenseMetadata = z
  .object({
    name: z.string().describe('证照名称'),
    identifier,
    typeCode: z.string().nullable().describe('证照类型代码：证照定义机构的统一社会信用代码加 3 位数字'),
    typeName: z.string().describe('证照类型名称'),
    number: z.string().describe('证照编号'),
    issuer: z.string().describe('证照颁发机构'),
    issuerCode: z.string().nullable().describe('证照颁发机构代码（统一社会信用代码）'),
    issueDate: date.describe('证照颁发日期'),
    validFrom: date.describe('证照有效期起始'),
    validUntil: date.nullable().describe('证照有效期截止（null：长期有效）'),
    holder: z.string().describe('持证主体'),
    holderCode: z.string().describe('持证主体代码（非持证人查看时脱敏）'),
    holderCodeType: z.enum(['111', '001']).describe('持证主体代码类型代码：111 公民身份号码，001 统一社会信用代码'),
    holderCodeTypeName: z.string().describe('持证主体代码类型名称'),
    area: z.string().nullable().describe('证照所属管辖属地编码（GB/T 2260）'),
    areaName: z.string().nullable().describe('管辖属地名称'),
    itemCode: z.string().describe('关联事项代码'),
    itemName: z.string().describe('关联事项名称'),
    previousIdentifier: z.string().optional().describe('关联证照标识：延续换发前的证照'),
  })
  .describe('电子证照元数据（GB/T 36903）');

/** GET /v1/licenses/{licenseNo} (the number or the 证照标识). */
export const LicenseResponse = z.object({
  licenseNo: z.string().describe('证照编号'),
  identifier,
  licenseName: z.string().describe('证照名称'),
  status,
  statusCode,
  statusName: z.string().describe('证照状态名称'),
  metadata: LicenseMetadata,
  issuedAt: z.iso.datetime().describe('颁发时间'),
  expiresAt: z.iso.datetime().nullable().describe('有效期截止时间'),
  sha256: z.string().describe('证照 PDF 文件的 SHA-256'),
  signature: z.object({ algorithm, keyId: z.string().describe('签章密钥标识') }),
  download: z.object({ url: z.string().describe('证照 PDF 下载地址（短时有效）'), expiresInSeconds: z.number() }).optional().describe('签章 PDF 的下载地址：持证人与颁发部门的工作人员'),
  itemCode: z.string().describe('关联事项编码'),
  itemName: z.string().describe('关联事项名称'),
  applicationId: z.string().describe('办件'),
  holder: z.object({ kind: z.enum(['person', 'enterprise']), name: z.string(), subjectId: z.string() }).describe('持证主体（对持证人以外的人脱敏）'),
  fields: z.array(z.object({ label: z.string(), value: z.string() })).describe('证面信息'),
  issuer: z.string().describe('颁发机构'),
  verifyUrl: z.string().describe('公开核验地址（证照二维码）'),
});

/** GET /v1/licenses/{licenseNo}/verify (public; the number or the 证照标识). */
export const VerifyResponse = z.object({
  valid: z.boolean().describe('证照真实、未被篡改且有效'),
  status,
  statusCode,
  licenseNo: z.string().describe('证照编号'),
  identifier,
  itemName: z.string().describe('关联事项名称'),
  holderName: z.string().describe('持证主体（脱敏）'),
  issuedAt: z.iso.datetime().describe('颁发时间'),
  expiresAt: z.iso.datetime().nullable().describe('有效期截止时间'),
  issuer: z.string().describe('证照颁发机构'),
  issuerCode: z.string().nullable().describe('证照颁发机构代码'),
  signatureValid: z.boolean().describe('电子签章验证通过，且文件哈希一致'),
  sha256: z.string().nullable().describe('所核验 PDF 文件的 SHA-256'),
  statusName: z.string().describe('证照状态名称'),
  licenseName: z.string().describe('证照名称'),
  holderId: z.string().describe('持证主体代码（脱敏）'),
  algorithm: z.string().describe('签名算法：SM2_SM3 | ECDSA_P256_SHA256'),
  keyId: z.string().describe('签章密钥标识'),
  revokedAt: z.iso.datetime().optional().describe('撤销、注销或吊销的时间'),
});

/** GET /v1/licenses/{licenseNo}/seal (the holder and officers): what an offline check needs. */
export const LicenseSealResponse = z.object({
  licenseNo: z.string().describe('证照编号'),
  identifier,
  signedData: z.string().describe('签名原文：签章所签的 UTF-8 字符串（规范化 JSON，含证照数据和 PDF 的 SHA-256）'),
  pdfSha256: z.string().describe('证照 PDF 文件的 SHA-256'),
  signature: z.object({ algorithm, keyId: z.string().describe('签章密钥标识，对应 GET /v1/seal/keys'), value: z.string().describe('DER 编码签名值（base64）') }),
});

/** GET /v1/seal/keys (public): every key the city has sealed with. */
export const SealKeysResponse = z.object({
  keys: z.array(
    z.object({
      keyId: z.string().describe('签章密钥标识'),
      algorithm,
      publicKeyPem: z.string().describe('公钥（SubjectPublicKeyInfo，PEM）'),
      status: z.enum(['active', 'retired']).describe('active 当前使用 | retired 已停用（仍用于核验此前签发的证照）'),
      activeFrom: z.iso.datetime().describe('启用时间'),
      activeUntil: z.iso.datetime().optional().describe('停用时间'),
    }),
  ),
});

/** Response schemas by route, for the OpenAPI document. */
export const LICENSE_RESPONSES: Record<string, z.ZodType> = {
  'GET /v1/licenses/{licenseNo}': LicenseResponse,
  'GET /v1/licenses/{licenseNo}/verify': VerifyResponse,
  'POST /v1/licenses/{licenseNo}/verify': VerifyResponse,
  'GET /v1/licenses/{licenseNo}/seal': LicenseSealResponse,
  'GET /v1/seal/keys': SealKeysResponse,
};
/** GET /v1/events: after a cursor (`next` of the previous page), at most `limit` events. */
export const EventsQuery = z.object({ after: z.string().max(400).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
/** GET /v1/admin/deliveries: the dead letters. */
export const DeliveriesQuery = z.object({ status: z.literal('dead').default('dead') });
