import { apiHandler, callerOf, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { Application, ApplicationList } from '#shared/responses.ts';
import { getApplication, listOwnApplications } from '#shared/usecases/queries.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/applications (the applicant's own) and GET /v1/applications/{applicationId}. */
export const handler = apiHandler(async (event) => {
  if (event.routeKey === 'GET /v1/applications') {
    const caller = callerOf(event, 'applicant');
    return respond<typeof ApplicationList>(200, { applications: await listOwnApplications(await ready(), caller) });
  }
  const caller = callerOf(event, 'applicant', 'officer', 'supervisor');
  return respond<typeof Application>(200, await getApplication(await ready(), caller, pathParam(event, 'applicationId')));
});
