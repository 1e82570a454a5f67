import { ApplicationRef, flowHandler } from '#shared/http/flow.ts';
import { deliver } from '#shared/usecases/delivery.ts';
import { ready } from '#shared/wiring.ts';

/** Delivers the sealed licenses by the method the applicant chose. */
export const handler = flowHandler(ApplicationRef, async (input) => deliver(await ready(), input));
