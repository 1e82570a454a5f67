import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { EvaluationRequest } from '#shared/contract.ts';
import { respond } from '#shared/http/respond.ts';
import type { Application } from '#shared/responses.ts';
import { evaluateApplication } from '#shared/usecases/evaluation.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/applications/{applicationId}/evaluation: the applicant's rating, once, after completion. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'applicant');
  return respond<typeof Application>(201, await evaluateApplication(await ready(), caller, pathParam(event, 'applicationId'), parseBody(event, EvaluationRequest)));
});
