import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { DomainError, forbidden, type FieldProblem } from '../domain/errors.ts';
import { Role, type Caller } from '../domain/caller.ts';
import { Rank } from '../domain/task.ts';
import { parseWith } from '../domain/validation.ts';

/**
 * The thin part every API function shares: caller claims (checked by the API's JWT
 * authorizer before the function runs), JSON bodies parsed with zod, and problem+json
 * (RFC 9457) for every error. Domain errors below 500 are shown as they are; anything else
 * becomes a generic 500, logged without the request body.
 */

export const logger = new Logger({ serviceName: 'oneseal' });

// The handlers check bodies and queries as the use cases check their own input: one way, in the domain.
export { parseWith, zodProblems } from '../domain/validation.ts';

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
};
export type ApiResult = Exclude<APIGatewayProxyResultV2, string>;

const Claims = z.object({
  sub: z.string().min(1),
  role: Role,
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

/** Parses a JSON body against a schema: malformed JSON → 400, a body of the wrong shape → 422. */
export function parseBody<T extends z.ZodType>(event: ApiEvent, schema: T): z.infer<T> {
  return parseWith(schema, event.body ? parseJson(rawBody(event).toString('utf8')) : {});
}

/** A JSON text, or 400 `request.malformed-json`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError(400, 'request.malformed-json', '请求体不是合法的 JSON');
  }
}

/**
 * The request body's bytes as the client sent them. API Gateway passes a text body as text and
 * anything else (a PDF) base64-encoded, saying which in `isBase64Encoded`; empty when there is none.
 */
export function rawBody(event: ApiEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
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

/**
 * Wraps a use-case call as a Lambda handler for API Gateway HTTP API (payload v2). Every log
 * line of the request carries the Lambda context (request id, cold start, function).
 */
export function apiHandler(fn: (event: ApiEvent) => Promise<ApiResult>) {
  return middy<ApiEvent, ApiResult>().use(injectLambdaContext(logger)).use(problemJson()).handler(fn);
}

export const pathParam = (event: ApiEvent, name: string): string => decodeURIComponent(event.pathParameters?.[name] ?? '');
