import { apiHandler, callerOf, parseWith } from '#shared/http/api.ts';
import { CasesQuery, LightsQuery, StatsQuery } from '#shared/contract.ts';
import { respond } from '#shared/http/respond.ts';
import type { CaseList, LightList, Statistics } from '#shared/responses.ts';
import { listCases, listLights, statistics, statisticsCsv, statsPeriod } from '#shared/usecases/supervision.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/supervision/lights, /cases and /stats: for the supervision office (电子监察室). */
export const handler = apiHandler(async (event) => {
  callerOf(event, 'supervisor');
  const query = event.queryStringParameters ?? {};
  const deps = await ready();
  if (event.routeKey.endsWith('/lights')) {
    const q = parseWith(LightsQuery, query);
    return respond<typeof LightList>(200, { lights: await listLights(deps, q.color, q.dept) });
  }
  if (event.routeKey.endsWith('/cases')) return respond<typeof CaseList>(200, { cases: await listCases(deps, parseWith(CasesQuery, query).status) });
  const q = parseWith(StatsQuery, query);
  const period = statsPeriod(deps.clock.now(), q.from, q.to);
  // The same figures for a spreadsheet, per department and item with the total last.
  if (/\btext\/csv\b/i.test(event.headers?.accept ?? '')) {
    const csv = await statisticsCsv(deps, { ...q, ...period });
    return { statusCode: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="statistics.csv"' }, body: csv };
  }
  return respond<typeof Statistics>(200, await statistics(deps, { ...q, ...period }));
});
