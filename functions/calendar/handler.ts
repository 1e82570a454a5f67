import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { CalendarPublication, CalendarYear } from '#shared/responses.ts';
import { CalendarYearRequest } from '#shared/contract.ts';
import { calendarYear, checkYear, publishCalendarYear } from '#shared/usecases/calendar.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/calendar/{year} (public) and PUT /v1/calendar/{year} (admin: publishes the year's official schedule). */
export const handler = apiHandler(async (event) => {
  const year = checkYear(pathParam(event, 'year'));
  if (event.requestContext.http.method === 'GET') return respond<typeof CalendarYear>(200, calendarYear(await ready(), year));
  const caller = callerOf(event, 'admin');
  return respond<typeof CalendarPublication>(200, await publishCalendarYear(await ready(), caller, year, parseBody(event, CalendarYearRequest)));
});
