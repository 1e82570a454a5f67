import { ApplicationRef, flowHandler } from '#shared/http/flow.ts';
import { sealLicenses } from '#shared/usecases/seal.ts';
import { ready } from '#shared/wiring.ts';
import '#shared/wiring-seal.ts';

/** Seals every license of an approved application with the city's approval seal. */
export const handler = flowHandler(ApplicationRef, async (input) => sealLicenses(await ready(), input));
