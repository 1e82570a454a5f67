import { apiHandler, callerOf } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { TaskList } from '#shared/responses.ts';
import { badRequest } from '#shared/domain/errors.ts';
import { listTasks } from '#shared/usecases/tasks.ts';
import { ready } from '#shared/wiring.ts';

/** GET /v1/tasks?status=open: the open tasks of the caller's department and rank. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'officer');
  const status = event.queryStringParameters?.status ?? 'open';
  if (status !== 'open') throw badRequest('tasks.status', 'status 目前只支持 open');
  return respond<typeof TaskList>(200, { tasks: await listTasks(await ready(), caller) });
});
