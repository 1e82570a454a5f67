import { apiHandler, parseWith } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import { EmsReceipt } from '#shared/responses.ts';
import { badRequest } from '#shared/domain/errors.ts';
import { checkEmsSignature, EmsEvent, receiveEmsEvent } from '#shared/usecases/delivery.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/webhooks/ems: signed EMS delivery events; the signature is over the raw body, checked before parsing. */
export const handler = apiHandler(async (event) => {
  const deps = await ready();
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  checkEmsSignature(await deps.emsSecrets(), event.headers['x-ems-timestamp'], event.headers['x-ems-signature'], raw, deps.clock.now());
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw badRequest('request.malformed-json', '请求体不是合法的 JSON');
  }
  return respond(EmsReceipt, 200, await receiveEmsEvent(deps, parseWith(EmsEvent, body)));
});
