import { z } from 'zod';
import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import { Revocation } from '#shared/responses.ts';
import { revokeLicense } from '#shared/usecases/delivery.ts';
import { ready } from '#shared/wiring.ts';

export const RevokeRequest = z.object({ reason: z.string().trim().min(1).max(1000), legalBasis: z.string().trim().min(1).max(500) });

/** POST /v1/licenses/{licenseNo}/revoke: by the chief representative or the deputy director, with reason and legal basis. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'officer');
  return respond(Revocation, 200, await revokeLicense(await ready(), caller, pathParam(event, 'licenseNo'), parseBody(event, RevokeRequest)));
});
