import { z } from 'zod';
import { apiHandler, callerOf, json, parseWith } from '#shared/http/api.ts';
import { listCases, listLights, statistics } from '#shared/usecases/supervision.ts';
import { wiring } from '#shared/wiring.ts';

const Lights = z.object({ color: z.enum(['red', 'yellow']).optional(), dept: z.string().max(64).optional() });
const Cases = z.object({ status: z.enum(['open', 'closed']).default('open') });
const Stats = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }), dept: z.string().max(64).optional(), itemCode: z.string().max(64).optional() })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'from 应早于 to', path: ['to'] });

/** GET /v1/supervision/lights, /cases and /stats: for the supervision office (电子监察室). */
export const handler = apiHandler(async (event) => {
  callerOf(event, 'supervisor');
  const query = event.queryStringParameters ?? {};
  const deps = wiring();
  if (event.routeKey.endsWith('/lights')) {
    const q = parseWith(Lights, query);
    return json(200, { lights: await listLights(deps, q.color, q.dept) });
  }
  if (event.routeKey.endsWith('/cases')) return json(200, { cases: await listCases(deps, parseWith(Cases, query).status) });
  const q = parseWith(Stats, query);
  return json(200, await statistics(deps, { ...q, from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() }));
});
