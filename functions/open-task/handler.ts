import * as z from 'zod/mini';
import { flowHandler } from '#shared/http/flow.ts';
import { openTask } from '#shared/usecases/tasks.ts';
import { ready } from '#shared/wiring.ts';

/** Invoked by a `.waitForTaskToken` state: stores the officer task that holds the token. */
export const handler = flowHandler(z.object({ taskToken: z.string().check(z.minLength(1)), applicationId: z.string().check(z.minLength(1)), step: z.string(), dept: z.optional(z.string()) }), async (input) => openTask(await ready(), input));
