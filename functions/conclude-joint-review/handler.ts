import * as z from 'zod';
import { flowHandler } from '#shared/http/flow.ts';
import { concludeJointReview } from '#shared/usecases/joint.ts';
import { ready } from '#shared/wiring.ts';

/** After every department of a joint review answered: one objection denies. */
export const handler = flowHandler(
  z.object({ applicationId: z.string().min(1), reviews: z.array(z.object({ outcome: z.string(), opinion: z.string().optional() }).passthrough()) }),
  async (input) => concludeJointReview(await ready(), input),
);
