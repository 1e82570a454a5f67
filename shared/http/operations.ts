import type { z } from 'zod';
import * as R from '../responses.ts';

/**
 * What the OpenAPI document says about each operation beyond its route and request body: who it
 * is for, what it does (in Chinese, with the English term), the success status and the response
 * schema its handler responds with (shared/responses.ts), the problems it can answer, and
 * examples of the main journeys. Keyed like the route table: `<METHOD> <path template>`.
 */

/** Tags by user (SPEC: HTTP contract v1). */
export const TAGS = [
  { name: '公开 Public', description: '无需令牌：健康检查、OpenAPI 文档、事项清单、证照核验、工作日历（public, no token）' },
  { name: '申请人 Applicant', description: '申请人（自然人或企业）：上传材料、提交申请、补正、撤回、评价、下载证照（applicant）' },
  { name: '工作人员 Officer', description: '审批局工作人员（窗口、首席代表、副局长）：待办任务、中止恢复延期、窗口领取、吊销证照（officer）' },
  { name: '电子监察 Supervisor', description: '电子监察室：红黄灯、问责案件、统计、留痕（supervisor）' },
  { name: '管理员 Admin', description: '管理员：失信黑名单、工作日历、重新驱动失败的流程（admin）' },
  { name: 'EMS', description: 'EMS 政务专递的送达事件回调，以 HMAC 签名认证（EMS webhook）' },
  { name: '事件 Events', description: '省级平台（platform）与电子监察室：办件事件的补读（events feed）；事件另以签名 webhook 推送给城市配置的订阅方' },
] as const;
type Tag = (typeof TAGS)[number]['name'];
const [PUBLIC, APPLICANT, OFFICER, SUPERVISOR, ADMIN, EMS, EVENTS]: Tag[] = TAGS.map((t) => t.name);

/** Problem statuses an operation can answer beyond those every operation of its kind has (401 and 403 behind the authorizer, 400 and 422 with a JSON body, 500 and 503). */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429;

export interface Example {
  summary: string;
  value: unknown;
}

export interface OperationDoc {
  summary: string;
  description: string;
  tags: Tag[];
  /** The success status and the schema of its body: the handler responds with the same one. */
  status: 200 | 201;
  response: z.core.$ZodType;
  /** What each problem status means here (codes in the description): listed statuses only. */
  problems?: Partial<Record<ProblemStatus, string>>;
  /** Query and header parameters (path parameters come from the template). */
  parameters?: { name: string; in: 'query' | 'header'; required?: boolean; description: string; schema: Record<string, unknown> }[];
  responseHeaders?: Record<string, { description: string; schema: Record<string, unknown> }>;
  /** A request body that is not JSON (the JSON ones come from the request schemas). */
  rawBody?: { contentType: string; description: string };
  /** The success body in another media type too, chosen by the request's Accept header. */
  alternativeContent?: { contentType: string; description: string; example: string };
  requestExamples?: Record<string, Example>;
  responseExamples?: Record<string, Example>;
}

export const PATH_PARAMS: Record<string, string> = {
  applicationId: '办件标识（applicationId），提交申请时返回',
  itemCode: '事项编码（item code），如 pharmacist-registration',
  licenseNo: '证照编号（license number），如 ZYYS-640100-2026-000001-6',
  taskId: '任务标识（taskId），见 GET /v1/tasks',
  deliveryId: '投递标识（deliveryId），见 GET /v1/admin/deliveries',
  subjectId: '主体标识：18 位身份证号或统一社会信用代码（subject id）',
  year: '年份（year），2000–2100',
};

// ——— Examples of the main journeys: submit, complete a task, verify ———

const PERSON = '64010419900101123X';
const APPLICATION_ID = 'app_5d1c0e8b2a7f43e9b6c4d210';
const APPLICATION_NO = '64010020260601000001';
const LICENSE_NO = 'ZYYS-640100-2026-000001-6';
const SUBMITTED_AT = '2026-06-01T02:00:00.000Z';
const ACCEPTED_AT = '2026-06-01T03:15:00.000Z';

const submitRequest = {
  itemCode: 'pharmacist-registration',
  applicant: { kind: 'person' as const, idNumber: PERSON, name: '马晓燕', phone: '13995000000' },
  form: { certificateNo: 'ZY20240012345', category: '药学', scope: '药品经营', employer: '宁夏众康大药房连锁有限公司' },
  materials: [
    { materialCode: 'application-form', uploadId: 'upl_0f3a9c7e51d24b6a8e2d7c41b9a05f13' },
    { materialCode: 'employer-license', uploadId: 'upl_7b2e4d9a16c34f0e9a5b8d62c1f7e304' },
    { materialCode: 'qualification-certificate', uploadId: 'upl_c4e81a0d93b74f25a6e0d9b3f2a1c857' },
  ],
  delivery: { method: 'electronic' },
};

const submitted = {
  applicationId: APPLICATION_ID,
  applicationNo: APPLICATION_NO,
  itemCode: 'pharmacist-registration',
  itemVersion: 1,
  itemName: '执业药师注册',
  status: 'submitted',
  applicant: submitRequest.applicant,
  form: submitRequest.form,
  materials: [
    { materialCode: 'application-form', fileName: '执业药师注册申请表.pdf', format: 'pdf', size: 183204, sha256: 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb' },
    { materialCode: 'employer-license', fileName: '药品经营许可证.pdf', format: 'pdf', size: 95873, sha256: '3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d' },
    { materialCode: 'qualification-certificate', fileName: '职业资格证书.jpg', format: 'jpeg', size: 412650, sha256: '2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6' },
  ],
  quantity: 1,
  submittedAt: SUBMITTED_AT,
  light: 'green',
  clockPaused: false,
  flow: 'waiting',
  delivery: { method: 'electronic' },
  timeline: [{ at: SUBMITTED_AT, action: 'submitted', actor: PERSON }],
} satisfies z.input<typeof R.Application>;

const verified = {
  valid: true,
  status: 'valid',
  statusCode: '01',
  licenseNo: LICENSE_NO,
  identifier: '1.2.156.3005.2.11100000MB0143028C001.11640100MB1F43018Y.00000001.001.K',
  itemName: '执业药师注册',
  holderName: '马**',
  issuedAt: '2026-06-01T03:15:02.000Z',
  expiresAt: '2031-05-31T15:59:59.999Z',
  issuer: '银川市行政审批服务局',
  issuerCode: '11640100MB1F43018Y',
  statusName: '有效',
  licenseName: '执业药师注册证',
  holderId: '640104********123X',
  algorithm: 'SM2_SM3',
  keyId: 'arn:aws-cn:kms:cn-northwest-1:123456789012:key/0d3f…',
  signatureValid: true,
  sha256: '18ac3e7343f016890c510e93f935261169d9e3f565436429830faf0934f4f8e4',
} satisfies z.input<typeof R.LicenseVerification>;

const completion = (outcome: z.input<typeof R.TaskOutcome>, status: z.input<typeof R.ApplicationStatus>) =>
  ({ taskId: 'tsk_9e4b7c1d2a8f4e6b0c3d5a71', status: 'completed', outcome, application: { applicationId: APPLICATION_ID, status } }) satisfies z.input<typeof R.TaskCompletion>;

// ——— The operations ———

const APPLICATION_404 = '办件不存在，或不是您可以查看的办件（application.not-found）';

export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /v1/health': {
    summary: '健康检查（Health check）',
    description: '平台是否在运行、所在城市、平台时钟，以及工作日历正式公布到哪一年（`calendar.officialThrough`）。平台启动期间，每个请求都立即得到 503（`platform.starting`），而不是没有回应。',
    tags: [PUBLIC],
    status: 200,
    response: R.Health,
  },
  'GET /v1/openapi.json': {
    summary: 'OpenAPI 文档（OpenAPI document）',
    description: '本接口的 OpenAPI 3.1 文档：省级平台据此对接（the contract the provincial platform integrates from）。',
    tags: [PUBLIC],
    status: 200,
    response: R.OpenApiDocument,
  },
  'GET /v1/catalog/items': {
    summary: '事项清单（Catalogue）',
    description: '公布的事项清单（事项清单 / 实施清单，catalogue）：城市、部门，以及每个事项的最新版本的时限、跑动次数与网办深度。清单之外的事项不能申请。',
    tags: [PUBLIC],
    status: 200,
    response: R.CatalogIndex,
  },
  'GET /v1/catalog/items/{itemCode}': {
    summary: '事项详情（Catalogue item）',
    description: '一个事项最新版本的实施清单（item）：设定依据、申请条件、材料（格式、大小、能否容缺）、表单字段、收费、时限、送达方式与所发证照。',
    tags: [PUBLIC],
    status: 200,
    response: R.CatalogItem,
    problems: { 404: '事项清单中没有该事项（item.not-found）' },
  },
  'GET /v1/licenses/{licenseNo}/verify': {
    summary: '核验证照（Verify a license）',
    description: '公开核验（public verification）一张签章的电子证照：重新计算所存 PDF 的 SHA-256，用城市的审批专用章公钥验证签名，并给出证照状态（有效、已吊销、已过期）。持证人姓名与证件号脱敏。证照二维码指向此处。',
    tags: [PUBLIC],
    status: 200,
    response: R.LicenseVerification,
    problems: { 404: '证照不存在（license.not-found）' },
    responseExamples: {
      valid: { summary: '有效的证照（a valid license）', value: verified },
      revoked: { summary: '已吊销的证照（a revoked license）', value: { ...verified, valid: false, status: 'revoked', statusCode: '03', statusName: '撤销' } satisfies z.input<typeof R.LicenseVerification> },
    },
  },
  'POST /v1/licenses/{licenseNo}/verify': {
    summary: '核验证照文件（Verify a copy of a license）',
    description: '把手中的证照 PDF 原样提交，核验这份文件是否就是签章的那一份（verify a copy）：`sha256` 为所提交文件的哈希，`signatureValid` 仅当它与签章记录一致且签名有效时为 true。',
    tags: [PUBLIC],
    status: 200,
    response: R.LicenseVerification,
    rawBody: { contentType: 'application/pdf', description: '证照 PDF 文件的原始字节' },
    problems: { 400: '请求体中没有 PDF 文件（verify.no-file）', 404: '证照不存在（license.not-found）', 413: '文件超过 2 MB，不会是本平台签发的证照（verify.too-large）' },
  },
  'POST /v1/webhooks/ems': {
    summary: 'EMS 送达事件（EMS delivery event）',
    description:
      'EMS 政务专递推送的运单事件（webhook）。以 `X-EMS-Signature: sha256=<hex>` 认证：HMAC-SHA256(密钥, `X-EMS-Timestamp` + "." + 原始请求体)，时间戳与当前相差不得超过 300 秒。已处理或重复的事件都答 200；delivered 使办件办结，returned 改为窗口自取。',
    tags: [EMS],
    status: 200,
    response: R.EmsReceipt,
    parameters: [
      { name: 'X-EMS-Timestamp', in: 'header', required: true, description: '发送时刻（Unix 秒）', schema: { type: 'string', pattern: '^\\d{1,12}$' } },
      { name: 'X-EMS-Signature', in: 'header', required: true, description: 'sha256=<HMAC-SHA256 的十六进制>', schema: { type: 'string', pattern: '^sha256=[0-9a-fA-F]{64}$' } },
    ],
    problems: {
      400: '请求体不是合法的 JSON（request.malformed-json）',
      401: '签名缺失或不符，或时间戳相差超过 300 秒（ems.unauthorized）',
      404: '运单号不存在（ems.waybill-unknown）',
      422: '事件内容不符合要求（request.invalid）',
    },
  },
  'POST /v1/uploads': {
    summary: '申请上传位（Create an upload）',
    description:
      '为一份材料申报文件名、类型、大小与 SHA-256（可注明 itemCode 与 materialCode，则按该材料的格式与大小上限核对），得到预签名的上传地址（upload slot）；客户端再把文件连同 `headers` 中的每个请求头 PUT 到 `url`。上传地址签入了大小、SHA-256（`x-amz-checksum-sha256`）与 `If-None-Match: *`：内容不符的文件被 S3 拒收（400），同一地址不能再次上传（412）。提交申请时平台再按字节核对大小、哈希、格式及其与申报类型是否一致。每位申请人最多保留 50 个未使用的上传；7 天内未被申请使用的上传会被清理。',
    tags: [APPLICANT],
    status: 201,
    response: R.Upload,
    problems: {
      413: '申报的大小超过该材料（未注明材料时为事项清单中任一材料）的上限（upload.too-large）',
      422: '请求体不符合要求（request.invalid），文件类型不是允许的格式（upload.content-type），或事项、材料不存在（upload.material-unknown）',
      429: '未使用的上传已达 50 个（upload.too-many-open），请先提交办件或等其过期',
    },
  },
  'POST /v1/applications': {
    summary: '提交申请（Submit an application）',
    description:
      '提交一份申请（submit）。须带 `Idempotency-Key` 请求头：同一键、同一请求体再次提交得到同样的回答，同一键、不同请求体得到 409。所有问题一次性告知（422，`errors` 逐项列出）。失信黑名单上的申请人得到 403（`applicant.blacklisted`）。答复为申请人看到的办件，`Location` 为其地址。',
    tags: [APPLICANT],
    status: 201,
    response: R.Application,
    parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, description: '幂等键（idempotency key）：1–128 位字母、数字或 ._:-', schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$' } }],
    responseHeaders: { Location: { description: '新办件的地址', schema: { type: 'string' } } },
    problems: {
      400: '缺少或无法识别 Idempotency-Key（idempotency.key-missing），或请求体不是合法的 JSON（request.malformed-json）',
      403: '申请人在失信黑名单上（applicant.blacklisted，带 reason 与 source），或不是以本人或本单位名义申请（applicant.not-self）',
      409: '该幂等键已用于另一份不同的申请（idempotency.key-reused），或材料正被另一份申请使用（material.upload-conflict）',
      422: '申请材料或信息有问题，逐项列出（application.invalid、request.invalid）',
    },
    requestExamples: { pharmacist: { summary: '执业药师注册（即办件，零跑动）', value: submitRequest } },
    responseExamples: { submitted: { summary: '已提交，等待受理', value: submitted } },
  },
  'GET /v1/applications': {
    summary: '我的办件（List my applications）',
    description: '申请人自己的全部办件（own applications），最新的在前，不含时间线。',
    tags: [APPLICANT],
    status: 200,
    response: R.ApplicationList,
  },
  'GET /v1/applications/{applicationId}': {
    summary: '查询办件（Get an application）',
    description:
      '办件的状态、期限（`due`，及其所依据的日历）、监察灯（`light`）、补正、决定、证照（只列已签章、可核验的）、送达、流程状态（`flow`）与时间线（timeline）。申请人本人、所属部门的工作人员与电子监察室可以查看；对申请人以外的人，申请人信息脱敏。',
    tags: [APPLICANT, OFFICER, SUPERVISOR],
    status: 200,
    response: R.Application,
    problems: { 404: APPLICATION_404 },
  },
  'POST /v1/applications/{applicationId}/corrections': {
    summary: '补正或补交材料（Correct an application）',
    description: '补正（correction）：按补正告知一次补齐材料与表单，办件重新接收、受理计时重新开始；或在容缺受理（accept-deferred）后补交容缺的材料。',
    tags: [APPLICANT],
    status: 200,
    response: R.Application,
    problems: {
      404: APPLICATION_404,
      409: '办件当前不需要补正或补交（application.not-correcting），或补正通知尚在生成（correction.not-ready）',
      422: '补正后仍有问题（correction.invalid）或容缺材料不符合要求（deferred.invalid），逐项列出',
    },
  },
  'POST /v1/applications/{applicationId}/withdraw': {
    summary: '撤回申请（Withdraw an application）',
    description: '作出决定之前，申请人可以撤回申请（withdraw），须说明理由；待办任务随之取消，流程停止。',
    tags: [APPLICANT],
    status: 200,
    response: R.Application,
    problems: { 404: APPLICATION_404, 409: '已作出决定或已办结的办件不能撤回（application.not-withdrawable）' },
  },
  'POST /v1/applications/{applicationId}/evaluation': {
    summary: '评价（Evaluate, 好差评）',
    description: '办结后申请人评价一次（evaluation，1–5 分）；1 或 2 分为部门开立差评回访案件。',
    tags: [APPLICANT],
    status: 201,
    response: R.Application,
    problems: { 404: APPLICATION_404, 409: '办结后才能评价（evaluation.not-completed），或已经评价过（evaluation.already）' },
  },
  'POST /v1/applications/{applicationId}/suspend': {
    summary: '中止办理（Suspend）',
    description: '因听证、检验检测、现场核查、专家评审或公示中止办理（suspension），计时暂停，暂停的工作日不计入期限。须首席代表或副局长（chief, director）。',
    tags: [OFFICER],
    status: 200,
    response: R.Application,
    problems: { 403: '须由首席代表或副局长办理（auth.rank）', 404: APPLICATION_404, 409: '只有已受理、正在办理的办件可以中止（application.not-running）' },
  },
  'POST /v1/applications/{applicationId}/resume': {
    summary: '恢复办理（Resume）',
    description: '结束中止（resume）：期限按暂停的工作日顺延，待办环节的期限随之移动。须首席代表或副局长。',
    tags: [OFFICER],
    status: 200,
    response: R.Application,
    problems: { 403: '须由首席代表或副局长办理（auth.rank）', 404: APPLICATION_404, 409: '办件未处于中止状态（application.not-suspended）' },
  },
  'POST /v1/applications/{applicationId}/extend': {
    summary: '延期（Extend）',
    description: '经副局长（director）批准延期一次（extension）：期限延长 10 个工作日，并联审批 15 个工作日。',
    tags: [OFFICER],
    status: 200,
    response: R.Application,
    problems: { 403: '延期须经副局长批准（auth.rank）', 404: APPLICATION_404, 409: '办件不在办理中（application.not-running），或已经延期一次（application.already-extended）' },
  },
  'GET /v1/applications/{applicationId}/audit': {
    summary: '留痕（Audit trail）',
    description: '办件的全部留痕事件（audit trail）：每个事件的哈希覆盖其内容与前一事件的哈希；`intact` 为现在重新计算整条链的结果，`brokenAt` 为断开处。电子监察室与所属部门的工作人员可以查看。',
    tags: [SUPERVISOR, OFFICER],
    status: 200,
    response: R.AuditTrail,
    problems: { 404: APPLICATION_404 },
  },
  'GET /v1/supervision/lights': {
    summary: '红黄灯（Supervision lights）',
    description: '亮黄灯（临近期限）和红灯（已超期）的待办环节（supervision lights），可按颜色与部门筛选。',
    tags: [SUPERVISOR],
    status: 200,
    response: R.LightList,
    parameters: [
      { name: 'color', in: 'query', description: '只看红灯或黄灯', schema: { type: 'string', enum: ['red', 'yellow'] } },
      { name: 'dept', in: 'query', description: '部门代码', schema: { type: 'string', maxLength: 64 } },
    ],
    problems: { 422: '查询参数不符合要求（request.invalid）' },
  },
  'GET /v1/supervision/cases': {
    summary: '问责案件（Accountability cases）',
    description: '问责案件（accountability cases）：环节超期、差评回访、流程异常终止。',
    tags: [SUPERVISOR],
    status: 200,
    response: R.CaseList,
    parameters: [{ name: 'status', in: 'query', description: '案件状态，默认 open', schema: { type: 'string', enum: ['open', 'closed'], default: 'open' } }],
    problems: { 422: '查询参数不符合要求（request.invalid）' },
  },
  'GET /v1/supervision/stats': {
    summary: '统计（Statistics）',
    description: '统计（statistics）区间内提交的办件：受理、不予受理、撤回、准予、不予许可、办结数，按时办结率、平均用时、当天办结率、零跑动率、全程网办率、平均评分、因黑名单被拒的次数。`from`、`to` 为中国日期（YYYY-MM-DD，两端都含）或带时区的 ISO 时刻；不给则为本月至今。统计按中国日期逐日累计（每个部门、事项每天一条），区间按整天计算：时刻落在某天之内则计入该整天，返回的 `period` 为实际统计的整天区间；无论办件多少，读取的数据量只与天数和事项数有关。`Accept: text/csv` 时返回 CSV。',
    tags: [SUPERVISOR],
    status: 200,
    response: R.Statistics,
    alternativeContent: {
      contentType: 'text/csv',
      description: '请求头 `Accept: text/csv` 时：同样的统计数字导出为 CSV（UTF-8，带 BOM），每个有办件的部门和事项一行，最后一行为合计（含因黑名单被拒的次数）',
      example: '\uFEFFperiodFrom,periodTo,dept,itemCode,itemName,submitted,accepted,refused,withdrawn,approved,denied,completed,onTimeRate,averageWorkingDaysUsed,averageLegalLimitDays,sameDayCompletionRate,zeroVisitRate,fullyOnlineRate,averageEvaluation,blockedAttempts\r\n2026-05-31T16:00:00.000Z,2026-06-30T16:00:00.000Z,drug,pharmacist-registration,执业药师注册,2,2,0,0,2,0,2,1,0,1,1,1,1,5,\r\n2026-05-31T16:00:00.000Z,2026-06-30T16:00:00.000Z,,,合计,2,2,0,0,2,0,2,1,0,1,1,1,1,5,0\r\n',
    },
    parameters: [
      { name: 'from', in: 'query', description: '起点：YYYY-MM-DD（当天 0 点，中国时间）或 ISO 时刻', schema: { type: 'string' } },
      { name: 'to', in: 'query', description: '终点：YYYY-MM-DD（含当天）或 ISO 时刻', schema: { type: 'string' } },
      { name: 'dept', in: 'query', description: '部门代码', schema: { type: 'string', maxLength: 64 } },
      { name: 'itemCode', in: 'query', description: '事项编码', schema: { type: 'string', maxLength: 64 } },
    ],
    problems: { 422: '日期格式不对，或起点不早于终点（request.invalid）' },
  },
  'GET /v1/tasks': {
    summary: '待办任务（Open tasks）',
    description: '本人所在部门、本职级的待办任务（open tasks），最紧急的在前，带期限与监察灯。',
    tags: [OFFICER],
    status: 200,
    response: R.TaskList,
    parameters: [{ name: 'status', in: 'query', description: '目前只支持 open', schema: { type: 'string', enum: ['open'], default: 'open' } }],
    problems: { 400: 'status 目前只支持 open（tasks.status）' },
  },
  'POST /v1/tasks/{taskId}/complete': {
    summary: '办理任务（Complete a task）',
    description:
      '给出一个环节的办理结果（outcome），按环节校验：受理 `accept` | `accept-deferred`（`deferred`）| `correction`（`items`）| `refuse`（`reason`、`legalBasis`）；审查、现场核查、并联审查 `pass` | `fail`（`opinion`）；决定 `approve`（`opinion`）| `deny`（`reason`、`legalBasis`）| `escalate`（`reason`）。流程随之继续。',
    tags: [OFFICER],
    status: 200,
    response: R.TaskCompletion,
    problems: {
      403: '任务不属于您的部门或职级（task.not-yours）',
      404: '任务不存在（task.not-found）',
      409: '任务已经办理完毕（task.completed）、流程已经终止（task.flow-ended），或办件处于中止状态（application.suspended）',
      422: '办理结果不符合该环节的要求（request.invalid、task.invalid-outcome）',
    },
    requestExamples: {
      accept: { summary: '受理（即办件受理即准予）', value: { outcome: 'accept', opinion: '材料齐全，符合注册条件' } },
      correction: { summary: '一次性告知补正', value: { outcome: 'correction', items: [{ materialCode: 'premises-plan', reason: '平面布置图未标明仓库面积' }] } },
      approve: { summary: '准予许可', value: { outcome: 'approve', opinion: '经审查，符合药品零售企业开办条件，准予许可' } },
      deny: { summary: '不予许可', value: { outcome: 'deny', reason: '经营场所不符合《药品经营质量管理规范》要求', legalBasis: '《药品管理法》第五十二条' } },
    },
    responseExamples: {
      accepted: { summary: '受理，即办件随即准予', value: completion({ outcome: 'accept', opinion: '材料齐全，符合注册条件' }, 'approved') },
      correcting: { summary: '已告知补正', value: completion({ outcome: 'correction', items: [{ materialCode: 'premises-plan', reason: '平面布置图未标明仓库面积' }] }, 'correcting') },
    },
  },
  'GET /v1/licenses/{licenseNo}': {
    summary: '证照与下载（Get a license）',
    description:
      '证照元数据（GB/T 36903 字段）与签章 PDF 的短时下载地址（5 分钟）。持证人、所属部门的工作人员与电子监察室可以查看；证照 PDF 印有持证人完整的身份证号，下载地址（download）只给持证人与颁发部门的工作人员，电子监察室看到的是脱敏的元数据。',
    tags: [APPLICANT, OFFICER, SUPERVISOR],
    status: 200,
    response: R.License,
    problems: { 403: '该证照不属于您的部门（license.other-department）', 404: '证照不存在（license.not-found）' },
  },
  'GET /v1/licenses/{licenseNo}/seal': {
    summary: '离线核验材料（License seal evidence）',
    description: '签章所签的原文（signedData，含 PDF 的 SHA-256）与 DER 签名（base64）。第三方以 GET /v1/seal/keys 的公钥，用 OpenSSL 即可离线核验（SM2 用 SM3 与默认用户标识 1234567812345678）。持证人与所属部门的工作人员可以获取。',
    tags: [APPLICANT, OFFICER],
    status: 200,
    response: R.LicenseSeal,
    problems: { 403: '该证照不属于您的部门（license.other-department），或电子监察室：原文含持证人完整证件号码（license.seal-not-for-supervisors）', 404: '证照不存在（license.not-found）' },
  },
  'GET /v1/seal/keys': {
    summary: '签章公钥（Seal public keys）',
    description: '本市曾用于签章的全部公钥（SPKI PEM），含算法、状态（active / retired）与启用期间；密钥轮换后旧公钥仍然公布，旧证照照样可以离线核验。',
    tags: [PUBLIC],
    status: 200,
    response: R.SealKeys,
  },
  'POST /v1/licenses/{licenseNo}/revoke': {
    summary: '吊销证照（Revoke a license）',
    description: '以理由与法律依据吊销或撤销证照（revoke）；证照仍然保存，核验显示 revoked。须首席代表或副局长。',
    tags: [OFFICER],
    status: 200,
    response: R.Revocation,
    problems: { 403: '须由首席代表或副局长办理（auth.rank），或证照不属于您的部门（license.other-department）', 404: '证照不存在（license.not-found）', 409: '证照已被吊销（license.already-revoked）' },
  },
  'POST /v1/applications/{applicationId}/pickup': {
    summary: '窗口领取（Record a pickup）',
    description: '窗口工作人员记录申请人已领取证照（自取，pickup），办件办结。',
    tags: [OFFICER],
    status: 200,
    response: R.Application,
    problems: { 404: APPLICATION_404, 409: '没有待领取的证照（delivery.not-awaiting-pickup），或送达环节尚未就绪（delivery.not-ready）' },
  },
  'PUT /v1/blacklist/{subjectId}': {
    summary: '列入失信黑名单（Blacklist a subject）',
    description: '把一个主体列入失信黑名单（blacklist），写明理由、来源与期限；此后其申请被拒（403 applicant.blacklisted）并计数。留痕。',
    tags: [ADMIN],
    status: 200,
    response: R.BlacklistEntry,
    problems: { 422: '主体标识不是有效的身份证号或统一社会信用代码（blacklist.subject-invalid），或请求内容不符合要求' },
  },
  'DELETE /v1/blacklist/{subjectId}': {
    summary: '移出失信黑名单（Remove from the blacklist）',
    description: '把主体移出失信黑名单；条目与留痕保留。',
    tags: [ADMIN],
    status: 200,
    response: R.BlacklistEntry,
    problems: { 404: '该主体不在失信黑名单中（blacklist.not-listed）' },
  },
  'GET /v1/blacklist/{subjectId}': {
    summary: '查询失信黑名单条目（Get a blacklist entry）',
    description: '一个主体的黑名单条目、此刻是否在名单上（`listed`）、被拒次数，以及条目的留痕。',
    tags: [ADMIN],
    status: 200,
    response: R.BlacklistRecord,
    problems: { 404: '该主体不在失信黑名单中（blacklist.not-listed）' },
  },
  'POST /v1/applications/{applicationId}/redrive': {
    summary: '重新驱动流程（Redrive a failed flow）',
    description: '从失败的状态重新驱动办件的流程（Step Functions RedriveExecution，redrive）：已成功的步骤不再执行，超时的回调重新开立任务。答复为办件。',
    tags: [ADMIN],
    status: 200,
    response: R.Application,
    problems: { 404: APPLICATION_404, 409: '流程没有失败，无需重新驱动（flow.not-failed），或执行已无法重新驱动' },
  },
  'GET /v1/calendar/{year}': {
    summary: '工作日历（Calendar year）',
    description: '一年的工作日历（working-day calendar），与所有期限的计算一致：正式年份（official）为国务院公布的放假与调休；暂定年份（provisional）为按规则推算的法定节日，公布后重新计算。',
    tags: [PUBLIC],
    status: 200,
    response: R.CalendarYear,
    problems: { 404: '年份不在 2000–2100 之内（calendar.year-out-of-range）' },
  },
  'PUT /v1/calendar/{year}': {
    summary: '公布放假安排（Publish a year’s schedule）',
    description: '公布一年的正式放假安排（publish a calendar year）：放假的工作日、调休上班的周末及出处。所有未到期的期限按新日历重新计算（`recomputed`）。留痕。',
    tags: [ADMIN],
    status: 200,
    response: R.CalendarPublication,
    problems: { 404: '年份不在 2000–2100 之内（calendar.year-out-of-range）', 422: '日期不在该年之内（calendar.date-outside-year）或安排不符合要求（calendar.schedule-invalid）' },
  },
  'GET /v1/events': {
    summary: '事件补读（Events feed）',
    description:
      '按提交顺序读取办件事件（events，SPEC 规则 15），供省级平台（platform）在中断后补读，电子监察室（supervisor）亦可读取。与 webhook 推送的事件相同（申请人已脱敏）；`after` 为上一页的 `next`，不给则从保留的最早事件读起。事件保留至少 180 天；最近 1 秒内提交的事件下一次读取时出现。',
    tags: [EVENTS, SUPERVISOR],
    status: 200,
    response: R.EventPage,
    parameters: [
      { name: 'after', in: 'query', description: '游标：上一页答复的 next', schema: { type: 'string' } },
      { name: 'limit', in: 'query', description: '每页最多的事件数，1–500，默认 100', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
    ],
    problems: { 422: '查询参数不符合要求（request.invalid）或游标无效（events.invalid-cursor）' },
  },
  'GET /v1/admin/deliveries': {
    summary: '死信（Dead deliveries）',
    description: '重试用尽仍未送达订阅方的事件投递（dead letters），最近的在前。',
    tags: [ADMIN],
    status: 200,
    response: R.DeliveryList,
    parameters: [{ name: 'status', in: 'query', description: '投递状态，目前只有 dead', schema: { type: 'string', enum: ['dead'], default: 'dead' } }],
    problems: { 422: '查询参数不符合要求（request.invalid）' },
  },
  'POST /v1/admin/deliveries/{deliveryId}/retry': {
    summary: '重试死信（Retry a dead delivery）',
    description: '把一条死信重新交给中继（relay）投递给该订阅方，重试次数从头计算。答复为投递记录。',
    tags: [ADMIN],
    status: 200,
    response: R.Delivery,
    problems: { 404: '投递记录不存在（delivery.not-found）', 409: '该投递不是死信（delivery.not-dead），已被同时发起的另一次重试认领（delivery.already-retried），或事件已超过保留期限（delivery.event-expired）' },
  },
};
