import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { UploadRequest } from '../contract.ts';
import type { Caller } from '../domain/caller.ts';
import { chinaDate } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { findItem, publishedItems, type MaterialFormat } from '../domain/catalog.ts';
import { FORMAT_LABELS, formatOfMediaType } from '../domain/material.ts';

const URL_TTL_SECONDS = 15 * 60;
/** An upload no application takes within this long can no longer be used, and is swept (sweepUploads). */
export const UPLOAD_TTL_DAYS = 7;
/** DynamoDB forgets a record the sweep somehow missed this long after it expired (the sweep looks this far back). */
export const SWEEP_LOOKBACK_DAYS = 30;
/** An applicant may hold this many open (unused, unexpired) upload slots; the next is refused with 429. */
export const MAX_OPEN_UPLOADS = 50;

/**
 * What a slot may hold: its material's formats and size limit in the catalogue when the request
 * names the material, otherwise the most any material of the catalogue allows (intake then holds
 * the file to its material's own limit).
 */
function slotLimits(deps: Pick<Deps, 'catalog'>, input: z.infer<typeof UploadRequest>): { formats: MaterialFormat[]; maxBytes: number; name: string } {
  if (input.itemCode && input.materialCode) {
    const spec = findItem(deps.catalog, input.itemCode)?.materials.find((m) => m.code === input.materialCode);
    if (!spec) throw new DomainError(422, 'upload.material-unknown', '事项清单中没有该事项或材料', [{ path: 'materialCode', code: 'upload.material-unknown', message: `事项“${input.itemCode}”不需要材料“${input.materialCode}”` }]);
    return { formats: spec.formats, maxBytes: spec.maxBytes, name: spec.name };
  }
  const specs = publishedItems(deps.catalog).flatMap((i) => i.materials);
  return { formats: [...new Set(specs.flatMap((m) => m.formats))], maxBytes: Math.max(...specs.map((m) => m.maxBytes)), name: '材料' };
}

/**
 * Creates an upload slot for one material file.
 * Input: the file's name, content type, size and SHA-256 as the applicant declares them, and
 * optionally the item and material it is for.
 * Steps: the content type must be one of an allowed format (422), the size within the limit
 * (413), the caller may hold at most 50 open slots (429); record the declaration (owned by the
 * caller), presign a PUT to the materials bucket bound to the declared size and SHA-256 that
 * cannot overwrite (If-None-Match).
 * Output: the upload id and how to send the bytes. The bytes are checked against the
 * declaration again when an application uses them, and stay where they are: the application
 * keeps the upload's key and version. An upload left unused is marked `unusedUntil` and swept
 * after it expires.
 */
export async function createUpload(deps: Pick<Deps, 'clock' | 'uploads' | 'materials' | 'catalog'>, caller: Caller, input: z.infer<typeof UploadRequest>) {
  const now = deps.clock.now();
  const limits = slotLimits(deps, input);
  const format = formatOfMediaType(input.contentType);
  if (!format || !limits.formats.includes(format)) {
    const allowed = limits.formats.map((f) => FORMAT_LABELS[f]).join('、');
    throw new DomainError(422, 'upload.content-type', `${limits.name}的文件格式应为 ${allowed}`, [{ path: 'contentType', code: 'upload.content-type', message: `文件类型应为 ${allowed}` }]);
  }
  if (input.size > limits.maxBytes) throw new DomainError(413, 'upload.too-large', `${limits.name}不得超过 ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
  const tooMany = () => new DomainError(429, 'upload.too-many-open', `尚未使用的上传已达 ${MAX_OPEN_UPLOADS} 个，请先提交办件或等待其过期后再上传`);
  if ((await deps.uploads.countOpen(caller.sub, now.toISOString(), MAX_OPEN_UPLOADS)) >= MAX_OPEN_UPLOADS) throw tooMany();
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
    openBy: caller.sub,
    // A backstop only: the sweep removes an unused upload with its bytes long before. DynamoDB
    // expires items against real time, not the (possibly moved) dev clock.
    ttl: Math.floor(Date.now() / 1000) + (UPLOAD_TTL_DAYS + SWEEP_LOOKBACK_DAYS) * 86400,
  });
  // Counted again with our slot written: requests racing past the first count would otherwise
  // each take a slot. Over the limit, ours goes again (racers may all go: refused, never over).
  if ((await deps.uploads.countOpen(caller.sub, now.toISOString(), MAX_OPEN_UPLOADS + 1)) > MAX_OPEN_UPLOADS) {
    await deps.uploads.forget(uploadId);
    throw tooMany();
  }
  const { url, headers } = await deps.materials.presignPut(key, input.contentType, input.size, input.sha256.toLowerCase(), URL_TTL_SECONDS);
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
