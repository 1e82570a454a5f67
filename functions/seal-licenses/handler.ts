import { ApplicationRef, flowHandler } from '#shared/http/flow.ts';
import { sealLicenses } from '#shared/usecases/seal.ts';
import { wiring } from '#shared/wiring.ts';

/** Seals every license of an approved application with the city's approval seal. */
export const handler = flowHandler(ApplicationRef, (input) => sealLicenses(wiring(), input));
