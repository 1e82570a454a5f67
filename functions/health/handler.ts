import { apiHandler } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { Health, OpenApiDocument } from '#shared/responses.ts';
import { config } from '#shared/config.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/health and GET /v1/openapi.json: public. Health says up to which year the calendar is official. */
export const handler = apiHandler(async (event) => {
  if (event.routeKey === 'GET /v1/openapi.json') {
    // Built from every operation's schemas: loaded when asked for, not at every cold start of the health check.
    const { openApiDocument } = await import('#shared/http/openapi.ts');
    return respond<typeof OpenApiDocument>(200, openApiDocument(config().PUBLIC_BASE_URL));
  }
  const deps = await ready();
  return respond<typeof Health>(200, { status: 'ok', city: config().CITY_CODE, time: deps.clock.now().toISOString(), calendar: { officialThrough: deps.calendar.officialThrough() } });
});
