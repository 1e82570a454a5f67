import { apiHandler, json } from '#shared/http/api.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { config } from '#shared/config.ts';

/** GET /v1/health and GET /v1/openapi.json: public, no I/O. */
export const handler = apiHandler(async (event) => {
  if (event.routeKey === 'GET /v1/openapi.json') return json(200, openApiDocument(config().PUBLIC_BASE_URL));
  return json(200, { status: 'ok', city: config().CITY_CODE, time: new Date().toISOString() });
});
