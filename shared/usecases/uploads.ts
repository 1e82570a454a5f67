import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { UploadRequest } from '../contract.ts';
import type { Caller } from '../domain/caller.ts';
import { chinaDate } from '../domain/calendar.ts';

const URL_TTL_SECONDS = 15 * 60;
/** An upload no application takes within this long can no longer be used, and is swept (sweepUploads). */
export const UPLOAD_TTL_DAYS = 7;
/** DynamoDB forgets a record the sweep somehow missed this long after it expired (the sweep looks this far back). */
export const SWEEP_LOOKBACK_DAYS = 30;

/**
 * Creates an upload slot for one material file.
 * Input: the file's name, content type, size and SHA-256 as the applicant declares them.
 * Steps: record the declaration (owned by the caller), presign a PUT to the materials bucket.
 * Output: the upload id and how to send the bytes. The bytes are checked against the
 * declaration when an application uses them, and stay where they are: the application keeps
 * the upload's key. An upload left unused is marked `unusedUntil` and swept after it expires.
 */
export async function createUpload(deps: Pick<Deps, 'clock' | 'uploads' | 'materials'>, caller: Caller, input: z.infer<typeof UploadRequest>) {
  const now = deps.clock.now();
  const uploadId = `upl_${randomUUID().replace(/-/g, '')}`;
  const key = `materials/${uploadId}`;
  const expiresAt = new Date(now.getTime() + UPLOAD_TTL_DAYS * 86400_000);
  await deps.uploads.put({
    uploadId,
    owner: caller.sub,
    key,
    fileName: input.fileName,
    contentType: input.contentType,
    size: input.size,
    sha256: input.sha256.toLowerCase(),
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    unusedUntil: chinaDate(expiresAt),
    // A backstop only: the sweep removes an unused upload with its bytes long before. DynamoDB
    // expires items against real time, not the (possibly moved) dev clock.
    ttl: Math.floor(Date.now() / 1000) + (UPLOAD_TTL_DAYS + SWEEP_LOOKBACK_DAYS) * 86400,
  });
  const { url, headers } = await deps.materials.presignPut(key, input.contentType, input.size, URL_TTL_SECONDS);
  return { uploadId, url, method: 'PUT' as const, headers, expiresAt: new Date(Date.now() + URL_TTL_SECONDS * 1000).toISOString() };
}

/**
 * Sweeps the uploads no application took (daily; POST /dev/uploads/sweep locally). Nothing
 * else removes them: a taken upload's bytes are its application's material.
 * Steps: for each of the SWEEP_LOOKBACK_DAYS China dates before today, read the uploads still
 * unused that expired that day (intake refuses them already); forget each record unless an
 * application took it meanwhile; then delete the bytes of those forgotten.
 * Output: how many uploads were swept.
 */
export async function sweepUploads(deps: Pick<Deps, 'clock' | 'uploads' | 'materials'>) {
  const now = deps.clock.now().getTime();
  let swept = 0;
  for (let back = 1; back <= SWEEP_LOOKBACK_DAYS; back++) {
    const unused = await deps.uploads.unusedUntil(chinaDate(new Date(now - back * 86400_000)));
    for (let i = 0; i < unused.length; i += 25) {
      const batch = unused.slice(i, i + 25);
      // The record goes first: should the bytes then fail to go, they are left over, never lost.
      const forgotten = await Promise.all(batch.map((u) => deps.uploads.forget(u.uploadId)));
      const keys = batch.filter((_, j) => forgotten[j]).map((u) => u.key);
      await deps.materials.deleteAll(keys);
      swept += keys.length;
    }
  }
  return { swept };
}
