import { apiHandler, pathParam } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { CatalogIndex, CatalogItem } from '#shared/responses.ts';
import { notFound } from '#shared/domain/errors.ts';
import { findItem, publishedItems } from '#shared/domain/catalog.ts';
import { catalogFor } from '#shared/catalog/index.ts';
import { config } from '#shared/config.ts';

/** GET /v1/catalog/items and /v1/catalog/items/{itemCode}: the published catalogue, public. */
export const handler = apiHandler(async (event) => {
  const catalog = catalogFor(config().CITY_CODE); // no AWS client needed: the catalogue ships with the code
  if (event.routeKey === 'GET /v1/catalog/items') {
    const items = publishedItems(catalog).map(({ code, version, name, department, powerCategory, handling, flow, legalLimitDays, promisedLimitDays, visits, online }) => ({
      code, version, name, department, powerCategory, handling, flow, legalLimitDays, promisedLimitDays, visits, online,
    }));
    return respond<typeof CatalogIndex>(200, { city: { areaCode: catalog.areaCode, name: catalog.cityName, bureau: catalog.bureauName }, departments: catalog.departments, items });
  }
  const item = findItem(catalog, pathParam(event, 'itemCode'));
  if (!item) throw notFound('item.not-found', '事项清单中没有该事项');
  return respond<typeof CatalogItem>(200, item);
});
