import middy from '@middy/core';
import { z } from 'zod';
import { logger, maskIds } from './api.ts';

/**
 * The thin part every flow function shares: the state machine's payload parsed with zod,
 * errors logged (without the payload) and rethrown so that the state's Retry and Catch see them.
 */
export function flowHandler<S extends z.ZodType, R>(schema: S, fn: (input: z.infer<S>) => Promise<R>) {
  return middy<unknown, R>()
    .onError(async (request) => {
      const e = request.error as Error;
      logger.error('flow step failed', { error: { name: e.name, message: maskIds(e.message), stack: maskIds(e.stack ?? '') } });
    })
    .handler(async (event) => fn(schema.parse(event)));
}

export const ApplicationRef = z.object({ applicationId: z.string().min(1) });
