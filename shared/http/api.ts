import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
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

/**
 * The claims a token must carry, whoever verified its signature: an expiry (a token without one
 * would be valid forever), the API's scope, and a department that is a real one: `@…` names the
 * platform's own internal queues (`@delivery`), which no person's token may claim.
 * API Gateway passes every claim as a string, so `exp` may arrive as "1760000000".
 */
const Claims = z.object({
  sub: z.string().check(z.minLength(1), z.maxLength(64)),
  role: Role,
  dept: z.optional(z.string().check(z.maxLength(64), z.refine((d) => !d.startsWith('@')))),
  rank: z.optional(Rank),
  exp: z.union([z.number(), z.string().check(z.regex(/^\d+$/))]),
  scope: z.optional(z.string().check(z.maxLength(1000))),
  scp: z.optional(z.string().check(z.maxLength(1000))),
});

/**
 * The scopes a token carries: `scope` (RFC 8693, space-separated) or `scp`, as API Gateway's
 * authorizer reads them; API Gateway passes a list claim to the function as "[a b]".
 */
const scopesOf = (claims: { scope?: string; scp?: string }) => `${claims.scope ?? ''} ${claims.scp ?? ''}`.split(/[\s,[\]]+/).filter(Boolean);

/** The scope a token must be issued for (the authorizer's authorizationScopes in AWS). */
export const authScope = () => process.env.AUTH_SCOPE || 'oneseal';

/** The caller, from the claims of the verified token; role must be one of `roles`. */
export function callerOf(event: ApiEvent, ...roles: Role[]): Caller {
  const parsed = Claims.safeParse(event.requestContext.authorizer?.jwt?.claims ?? {});
  if (!parsed.success || !scopesOf(parsed.data).includes(authScope())) throw new DomainError(401, 'auth.unauthorized', '身份令牌无效或缺少必要信息');
  const { exp: _exp, scope: _scope, scp: _scp, ...caller } = parsed.data;
  if (roles.length && !roles.includes(caller.role)) throw forbidden('auth.forbidden', '当前身份无权执行此操作');
  if (caller.role === 'officer' && (!caller.dept || !caller.rank)) throw forbidden('auth.officer-claims', '工作人员令牌缺少部门或职级');
  return caller;
}

/** Parses a JSON body against a schema: malformed JSON → 400, a body of the wrong shape → 422. */
export function parseBody<T extends z.core.$ZodType>(event: ApiEvent, schema: T): z.infer<T> {
  return parseWith(schema, event.body ? parseJson(rawBody(event).toString('utf8')) : {});
}

/** How deep a request body may nest, and how many values it may hold: far beyond any request of the contract. */
export const JSON_MAX_DEPTH = 32;
export const JSON_MAX_VALUES = 10_000;

/**
 * A JSON text, or 400 `request.malformed-json`; 400 `request.too-deep` or `request.too-many-values`
 * for a text nested or sized beyond the limits, checked on the text before it is parsed, so that
 * nothing recursive (canonicalJson, zod) ever walks a hostile structure.
 */
export function parseJson(text: string): unknown {
  const shape = jsonShape(text);
  if (shape.depth > JSON_MAX_DEPTH) throw new DomainError(400, 'request.too-deep', `请求体嵌套不得超过 ${JSON_MAX_DEPTH} 层`);
  if (shape.values > JSON_MAX_VALUES) throw new DomainError(400, 'request.too-many-values', `请求体中的数组元素与字段合计不得超过 ${JSON_MAX_VALUES} 个`);
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError(400, 'request.malformed-json', '请求体不是合法的 JSON');
  }
}

/**
 * The deepest nesting of a JSON text and roughly how many values it holds (each comma and each
 * opening bracket), in one pass without recursion; strings are skipped, escapes included. A
 * malformed text gives some shape and is then refused by JSON.parse.
 */
export function jsonShape(text: string): { depth: number; values: number } {
  let depth = 0;
  let max = 0;
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      values++;
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c) values++;
  }
  return { depth: max, values };
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

/** A problem lists at most this many field problems, then says how many there were: no answer grows with its input. */
export const MAX_LISTED_ERRORS = 50;
/** A field problem's path or message is cut at this many characters (a path may echo a hostile key). */
const MAX_PROBLEM_TEXT = 200;

const cut = (text: string) => (text.length > MAX_PROBLEM_TEXT ? `${text.slice(0, MAX_PROBLEM_TEXT)}…` : text);

export function problem(statusCode: number, code: string, title: string, errors?: FieldProblem[], extra?: Record<string, unknown>): ApiResult {
  const listed = errors?.slice(0, MAX_LISTED_ERRORS).map((e) => ({ path: cut(e.path), code: e.code, message: cut(e.message) }));
  const truncated = errors && errors.length > MAX_LISTED_ERRORS ? { errorCount: errors.length, errorsTruncated: true } : {};
  return {
    statusCode,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
    body: JSON.stringify({ type: `https://oneseal.gov.cn/problems/${code}`, title, status: statusCode, detail: title, code, ...(listed?.length ? { errors: listed } : {}), ...truncated, ...extra }),
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

/**
 * Masks anything shaped like an ID number or a unified social credit code (18 letters and digits,
 * either case: `…123x` too), a mobile number or a landline with its area code (`0951-5012345`) in a
 * text bound for a log.
 */
export const maskIds = (text: string) =>
  text
    .replace(/(?<![0-9A-Za-z])([0-9A-Za-z]{6})[0-9A-Za-z]{8}([0-9A-Za-z]{4})(?![0-9A-Za-z])/g, '$1********$2')
    .replace(/(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)/g, '$1****$2')
    .replace(/(?<![\d-])(0\d{2,3}-)\d{3,4}(\d{4})(?!\d)/g, '$1****$2');

/**
 * Wraps a use-case call as a Lambda handler for API Gateway HTTP API (payload v2). Every log
 * line of the request carries the Lambda context (request id, cold start, function).
 */
export function apiHandler(fn: (event: ApiEvent) => Promise<ApiResult>) {
  return middy<ApiEvent, ApiResult>().use(injectLambdaContext(logger)).use(problemJson()).handler(fn);
}

/**
 * Every path parameter of the contract (ids, codes, license numbers and 证照标识, ID numbers, years)
 * is made of these characters, 128 at most; anything else names nothing we store.
 */
const PATH_PARAM = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * A path parameter, decoded and checked before any store sees it: a malformed percent-encoding
 * is 400 `request.path-invalid`, a value too long or of characters no id has is 404
 * `request.path-not-found` (nothing by that name exists).
 */
export function pathParam(event: ApiEvent, name: string): string {
  const raw = event.pathParameters?.[name] ?? '';
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new DomainError(400, 'request.path-invalid', '请求路径中的参数编码不正确');
  }
  if (!PATH_PARAM.test(value)) throw new DomainError(404, 'request.path-not-found', '请求路径中的标识不存在');
  return value;
}
