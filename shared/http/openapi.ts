import * as z from 'zod';
import { ROUTES } from './routes.ts';
import { BlacklistRequest, CalendarYearRequest, CorrectionRequest, EmsEvent, EvaluationRequest, ExtendRequest, RevokeRequest, SubmitRequest, SuspendRequest, UploadRequest, WithdrawRequest } from '../contract.ts';
import { AcceptanceOutcome, DecisionOutcome, EscalatedDecisionOutcome, ExaminationOutcome } from '../domain/task.ts';
import { components, Problem } from '../responses.ts';
import { OPERATIONS, PATH_PARAMS, TAGS } from './operations.ts';

/**
 * The OpenAPI 3.1 document, built from the route table, the same zod schemas the handlers parse
 * requests with and respond with (shared/responses.ts), and what operations.ts says of each.
 */
/**
 * What the revocation's fields mean, said here rather than in contract.ts, so that the revoke
 * handler's bundle carries neither the texts nor zod's registry: each field of the schema the
 * handler parses is described in the global registry, which z.toJSONSchema reads.
 */
const REVOKE_FIELDS: [z.core.$ZodType, string][] = [
  [RevokeRequest.shape.reason, '理由'],
  [RevokeRequest.shape.legalBasis, '法律依据'],
  [RevokeRequest.shape.kind, 'revoke 撤销（第六十九条，默认，状态代码 03）| cancel 注销（第七十条，04）| penalty 吊销（行政处罚，07）'],
];
for (const [field, description] of REVOKE_FIELDS) z.globalRegistry.add(field, { description });

const BODIES: Record<string, z.core.$ZodType> = {
  'POST /v1/uploads': UploadRequest,
  'POST /v1/applications': SubmitRequest,
  'POST /v1/applications/{applicationId}/corrections': CorrectionRequest,
  'POST /v1/applications/{applicationId}/withdraw': WithdrawRequest,
  'PUT /v1/blacklist/{subjectId}': BlacklistRequest,
  'PUT /v1/calendar/{year}': CalendarYearRequest,
  'POST /v1/applications/{applicationId}/evaluation': EvaluationRequest,
  'POST /v1/applications/{applicationId}/suspend': SuspendRequest,
  'POST /v1/applications/{applicationId}/extend': ExtendRequest,
  'POST /v1/licenses/{licenseNo}/revoke': RevokeRequest,
  'POST /v1/webhooks/ems': EmsEvent,
  'POST /v1/tasks/{taskId}/complete': z.union([AcceptanceOutcome, ExaminationOutcome, DecisionOutcome, EscalatedDecisionOutcome]),
};

/** The response schemas (shared/responses.ts) as components: open objects, as the contract welcomes fields beyond its own. */
function schemaComponents(): Record<string, Record<string, unknown>> {
  const { schemas } = z.toJSONSchema(components, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'output',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def as { type: string; catchall?: unknown };
      if (def.type === 'object' && !def.catchall && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
      if (jsonSchema.type === 'integer' && jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.type === 'integer' && jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]));
}

const ref = (schema: z.core.$ZodType) => {
  const id = components.get(schema)?.id;
  if (!id) throw new Error('a response schema must be named in shared/responses.ts');
  return { $ref: `#/components/schemas/${id}` };
};

const problemContent = { 'application/problem+json': { schema: ref(Problem) } };
/** API Gateway answers some errors itself, before any function runs, as `{message}` in application/json. */
const gatewayContent = { 'application/json': { schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } } };

/** Problem responses every operation of a kind shares; an operation's own description of a status replaces the generic one. */
const PROBLEM_RESPONSES = {
  BadRequest: {
    description:
      '请求格式错误（bad request）：请求体不是合法的 JSON（request.malformed-json），嵌套超过 32 层（request.too-deep）或值多于 10000 个（request.too-many-values），路径参数编码不正确（request.path-invalid），或缺少必需的请求头',
    content: problemContent,
  },
  Unauthorized: {
    description: '未认证（unauthorized）：缺少身份令牌或令牌无效（auth.unauthorized）。部署在 AWS 上时，由 API Gateway 的 JWT 授权器直接答复 application/json 的 `{"message":"Unauthorized"}`。',
    content: { ...problemContent, ...gatewayContent },
  },
  Forbidden: { description: '无权限（forbidden）：当前身份无权执行此操作（auth.forbidden、auth.officer-claims）', content: problemContent },
  NotFound: { description: '不存在（not found）；路径参数过长或含有标识不会有的字符时为 request.path-not-found', content: problemContent },
  Conflict: { description: '冲突（conflict）：与当前状态冲突', content: problemContent },
  PayloadTooLarge: { description: '请求体过大（payload too large，request.too-large）', content: problemContent },
  TooManyRequests: { description: '请求过多（too many requests），请稍后重试', content: problemContent },
  Unprocessable: { description: '内容不符合要求（unprocessable content）：`errors` 逐项列出每一处问题（一次性告知）', content: problemContent },
  InternalError: { description: '系统内部错误（internal error），请稍后重试（internal）', content: { ...problemContent, ...gatewayContent } },
  Unavailable: { description: '平台正在启动（platform.starting），请按 Retry-After 稍后重试', content: { ...problemContent, ...gatewayContent } },
} as const;
const PROBLEM_BY_STATUS: Record<number, keyof typeof PROBLEM_RESPONSES> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 413: 'PayloadTooLarge', 422: 'Unprocessable', 429: 'TooManyRequests', 500: 'InternalError', 503: 'Unavailable' };

const mediaExamples = (examples?: Record<string, { summary: string; value: unknown }>) => (examples ? { examples } : {});

let built: ReturnType<typeof build> | undefined;

/** The OpenAPI 3.1 document for the API at `serverUrl`: built once, as it depends on nothing else. */
export function openApiDocument(serverUrl: string) {
  built ??= build();
  return { openapi: built.openapi, info: built.info, servers: [{ url: serverUrl }], ...built.rest };
}

function build() {
  const paths: Record<string, Record<string, unknown>> = {};
  const used = new Set<keyof typeof PROBLEM_RESPONSES>();
  for (const route of ROUTES) {
    const key = `${route.method} ${route.path}`;
    const op = OPERATIONS[key];
    if (!op) throw new Error(`shared/http/operations.ts does not describe ${key}`);
    const params: Record<string, unknown>[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, description: PATH_PARAMS[m[1]], schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' } }));
    params.push(...(op.parameters ?? []));
    const body = BODIES[key];
    // The statuses every operation of its kind can answer, then the operation's own, described as it describes them.
    // A path parameter can be malformed (400 request.path-invalid) or name nothing (404).
    const hasParams = route.path.includes('{');
    const statuses = new Set<number>([...(body ? [400, 422] : []), ...(hasParams ? [400, 404] : []), ...(route.auth ? [401, 403] : []), ...Object.keys(op.problems ?? {}).map(Number), 500, 503]);
    const problems = Object.fromEntries(
      [...statuses].sort((a, b) => a - b).map((status) => {
        const own = op.problems?.[status as keyof typeof op.problems];
        const shared = PROBLEM_BY_STATUS[status];
        if (!own) used.add(shared);
        // Behind the authorizer, a 403 may also be the role check's.
        const description = status === 403 && route.auth ? `${own}；身份不符时为 auth.forbidden` : own;
        return [String(status), own ? { description, content: problemContent } : { $ref: `#/components/responses/${shared}` }];
      }),
    );
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: op.summary,
      description: op.description,
      tags: op.tags,
      ...(route.auth ? {} : { security: [] }),
      parameters: params,
      ...(body
        ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(body, { io: 'input', unrepresentable: 'any' }), ...mediaExamples(op.requestExamples) } } } }
        : op.rawBody
          ? { requestBody: { required: true, description: op.rawBody.description, content: { [op.rawBody.contentType]: { schema: { type: 'string', contentMediaType: op.rawBody.contentType } } } } }
          : {}),
      responses: {
        [String(op.status)]: {
          description: op.summary,
          ...(op.responseHeaders ? { headers: op.responseHeaders } : {}),
          content: {
            'application/json': { schema: ref(op.response), ...mediaExamples(op.responseExamples) },
            ...(op.alternativeContent ? { [op.alternativeContent.contentType]: { schema: { type: 'string', description: op.alternativeContent.description }, example: op.alternativeContent.example } } : {}),
          },
        },
        ...problems,
      },
    };
  }
  return {
    openapi: '3.1.0' as const,
    info: {
      title: 'oneseal — 一枚印章管审批',
      version: '1.0.0',
      description:
        '市行政审批服务局的接口（HTTP contract v1）：一窗受理、一枚印章管审批。JSON over HTTPS；每个错误都是 application/problem+json（RFC 9457），`code` 稳定、供程序判断，`title` 与 `errors[].message` 为中文。调用方以省级身份认证平台签发的 JWT 认证（`Authorization: Bearer`）。答复中可能出现本文档未列出的字段，客户端应忽略它们。',
    },
    rest: {
      tags: TAGS,
      components: {
        schemas: schemaComponents(),
        responses: Object.fromEntries(Object.entries(PROBLEM_RESPONSES).filter(([name]) => used.has(name as keyof typeof PROBLEM_RESPONSES))),
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: '省级身份认证平台签发的 JWT：sub、role（applicant | officer | supervisor | admin | platform），工作人员另有 dept 与 rank' } },
      },
      security: [{ bearer: [] }],
      paths,
    },
  };
}
