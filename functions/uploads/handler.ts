import { apiHandler, callerOf, parseBody } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { Upload } from '#shared/responses.ts';
import { UploadRequest } from '#shared/contract.ts';
import { createUpload } from '#shared/usecases/uploads.ts';
import { ready } from '#shared/wiring.ts';

/** POST /v1/uploads: an upload slot for one material, for applicants. */
export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'applicant');
  return respond<typeof Upload>(201, await createUpload(await ready(), caller, parseBody(event, UploadRequest)));
});
