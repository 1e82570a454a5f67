import { apiHandler, json, pathParam } from '#shared/http/api.ts';
import { verifyLicense } from '#shared/usecases/verify.ts';
import { wiring } from '#shared/wiring.ts';

/** GET /v1/licenses/{licenseNo}/verify: public verification of a sealed license. */
export const handler = apiHandler(async (event) => json(200, await verifyLicense(wiring(), pathParam(event, 'licenseNo'))));
