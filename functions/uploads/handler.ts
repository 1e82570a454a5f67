import { apiHandler, callerOf, json, parseBody } from '#shared/http/api.ts';
import { UploadRequest } from '#shared/contract.ts';
import { createUpload } from '#shared/usecases/uploads.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/uploads: an upload slot for one material, for applicants. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'applicant');
  return json(201, await createUpload(await ready(), caller, parseBody(event, UploadRequest)));
});
