import * as z from 'zod/mini';
import { flowHandler } from '#shared/http/flow.ts';
import { concludeJointReview } from '#shared/usecases/joint.ts';
import { ready } from '#shared/wiring.ts';

/** After every department of a joint review answered: one objection denies. */
export const handler = flowHandler(
  z.object({ applicationId: z.string().check(z.minLength(1)), reviews: z.array(z.looseObject({ outcome: z.string(), opinion: z.optional(z.string()) })) }),
  async (input) => concludeJointReview(await ready(), input),
);
