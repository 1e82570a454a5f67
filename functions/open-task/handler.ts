import * as z from 'zod';
import { flowHandler } from '#shared/http/flow.ts';
import { openTask } from '#shared/usecases/tasks.ts';
import { ready } from '#shared/wiring.ts';

/** Invoked by a `.waitForTaskToken` state: stores the officer task that holds the token. */
export const handler = flowHandler(z.object({ taskToken: z.string().min(1), applicationId: z.string().min(1), step: z.string(), dept: z.string().optional() }), async (input) => openTask(await ready(), input));
