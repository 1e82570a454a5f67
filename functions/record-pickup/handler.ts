import { apiHandler, callerOf, json, pathParam } from '#shared/http/api.ts';
import { recordPickup } from '#shared/usecases/delivery.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/applications/{applicationId}/pickup: the window records that the applicant took the licenses (自取). */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'officer');
  return json(200, await recordPickup(await ready(), caller, pathParam(event, 'applicationId')));
});
