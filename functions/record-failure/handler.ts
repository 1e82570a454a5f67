import { z } from 'zod';
import { flowHandler } from '#shared/http/flow.ts';
import { recordFlowFailure } from '#shared/usecases/delivery.ts';
import { wiring } from '#shared/wiring.ts';

/** The end of every failure path: the failure is recorded on the application and its trail. */
export const handler = flowHandler(
  z.object({ applicationId: z.string().min(1), error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional() }),
  (input) => recordFlowFailure(wiring(), input),
);
