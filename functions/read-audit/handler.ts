import { apiHandler, callerOf, pathParam } from '#shared/http/api.ts';
import { readAudit } from '#shared/usecases/audit.ts';
import { respond } from '#shared/http/respond.ts';
import type { AuditTrail } from '#shared/responses.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/applications/{applicationId}/audit: the trail and whether it is intact, for supervisors and the department. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'supervisor', 'officer');
  return respond<typeof AuditTrail>(200, await readAudit(await ready(), caller, pathParam(event, 'applicationId')));
});
