import { apiHandler, parseJson, parseWith, rawBody } from '#shared/http/api.ts';
import { EmsEvent } from '#shared/contract.ts';
import { checkEmsSignature, receiveEmsEvent } from '#shared/usecases/delivery.ts';
import { respond } from '#shared/http/respond.ts';
import type { EmsReceipt } from '#shared/responses.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/webhooks/ems: signed EMS delivery events; the signature is over the raw body, checked before parsing. */
export const handler = apiHandler(async (event) => {
  const deps = await ready();
  const raw = rawBody(event).toString('utf8');
  checkEmsSignature(await deps.emsSecrets(), event.headers['x-ems-timestamp'], event.headers['x-ems-signature'], raw, deps.clock.now());
  return respond<typeof EmsReceipt>(200, await receiveEmsEvent(deps, parseWith(EmsEvent, parseJson(raw))));
});
