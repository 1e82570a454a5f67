import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { Application } from '#shared/responses.ts';
import { WithdrawRequest } from '#shared/contract.ts';
import { withdrawApplication } from '#shared/usecases/withdraw.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/applications/{applicationId}/withdraw: withdrawal by the applicant until the decision. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'applicant');
  const { reason } = parseBody(event, WithdrawRequest);
  return respond<typeof Application>(200, await withdrawApplication(await ready(), caller, pathParam(event, 'applicationId'), reason));
});
