import * as z from 'zod/mini';
import { backgroundHandler } from './background.ts';

/**
 * The thin part every flow function shares: the state machine's payload parsed with zod,
 * errors logged (without the payload) and rethrown so that the state's Retry and Catch see them.
 */
export function flowHandler<S extends z.ZodMiniType, R>(schema: S, fn: (input: z.infer<S>) => Promise<R>) {
  return backgroundHandler<unknown, R>('flow step failed', async (event) => fn(schema.parse(event)));
}

export const ApplicationRef = z.object({ applicationId: z.string().check(z.minLength(1)) });
