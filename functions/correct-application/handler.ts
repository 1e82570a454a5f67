import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { Application } from '#shared/responses.ts';
import { CorrectionRequest } from '#shared/contract.ts';
import { correctApplication } from '#shared/usecases/corrections.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/applications/{applicationId}/corrections: the applicant's correction, or deferred materials supplied later. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'applicant');
  return respond<typeof Application>(200, await correctApplication(await ready(), caller, pathParam(event, 'applicationId'), parseBody(event, CorrectionRequest)));
});
