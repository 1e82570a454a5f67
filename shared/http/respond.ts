import type { z } from 'zod';
import { json, type ApiResult } from './api.ts';

/**
 * A success response whose body is typed by its schema in shared/responses.ts, the schema the
 * OpenAPI document publishes for the operation: `respond<typeof Application>(200, view)`. The
 * check is the compiler's (the body must be a `z.input` of the schema; without the schema no body
 * compiles). The schema is named as a type only: handlers import shared/responses.ts with
 * `import type`, so no bundle carries the response schemas, and nothing is parsed at run time,
 * which would cost every request. The e2e tests validate each response they receive against the
 * published document.
 */
export function respond<S extends z.core.$ZodType = never>(statusCode: 200 | 201, body: z.input<S>, headers?: Record<string, string>): ApiResult {
  return json(statusCode, body, headers);
}
