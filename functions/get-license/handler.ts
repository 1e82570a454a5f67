import { apiHandler, callerOf, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { License } from '#shared/responses.ts';
import { getLicense } from '#shared/usecases/queries.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/licenses/{licenseNo}: metadata and a short-lived download URL, for the holder and officers. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'applicant', 'officer', 'supervisor');
  return respond<typeof License>(200, await getLicense(await ready(), caller, pathParam(event, 'licenseNo')));
});
