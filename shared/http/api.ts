import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { DomainError, forbidden, type FieldProblem } from '../domain/errors.ts';
import { Rank } from '../domain/task.ts';

/**
 * The thin part every API function shares: caller claims (checked by the API's JWT
 * authorizer before the function runs), JSON bodies parsed with zod, and problem+json
 * (RFC 9457) for every error. Domain errors below 500 are shown as they are; anything else
 * becomes a generic 500, logged without the request body.
 */

export const logger = new Logger({ serviceName: 'oneseal' });

export type Role = 'applicant' | 'officer' | 'supervisor' | 'admin';
export interface Caller {
  sub: string;
  role: Role;
  dept?: string;
  rank?: Rank;
}

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
};
export type ApiResult = Exclude<APIGatewayProxyResultV2, string>;

const Claims = z.object({
  sub: z.string().min(1),
  role: z.enum(['applicant', 'officer', 'supervisor', 'admin']),
  dept: z.string().optional(),
  rank: Rank.optional(),
});

/** The caller, from the claims of the verified token; role must be one of `roles`. */
export function callerOf(event: ApiEvent, ...roles: Role[]): Caller {
  const parsed = Claims.safeParse(event.requestContext.authorizer?.jwt?.claims ?? {});
  if (!parsed.success) throw new DomainError(401, 'auth.unauthorized', '身份令牌无效或缺少必要信息');
  const caller = parsed.data;
  if (roles.length && !roles.includes(caller.role)) throw forbidden('auth.forbidden', '当前身份无权执行此操作');
  if (caller.role === 'officer' && (!caller.dept || !caller.rank)) throw forbidden('auth.officer-claims', '工作人员令牌缺少部门或职级');
  return caller;
}

const ZOD_MESSAGES: Record<string, string> = {
  invalid_type: '类型不正确或缺少此项',
  too_small: '内容过短或数值过小',
  too_big: '内容过长或数值过大',
  invalid_format: '格式不正确',
  invalid_value: '取值不在允许范围内',
  invalid_union: '不符合任何一种允许的形式',
  unrecognized_keys: '包含不认识的字段',
  custom: '内容不正确',
};

export function zodProblems(error: z.ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path: path || '(body)', code: `request.${issue.code}`, message: issue.code === 'custom' ? issue.message : `${path || '请求体'}：${ZOD_MESSAGES[issue.code] ?? '内容不正确'}` };
  });
}

/** Parses a JSON body against a schema: malformed JSON → 400, a body of the wrong shape → 422. */
export function parseBody<T extends z.ZodType>(event: ApiEvent, schema: T): z.infer<T> {
  let raw: unknown = {};
  if (event.body) {
    const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new DomainError(400, 'request.malformed-json', '请求体不是合法的 JSON');
    }
  }
  return parseWith(schema, raw);
}

export function parseWith<T extends z.ZodType>(schema: T, raw: unknown, prefix = ''): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new DomainError(422, 'request.invalid', '请求内容不符合要求', zodProblems(parsed.error, prefix));
  return parsed.data;
}

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export function problem(statusCode: number, code: string, title: string, errors?: FieldProblem[], extra?: Record<string, unknown>): ApiResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
    body: JSON.stringify({ type: `https://oneseal.gov.cn/problems/${code}`, title, status: statusCode, detail: title, code, ...(errors?.length ? { errors } : {}), ...extra }),
  };
}

/**
 * One log line per request: the route (its template, never the raw path, which may carry a
 * credit code), the status and the problem code. No body, no caller id, no token.
 */
const problemJson = (): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  after: async (request) => {
    logger.info('request', { route: request.event.routeKey, status: request.response?.statusCode });
  },
  onError: async (request) => {
    const e = request.error;
    const route = request.event.routeKey;
    if (e instanceof DomainError && e.statusCode < 500) {
      logger.info('request refused', { route, status: e.statusCode, code: e.code });
      request.response = problem(e.statusCode, e.code, e.message, e.errors, e.extra);
      return;
    }
    if (e instanceof DomainError) {
      logger.error('service problem', { route, status: e.statusCode, code: e.code });
      request.response = problem(e.statusCode, e.code, e.message, undefined, e.extra);
      return;
    }
    logger.error('unhandled error', { route, error: { name: (e as Error).name, message: maskIds((e as Error).message), stack: maskIds((e as Error).stack ?? '') } });
    request.response = problem(500, 'internal', '系统内部错误，请稍后重试');
  },
});

/** Masks anything shaped like an ID number or a credit code (18 characters) in a text bound for a log. */
export const maskIds = (text: string) => text.replace(/\b([0-9A-Z]{6})[0-9A-Z]{8}([0-9A-Z]{3}[0-9A-Z])\b/g, '$1********$2');

/** Wraps a use-case call as a Lambda handler for API Gateway HTTP API (payload v2). */
export function apiHandler(fn: (event: ApiEvent) => Promise<ApiResult>) {
  return middy<ApiEvent, ApiResult>().use(problemJson()).handler(fn);
}

export const pathParam = (event: ApiEvent, name: string): string => decodeURIComponent(event.pathParameters?.[name] ?? '');
