import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger, maskIds } from './api.ts';

/**
 * The thin part every function outside the API shares (flow steps, the scheduled functions, the
 * event-driven ones): every log line carries the Lambda context (request id, cold start,
 * function), and an error is logged as `failure` (masked, without the event, which may name an
 * applicant) and rethrown, so that the state's Retry and Catch, or EventBridge's retries and
 * the function's error metric, see it.
 */
export function backgroundHandler<E, R>(failure: string, fn: (event: E) => Promise<R>) {
  return middy<E, R>()
    .use(injectLambdaContext(logger))
    .onError(async (request) => {
      const e = request.error as Error;
      logger.error(failure, { error: { name: e.name, message: maskIds(String(e.message)), stack: maskIds(e.stack ?? '') } });
    })
    .handler(async (event) => fn(event));
}
