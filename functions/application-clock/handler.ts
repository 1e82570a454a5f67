import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { ExtendRequest, SuspendRequest } from '#shared/contract.ts';
import { extendApplication, resumeApplication, suspendApplication } from '#shared/usecases/suspension.ts';
import { respond } from '#shared/http/respond.ts';
import type { Application } from '#shared/responses.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/applications/{applicationId}/suspend, /resume and /extend: the officers' hold on the clock. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'officer');
  const id = pathParam(event, 'applicationId');
  const deps = await ready();
  if (event.routeKey.endsWith('/suspend')) return respond<typeof Application>(200, await suspendApplication(deps, caller, id, parseBody(event, SuspendRequest)));
  if (event.routeKey.endsWith('/resume')) return respond<typeof Application>(200, await resumeApplication(deps, caller, id));
  return respond<typeof Application>(200, await extendApplication(deps, caller, id, parseBody(event, ExtendRequest).reason));
});
