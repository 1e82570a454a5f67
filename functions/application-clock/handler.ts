import { z } from 'zod';
import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import { Application } from '#shared/responses.ts';
import { extendApplication, resumeApplication, suspendApplication, SUSPENSION_KINDS } from '#shared/usecases/suspension.ts';
import { ready } from '#shared/wiring.ts';

const Suspend = z.object({ kind: z.enum(SUSPENSION_KINDS), reason: z.string().trim().min(1).max(1000) });
const Extend = z.object({ reason: z.string().trim().min(1).max(1000) });

/** POST /v1/applications/{applicationId}/suspend, /resume and /extend: the officers' hold on the clock. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'officer');
  const id = pathParam(event, 'applicationId');
  const deps = await ready();
  if (event.routeKey.endsWith('/suspend')) return respond(Application, 200, await suspendApplication(deps, caller, id, parseBody(event, Suspend)));
  if (event.routeKey.endsWith('/resume')) return respond(Application, 200, await resumeApplication(deps, caller, id));
  return respond(Application, 200, await extendApplication(deps, caller, id, parseBody(event, Extend).reason));
});
