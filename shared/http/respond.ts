import type { z } from 'zod';
import { json, type ApiResult } from './api.ts';

/**
 * A success response whose body is typed by its schema in shared/responses.ts: the schema the
 * OpenAPI document publishes for the operation. The check is the compiler's (the body must be a
 * `z.input` of the schema); nothing is parsed at run time, which would cost every request. The
 * e2e tests validate each response they receive against the published document.
 */
export function respond<S extends z.ZodType>(_schema: S, statusCode: 200 | 201, body: z.input<S>, headers?: Record<string, string>): ApiResult {
  return json(statusCode, body, headers);
}
