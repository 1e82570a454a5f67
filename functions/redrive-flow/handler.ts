import { apiHandler, callerOf, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { Application } from '#shared/responses.ts';
import { redriveFlow } from '#shared/usecases/flow.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/applications/{applicationId}/redrive (admin): restarts a failed flow from the state that failed. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'admin');
  return respond<typeof Application>(200, await redriveFlow(await ready(), caller, pathParam(event, 'applicationId')));
});
