import { apiHandler, callerOf, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { LicenseSeal } from '#shared/responses.ts';
import { getLicenseSeal } from '#shared/usecases/queries.ts';
import { ready } from '#shared/wiring.ts';

/**
 * GET /v1/licenses/{licenseNo}/seal (the holder and officers; the number or the 证照标识): the
 * exact string the seal signed, the PDF's SHA-256 and the DER signature, for an offline check.
 */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'applicant', 'officer', 'supervisor');
  return respond<typeof LicenseSeal>(200, await getLicenseSeal(await ready(), caller, pathParam(event, 'licenseNo')));
});
