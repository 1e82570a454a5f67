import { apiHandler, callerOf, parseBody } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { Application } from '#shared/responses.ts';
import { IdempotencyKey, SubmitRequest } from '#shared/contract.ts';
import { badRequest } from '#shared/domain/errors.ts';
import { submitApplication } from '#shared/usecases/submit.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/applications: submit an application; the Idempotency-Key header is required. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'applicant');
  const key = IdempotencyKey.safeParse(event.headers['idempotency-key']);
  if (!key.success) throw badRequest('idempotency.key-missing', '请在 Idempotency-Key 请求头中提供幂等键（1–128 位字母、数字或 ._:-）');
  const body = parseBody(event, SubmitRequest);
  const { view } = await submitApplication(await ready(), caller, key.data, body);
  return respond<typeof Application>(201, view, { location: `/v1/applications/${view.applicationId}` });
});
