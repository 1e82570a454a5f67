import { apiHandler, callerOf, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { Application } from '#shared/responses.ts';
import { recordPickup } from '#shared/usecases/delivery.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/applications/{applicationId}/pickup: the window records that the applicant took the licenses (自取). */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'officer');
  return respond<typeof Application>(200, await recordPickup(await ready(), caller, pathParam(event, 'applicationId')));
});
