import { apiHandler, callerOf, parseWith, pathParam } from '#shared/http/api.ts';
import { DeliveriesQuery } from '#shared/contract.ts';
import { respond } from '#shared/http/respond.ts';
import type { Delivery, DeliveryList } from '#shared/responses.ts';
import { listDeadDeliveries, retryDelivery } from '#shared/usecases/events.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/admin/deliveries?status=dead and POST /v1/admin/deliveries/{deliveryId}/retry (admin): the dead letters. */
export const handler = apiHandler(async (event) => {
  callerOf(event, 'admin');
  const deps = await ready();
  if (event.routeKey.startsWith('POST')) return respond<typeof Delivery>(200, await retryDelivery(deps, pathParam(event, 'deliveryId')));
  parseWith(DeliveriesQuery, event.queryStringParameters ?? {});
  return respond<typeof DeliveryList>(200, await listDeadDeliveries(deps));
});
