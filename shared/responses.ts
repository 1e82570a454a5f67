import * as z from 'zod';
import { DeliveryMethod, Item, MaterialFormat } from './domain/catalog.ts';
import { AcceptanceOutcome, DecisionOutcome, EscalatedDecisionOutcome, ExaminationOutcome, Rank, Step } from './domain/task.ts';

/**
 * Response bodies of the HTTP contract (SPEC: HTTP contract v1), as zod schemas. Each handler
 * types what it returns against one of these (`respond()` in http/respond.ts), and the OpenAPI
 * document publishes the same schema for that operation (http/openapi.ts), so that the document
 * cannot say one thing while the handler returns another without the compiler (for the fields
 * a schema names) or the e2e tests (for every response they receive) saying so.
 *
 * Built from what the use cases return. Fields beyond the contract are welcome (SPEC), so the
 * published objects are open: a client ignores what it does not know. Each schema named here
 * becomes `#/components/schemas/<id>` in the document.
 */
import { LICENSE_STATUS_NAMES } from './domain/license.ts';

export const components = z.registry<{ id: string }>();

/**
 * A copy of `schema` with its description, as classic zod's `.describe()` makes it; it works on the
 * schemas of the request side too, which are zod/mini (shared/contract.ts) and have no `.describe()`.
 */
const describe = <T extends z.core.$ZodType>(schema: T, description: string): T => {
  const copy = z.clone(schema);
  z.globalRegistry.add(copy, { description });
  return copy;
};

const named = <T extends z.core.$ZodType>(id: string, description: string, schema: T): T => {
  const described = describe(schema, description);
  components.add(described, { id });
  return described;
};

// ——— Building blocks ———

export const DateTime = named('DateTime', '时刻（instant），ISO 8601 格式，带时区，通常为 UTC，如 2026-06-01T02:00:00.000Z', z.iso.datetime({ offset: true }));
export const ChinaDate = named('ChinaDate', '中国日期（China date，UTC+8），YYYY-MM-DD', z.iso.date());

export const ApplicationStatus = named(
  'ApplicationStatus',
  '办件状态（application status）：submitted 已提交 → correcting 补正中 → accepted 已受理 → suspended 中止（计时暂停）→ approved 准予许可 | denied 不予许可；更早可能 refused 不予受理 | withdrawn 已撤回；准予后 issued 已出证 → delivering 送达中 → completed 已办结。备案从 submitted 直接到 completed。',
  z.enum(['submitted', 'correcting', 'accepted', 'suspended', 'approved', 'denied', 'refused', 'withdrawn', 'issued', 'delivering', 'completed']),
);
export const Light = named('Light', '监察灯（supervision light）：green 绿灯，yellow 黄灯（临近期限），red 红灯（已超期）', z.enum(['green', 'yellow', 'red']));
export const CalendarKind = named('CalendarKind', '期限所依据的工作日历（calendar）：official 国务院已公布放假安排；provisional 按法定节日规则推算，公布后重新计算', z.enum(['official', 'provisional']));
export const FlowState = named('FlowState', '办理流程（flow）的状态：running 运行中，waiting 等待人工（工作人员、申请人或快递），failed 异常终止（管理员可重新驱动），succeeded 已结束', z.enum(['running', 'waiting', 'failed', 'succeeded']));
const SealAlgorithm = z.string().describe('签章算法（seal algorithm）：SM2_SM3 或 ECDSA_P256_SHA256');
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const FieldProblem = z.object({
  path: z.string().describe('出问题的字段路径，如 materials.0.uploadId；整个请求体为 (body)'),
  code: z.string().describe('稳定的机器可读代码（code）'),
  message: z.string().describe('给人看的中文说明（message）'),
});

export const Problem = named(
  'Problem',
  '错误（problem details，RFC 9457），Content-Type 为 application/problem+json。code 稳定、供程序判断；title 与 detail 为中文；errors 逐项列出字段问题（一次性告知）。可能带有更多字段（如黑名单的 reason、source）。',
  z.looseObject({
    type: z.string().describe('问题类型的 URI，https://oneseal.gov.cn/problems/<code>'),
    title: z.string().describe('中文标题'),
    status: z.number().int().describe('HTTP 状态码'),
    detail: z.string().optional().describe('中文说明'),
    code: z.string().describe('稳定的机器可读代码，如 application.invalid、auth.unauthorized'),
    errors: z.array(FieldProblem).max(50).optional().describe('逐项的字段问题（最多列出前 50 项）'),
    errorCount: z.number().int().optional().describe('字段问题的总数：多于 50 项时才给出'),
    errorsTruncated: z.literal(true).optional().describe('errors 只列出了前 50 项'),
  }),
);

// ——— The license endpoints (SPEC: verify, license, `/seal`, `/seal/keys`): the Chinese names of GB/T 36903 as descriptions ———

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

// ——— Public ———

export const Health = named(
  'Health',
  '健康检查（health）：城市、平台时钟，以及工作日历正式公布到哪一年',
  z.object({
    status: z.literal('ok'),
    city: z.string().describe('城市行政区划代码，如 640100'),
    time: DateTime.describe('平台当前时刻（嵌入模式下为开发时钟）'),
    calendar: z.object({ officialThrough: z.number().int().describe('自 2025 年起连续有正式放假安排的最后一年（officialThrough）') }),
  }),
);

export const OpenApiDocument = named(
  'OpenApiDocument',
  '本接口的 OpenAPI 3.1 文档（即本文档）',
  z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }),
);

const CatalogItemSummary = z.object({
  code: z.string(),
  version: z.number().int(),
  name: z.string(),
  department: z.string().describe('主办部门代码'),
  powerCategory: Item.shape.powerCategory,
  handling: Item.shape.handling,
  flow: Item.shape.flow,
  legalLimitDays: z.number().int().describe('法定办结时限（工作日）'),
  promisedLimitDays: z.number().int().describe('承诺办结时限（工作日）'),
  visits: z.number().int().describe('最多跑几次'),
  online: Item.shape.online,
});

export const CatalogIndex = named(
  'CatalogIndex',
  '公布的事项清单（catalogue）：城市、部门与每个事项的最新版本',
  z.object({
    city: z.object({ areaCode: z.string(), name: z.string(), bureau: z.string() }),
    departments: z.array(z.object({ code: z.string(), name: z.string() })),
    items: z.array(CatalogItemSummary),
  }),
);

export const CatalogItem = named('CatalogItem', '一个事项的实施清单（item）：设定依据、申请条件、材料、表单、收费、时限、送达方式、证照', Item);

export const LicenseVerification = named(
  'LicenseVerification',
  '证照公开核验（license verification）：重新计算 PDF 的 SHA-256 并验证印章签名；持证人名称已脱敏；{licenseNo} 也可以是证照标识',
  VerifyResponse,
);

export const CalendarYear = named(
  'CalendarYear',
  '一年的工作日历（calendar year）：holidays 为放假的工作日（暂定年份含按规则推算的法定节日），workdays 为调休上班的周末',
  z.object({
    year: z.number().int(),
    status: CalendarKind,
    source: z.string().optional().describe('放假安排的出处（正式年份）'),
    holidays: z.array(ChinaDate),
    workdays: z.array(ChinaDate),
  }),
);

export const CalendarPublication = named(
  'CalendarPublication',
  '公布一年的放假安排后的工作日历，以及因此重新计算的未到期期限数（recomputed）',
  z.object({
    ...CalendarYear.shape,
    recomputed: z.number().int().describe('期限因此改变的数量'),
    failed: z.number().int().optional().describe('因并发未能重新计算的办件数（期限保持不变）'),
    warnings: z.array(z.string()).optional().describe('提示：法定节日未在放假日期中等'),
  }),
);

// ——— Applicant ———

export const Upload = named(
  'Upload',
  '上传位（upload slot）：客户端用 method 与 headers 把文件 PUT 到 url（短时有效）',
  z.object({
    uploadId: z.string().describe('上传标识，提交申请时引用'),
    url: z.string().describe('预签名的上传地址'),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()).describe('上传时须带的请求头'),
    expiresAt: DateTime.describe('上传地址的失效时刻'),
  }),
);

const ApplicantView = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('person'), idNumber: z.string(), name: z.string(), phone: z.string() }),
    z.object({ kind: z.literal('enterprise'), creditCode: z.string(), name: z.string(), phone: z.string() }),
  ])
  .describe('申请人（applicant）：对申请人本人完整显示，对其他人证件号、姓名、电话脱敏');

const applicationFields = {
  applicationId: z.string().describe('办件标识（applicationId）'),
  applicationNo: z.string().describe('办件编号（applicationNo）：行政区划代码 + 日期 + 序号'),
  itemCode: z.string(),
  itemVersion: z.number().int().describe('提交时所依据的事项版本'),
  itemName: z.string(),
  status: ApplicationStatus,
  applicant: ApplicantView,
  form: z.record(z.string(), z.unknown()).describe('申请表单（form），字段见事项的 form'),
  materials: z.array(z.object({ materialCode: z.string(), fileName: z.string(), format: MaterialFormat, size: z.number().int(), sha256: Hex64 })).describe('已收取的材料'),
  quantity: z.number().int().describe('申领份数'),
  submittedAt: DateTime,
  acceptedAt: DateTime.optional(),
  due: z
    .object({
      promisedAt: DateTime.describe('承诺办结期限'),
      legalAt: DateTime.describe('法定办结期限'),
      issueAt: DateTime.optional().describe('准予后颁发证照的期限'),
      calendar: CalendarKind,
    })
    .optional()
    .describe('期限（due），受理后才有'),
  light: Light,
  clockPaused: z.boolean().describe('计时是否暂停（中止期间）'),
  corrections: z
    .object({
      items: z.array(z.object({ materialCode: z.string().optional(), field: z.string().optional(), reason: z.string() })),
      requestedAt: DateTime,
      resolvedAt: DateTime.optional(),
    })
    .optional()
    .describe('补正告知（corrections）'),
  deferred: z.object({ materialCodes: z.array(z.string()), dueAt: DateTime, suppliedAt: DateTime.optional() }).optional().describe('容缺受理后待补交的材料（deferred）'),
  refusal: z.object({ reason: z.string(), legalBasis: z.string(), by: z.string(), at: DateTime }).optional().describe('不予受理（refusal）'),
  decision: z
    .object({
      outcome: z.enum(['approve', 'deny']),
      opinion: z.string().optional(),
      reason: z.string().optional(),
      legalBasis: z.string().optional(),
      remedies: z.string().optional().describe('不予许可时告知的复议、诉讼权利'),
      by: z.string(),
      at: DateTime,
    })
    .optional()
    .describe('决定（decision）'),
  licenses: z.array(z.object({ licenseNo: z.string().describe('证照编号'), identifier: z.string().optional().describe('证照标识（GB/T 36904）') })).optional().describe('已签章、可核验的证照'),
  suspension: z.object({ kind: z.string().describe('hearing | testing | inspection | expert-review | public-notice'), reason: z.string(), since: DateTime }).optional().describe('正在进行的中止（suspension）'),
  suspensions: z.array(z.object({ kind: z.string(), reason: z.string(), since: DateTime, until: DateTime, workingDays: z.number().int() })).optional().describe('已结束的中止'),
  extension: z.object({ days: z.number().int(), reason: z.string(), by: z.string(), at: DateTime }).optional().describe('延期（extension），仅一次'),
  evaluation: z.object({ score: z.number().int().min(1).max(5), comment: z.string().optional(), at: DateTime }).optional().describe('好差评（evaluation）'),
  flow: FlowState,
  flowError: z.object({ error: z.string(), at: DateTime }).optional().describe('流程异常终止的原因（flow 为 failed 时）'),
  delivery: z
    .object({
      method: DeliveryMethod,
      waybillNo: z.string().optional().describe('EMS 运单号'),
      status: z.string().optional().describe('送达状态：created、collected、in_transit、out_for_delivery、delivered、returned、failed、awaiting-pickup、picked-up'),
    })
    .describe('送达（delivery）'),
  completedAt: DateTime.optional(),
};

export const ApplicationSummary = named('ApplicationSummary', '办件（application），不含时间线', z.object(applicationFields));

export const Application = named(
  'Application',
  '办件（application）：状态、期限、监察灯、决定、证照、送达与时间线（timeline）',
  z.object({
    ...applicationFields,
    timeline: z.array(z.object({ at: DateTime, action: z.string().describe('如 submitted、acceptance.accept、license.sealed'), actor: z.string(), reason: z.string().optional() })),
  }),
);

export const ApplicationList = named('ApplicationList', '申请人自己的办件，最新的在前', z.object({ applications: z.array(ApplicationSummary) }));

export const License = named(
  'License',
  '证照（license）元数据（GB/T 36903 字段）、证照标识、状态代码与短时有效的 PDF 下载地址',
  LicenseResponse,
);

export const LicenseSeal = named(
  'LicenseSeal',
  '离线核验材料（offline verification）：签章所签的原文 signedData、PDF 的 SHA-256 与 DER 签名；配合 GET /v1/seal/keys 的公钥，仅用 OpenSSL 即可核验',
  LicenseSealResponse,
);

export const SealKeys = named('SealKeys', '本市用过的全部签章公钥（seal keys），含启用、停用时间', SealKeysResponse);

// ——— Officer ———

export const TaskOutcome = named(
  'TaskOutcome',
  '办理结果（outcome），按环节：受理 accept | accept-deferred | correction | refuse；审查、核查、并联审查 pass | fail；决定 approve | deny | escalate',
  z.union([AcceptanceOutcome, ExaminationOutcome, DecisionOutcome, EscalatedDecisionOutcome]),
);

export const Task = named(
  'Task',
  '工作人员的任务（task）：流程的一个待办环节，归属部门与职级',
  z.object({
    taskId: z.string(),
    applicationId: z.string(),
    applicationNo: z.string(),
    itemCode: z.string(),
    step: describe(Step, '环节（step）：acceptance 受理，review 审查，inspection 现场核查，joint-review 并联审查，decision 决定，escalated-decision 提请副局长决定，referral 上报'),
    dept: z.string(),
    rank: Rank,
    status: z.enum(['open', 'completed', 'cancelled']),
    openedAt: DateTime,
    dueAt: DateTime,
    light: Light,
    outcome: TaskOutcome.optional(),
    completedBy: z.string().optional(),
    completedAt: DateTime.optional(),
  }),
);

export const TaskList = named('TaskList', '本部门、本职级的待办任务，最紧急的在前', z.object({ tasks: z.array(Task) }));

export const TaskCompletion = named(
  'TaskCompletion',
  '办结的任务与办件的新状态',
  z.object({ taskId: z.string(), status: z.literal('completed'), outcome: TaskOutcome, application: z.object({ applicationId: z.string(), status: ApplicationStatus }) }),
);

export const Revocation = named(
  'Revocation',
  '证照已吊销（revocation）：仍保存，核验显示 revoked',
  z.object({
    licenseNo: z.string(),
    identifier: z.string().nullable().describe('证照标识'),
    status: z.literal('revoked'),
    statusCode: z.enum(['01', '02', '03', '04', '05', '07']).describe('证照状态代码：03 撤销，04 注销，07 吊销'),
    statusName: z.string(),
    kind: z.enum(['revoke', 'cancel', 'penalty']),
    revokedAt: DateTime,
    reason: z.string(),
    legalBasis: z.string(),
  }),
);

// ——— Supervisor ———

export const LightList = named('LightList', '亮黄灯、红灯的待办环节', z.object({ lights: z.array(Task) }));

export const AccountabilityCase = named(
  'AccountabilityCase',
  '问责案件（accountability case）：超期（overdue）、差评回访（evaluation）或流程异常（flow-failed）',
  z.object({
    caseId: z.string(),
    kind: z.enum(['overdue', 'evaluation', 'flow-failed']),
    status: z.enum(['open', 'closed']),
    applicationId: z.string(),
    applicationNo: z.string(),
    itemCode: z.string(),
    dept: z.string(),
    step: z.string().optional(),
    rank: z.string().optional(),
    taskId: z.string().optional(),
    dueAt: DateTime.optional(),
    openedAt: DateTime,
    detail: z.string().describe('中文说明'),
  }),
);

export const CaseList = named('CaseList', '问责案件', z.object({ cases: z.array(AccountabilityCase) }));

const Rate = z.number().min(0).max(1).nullable();
const Average = z.number().nullable();

export const Statistics = named(
  'Statistics',
  '统计（statistics）：区间 [from, to) 内提交的办件，按部门、事项筛选；比率为 0 到 1，没有分母时为 null',
  z.object({
    period: z.object({ from: DateTime, to: DateTime }),
    filter: z.object({ dept: z.string().nullable(), itemCode: z.string().nullable() }),
    submitted: z.number().int(),
    accepted: z.number().int(),
    refused: z.number().int(),
    withdrawn: z.number().int(),
    approved: z.number().int(),
    denied: z.number().int(),
    completed: z.number().int(),
    onTimeRate: Rate.describe('按承诺期限作出决定的比率'),
    averageWorkingDaysUsed: Average.describe('受理到决定平均用时（工作日）'),
    averageLegalLimitDays: Average.describe('平均法定时限（工作日，含延期）'),
    sameDayCompletionRate: Rate.describe('当天办结率'),
    zeroVisitRate: Rate.describe('零跑动率'),
    fullyOnlineRate: Rate.describe('全程网办率'),
    averageEvaluation: Average.describe('平均评分'),
    blockedAttempts: z.number().int().describe('因失信黑名单被拒的申请次数'),
  }),
);

const AuditEventView = z.object({
  seq: z.number().int(),
  at: DateTime,
  actor: z.string(),
  action: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  reason: z.string().optional(),
  legalBasis: z.string().optional(),
  prevHash: z.string(),
  hash: z.string(),
});

export const AuditTrail = named(
  'AuditTrail',
  '办件的留痕（audit trail）：哈希链上的每个事件，以及现在重新计算的链是否完整（intact）',
  z.object({
    applicationId: z.string(),
    events: z.array(AuditEventView),
    intact: z.boolean(),
    brokenAt: z.number().int().optional().describe('链断开的第一个序号'),
    algorithm: z.enum(['SHA-256', 'SM3']),
  }),
);

// ——— Admin ———

const blacklistFields = {
  subjectId: z.string(),
  reason: z.string(),
  source: z.string(),
  until: DateTime.optional(),
  active: z.boolean(),
  addedBy: z.string(),
  addedAt: DateTime,
  removedAt: DateTime.optional(),
  blockedCount: z.number().int().describe('列入以来被拒的申请次数'),
  listed: z.boolean().describe('此刻是否在名单上（active 且未过 until）'),
};

export const BlacklistEntry = named('BlacklistEntry', '失信黑名单条目（blacklist entry）', z.object(blacklistFields));

export const BlacklistRecord = named(
  'BlacklistRecord',
  '失信黑名单条目及其留痕',
  z.object({
    ...blacklistFields,
    trail: z.array(z.object({ seq: z.number().int(), at: DateTime, actor: z.string(), action: z.string(), details: z.record(z.string(), z.unknown()).optional(), reason: z.string().optional() })),
  }),
);

// ——— EMS ———

export const EmsReceipt = named(
  'EmsReceipt',
  'EMS 事件已收到：taken 已处理，duplicate 重复事件，stale 过时事件（都答 200，EMS 不必重发）',
  z.object({
    outcome: z.enum(['taken', 'duplicate', 'stale']),
    applicationNo: z.string(),
    delivery: z.object({ method: DeliveryMethod, status: z.string().optional() }),
  }),
);

/** An event (SPEC rule 15), as pushed to the subscribers and read from the feed. */
export const Event = named(
  'Event',
  '事件（event）：办件的每一次变更。`seq` 在同一办件内逐一递增，接收方据此排序和去重；`data` 中的申请人已脱敏，除非订阅方被授权接收完整身份',
  z.object({
    eventId: z.string(),
    type: z.string(),
    occurredAt: DateTime,
    applicationId: z.string(),
    applicationNo: z.string(),
    itemCode: z.string(),
    seq: z.number().int().min(1),
    status: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
);
export const EventPage = named('EventPage', '事件（按提交顺序）；`next` 为下一页的游标，没有新事件时与请求的相同', z.object({ events: z.array(Event), next: z.string().nullable() }));

export const Delivery = named(
  'Delivery',
  '一个事件向一个订阅方的投递（delivery）：delivered 已送达，failing 正在重试，dead 重试用尽（死信）',
  z.object({
    deliveryId: z.string(),
    subscriber: z.string(),
    eventId: z.string(),
    applicationId: z.string(),
    seq: z.number().int(),
    type: z.string(),
    status: z.enum(['delivered', 'failing', 'dead']),
    attempts: z.number().int().min(0),
    updatedAt: DateTime,
    lastError: z.string().optional(),
    nextAttemptAt: DateTime.optional(),
    deliveredAt: DateTime.optional(),
  }),
);
export const DeliveryList = named('DeliveryList', '死信（dead letters），最近的在前', z.object({ deliveries: z.array(Delivery) }));
