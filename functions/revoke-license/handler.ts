import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { RevokeRequest } from '#shared/contract.ts';
import { revokeLicense } from '#shared/usecases/revoke.ts';
import { respond } from '#shared/http/respond.ts';
import type { Revocation } from '#shared/responses.ts';
import { ready } from '#shared/wiring.ts';

/**
 * POST /v1/licenses/{licenseNo}/revoke: by the chief representative or the deputy director, with
 * reason and legal basis; `kind` revoke (撤销, 03, the default) | cancel (注销, 04) | penalty (吊销, 07).
 */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'officer');
  return respond<typeof Revocation>(200, await revokeLicense(await ready(), caller, pathParam(event, 'licenseNo'), parseBody(event, RevokeRequest)));
});
