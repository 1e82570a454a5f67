import { z } from 'zod';
import { ROUTES } from './routes.ts';
import { BlacklistRequest, CalendarYearRequest, CorrectionRequest, EmsEvent, EvaluationRequest, ExtendRequest, RevokeRequest, SubmitRequest, SuspendRequest, UploadRequest, WithdrawRequest } from '../contract.ts';
import { AcceptanceOutcome, DecisionOutcome, EscalatedDecisionOutcome, ExaminationOutcome } from '../domain/task.ts';

/** The OpenAPI 3.1 document, built from the route table and the same zod schemas the handlers parse with. */
const BODIES: Record<string, z.ZodType> = {
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

const CREATED = new Set(['POST /v1/uploads', 'POST /v1/applications', 'POST /v1/applications/{applicationId}/evaluation']);

const Problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
  },
};

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const key = `${route.method} ${route.path}`;
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (key === 'POST /v1/applications') params.push({ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string' } });
    const body = BODIES[key];
    const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(route.auth ? {} : { security: [] }),
      parameters: params,
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(body, { io: 'input', unrepresentable: 'any' }) } } } } : {}),
      responses: {
        [CREATED.has(key) ? '201' : '200']: { description: 'OK', content: { 'application/json': {} } },
        ...(body ? { '400': { description: '请求格式错误', ...problem }, '422': { description: '内容不符合要求', ...problem } } : {}),
        ...(route.auth ? { '401': { description: '未认证', ...problem }, '403': { description: '无权限', ...problem } } : {}),
        '404': { description: '不存在', ...problem },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'oneseal — 一枚印章管审批', version: '1.0.0' },
    servers: [{ url: serverUrl }],
    components: { schemas: { Problem }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
