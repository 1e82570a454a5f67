import { apiHandler, callerOf, parseBody, pathParam } from '#shared/http/api.ts';
import { CompleteTaskRequest } from '#shared/contract.ts';
import { respond } from '#shared/http/respond.ts';
import type { TaskCompletion } from '#shared/responses.ts';
import { completeTask } from '#shared/usecases/tasks.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/tasks/{taskId}/complete: an officer's outcome; validated against the task's step. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'officer');
  const body = parseBody(event, CompleteTaskRequest);
  return respond<typeof TaskCompletion>(200, await completeTask(await ready(), caller, pathParam(event, 'taskId'), body));
});
