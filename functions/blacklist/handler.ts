import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { BlacklistEntry, BlacklistRecord } from '#shared/responses.ts';
import { BlacklistRequest } from '#shared/contract.ts';
import { getBlacklistEntry, putOnBlacklist, removeFromBlacklist } from '#shared/usecases/blacklist.ts';
import { ready } from '#shared/wiring.ts';

/** PUT, DELETE and GET /v1/blacklist/{subjectId}: the credit blacklist, for admins. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'admin');
  const subjectId = pathParam(event, 'subjectId');
  switch (event.requestContext.http.method) {
    case 'PUT':
      return respond<typeof BlacklistEntry>(200, await putOnBlacklist(await ready(), caller, subjectId, parseBody(event, BlacklistRequest)));
    case 'DELETE':
      return respond<typeof BlacklistEntry>(200, await removeFromBlacklist(await ready(), caller, subjectId));
    default:
      return respond<typeof BlacklistRecord>(200, await getBlacklistEntry(await ready(), subjectId));
  }
});
