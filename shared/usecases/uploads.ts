import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { UploadRequest } from '../contract.ts';
import type { Caller } from '../http/api.ts';

const URL_TTL_SECONDS = 15 * 60;
/** An upload never used by an application is forgotten after this long (and its bytes by the bucket's lifecycle rule). */
const UPLOAD_TTL_DAYS = 7;

/**
 * Creates an upload slot for one material file.
 * Input: the file's name, content type, size and SHA-256 as the applicant declares them.
 * Steps: record the declaration (owned by the caller), presign a PUT to the materials bucket.
 * Output: the upload id and how to send the bytes. The bytes are checked against the
 * declaration when an application uses them.
 */
export async function createUpload(deps: Pick<Deps, 'clock' | 'uploads' | 'materials'>, caller: Caller, input: z.infer<typeof UploadRequest>) {
  const now = deps.clock.now();
  const uploadId = `upl_${randomUUID().replace(/-/g, '')}`;
  const key = `uploads/${uploadId}`;
  await deps.uploads.put({
    uploadId,
    owner: caller.sub,
    key,
    fileName: input.fileName,
    contentType: input.contentType,
    size: input.size,
    sha256: input.sha256.toLowerCase(),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + UPLOAD_TTL_DAYS * 86400_000).toISOString(),
    // DynamoDB expires items against real time, not the (possibly moved) dev clock.
    ttl: Math.floor(Date.now() / 1000) + UPLOAD_TTL_DAYS * 86400,
  });
  const { url, headers } = await deps.materials.presignPut(key, input.contentType, input.size, URL_TTL_SECONDS);
  return { uploadId, url, method: 'PUT' as const, headers, expiresAt: new Date(Date.now() + URL_TTL_SECONDS * 1000).toISOString() };
}
