import { apiHandler, callerOf, parseWith } from '#shared/http/api.ts';
import { EventsQuery } from '#shared/contract.ts';
import { respond } from '#shared/http/respond.ts';
import type { EventPage } from '#shared/responses.ts';
import { listEvents } from '#shared/usecases/events.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/events (platform, supervisor): the events in commit order, for catch-up. */
export const handler = apiHandler(async (event) => {
  callerOf(event, 'platform', 'supervisor');
  const query = parseWith(EventsQuery, event.queryStringParameters ?? {});
  return respond<typeof EventPage>(200, await listEvents(await ready(), query));
});
