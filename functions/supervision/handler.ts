import { z } from 'zod';
import { apiHandler, callerOf, parseWith } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import { CaseList, LightList, Statistics } from '#shared/responses.ts';
import { listCases, listLights, statistics, statsPeriod } from '#shared/usecases/supervision.ts';
import { ready } from '#shared/wiring.ts';
import { DomainError } from '#shared/domain/errors.ts';

const Lights = z.object({ color: z.enum(['red', 'yellow']).optional(), dept: z.string().max(64).optional() });
const Cases = z.object({ status: z.enum(['open', 'closed']).default('open') });
/** A China date (YYYY-MM-DD, the whole day) or an ISO date-time with its offset. */
const Instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const Stats = z.object({ from: Instant.optional(), to: Instant.optional(), dept: z.string().max(64).optional(), itemCode: z.string().max(64).optional() });

/** GET /v1/supervision/lights, /cases and /stats: for the supervision office (电子监察室). */
export const handler = apiHandler(async (event) => {
  callerOf(event, 'supervisor');
  const query = event.queryStringParameters ?? {};
  const deps = await ready();
  if (event.routeKey.endsWith('/lights')) {
    const q = parseWith(Lights, query);
    return respond(LightList, 200, { lights: await listLights(deps, q.color, q.dept) });
  }
  if (event.routeKey.endsWith('/cases')) return respond(CaseList, 200, { cases: await listCases(deps, parseWith(Cases, query).status) });
  const q = parseWith(Stats, query);
  const period = statsPeriod(deps.clock.now(), q.from, q.to);
  if (Date.parse(period.from) >= Date.parse(period.to)) throw new DomainError(422, 'request.invalid', '统计区间的起点应早于终点', [{ path: 'to', code: 'request.period', message: 'to 应晚于 from' }]);
  return respond(Statistics, 200, await statistics(deps, { ...q, ...period }));
});
