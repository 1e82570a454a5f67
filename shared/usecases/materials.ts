import type { Deps } from '../deps.ts';
import type { MaterialRef } from '../contract.ts';
import type { Item } from '../domain/catalog.ts';
import type { FieldProblem } from '../domain/errors.ts';
import type { StoredMaterial } from '../domain/application.ts';
import { FORMAT_LABELS, FORMAT_MEDIA_TYPES, formatOfMediaType, sniffFormat } from '../domain/material.ts';
import type { Caller } from '../domain/caller.ts';

/** The materials of an application (SPEC rule 3), checked the same way at submission and at correction. */

/**
 * Checks the uploads given for an item's materials: each code known and given once, each
 * upload the caller's, unused elsewhere, sent, of the declared size and SHA-256 (recomputed on
 * the stored bytes, streamed: never more than a chunk of a file in memory, and never more bytes
 * read than the limit allows), of an allowed format recognised from its bytes and agreeing with
 * the declared content type, within the size limit. Returns every problem, and the materials
 * that passed, each with the object version that was checked.
 */
export async function checkMaterials(deps: Pick<Deps, 'uploads' | 'materials' | 'clock'>, caller: Caller, item: Item, refs: MaterialRef[], applicationId: string) {
  const now = deps.clock.now().getTime();
  const problems: FieldProblem[] = [];
  const stored: StoredMaterial[] = [];
  const given = new Map<string, number>();
  refs.forEach((m, i) => {
    const path = `materials.${i}.materialCode`;
    if (!item.materials.some((spec) => spec.code === m.materialCode)) problems.push({ path, code: 'material.unknown', message: `事项不需要材料“${m.materialCode}”` });
    else if (given.has(m.materialCode)) problems.push({ path, code: 'material.duplicate', message: `材料“${m.materialCode}”重复提交` });
    given.set(m.materialCode, i);
  });
  await Promise.all(
    item.materials.map(async (spec) => {
      const i = given.get(spec.code);
      if (i === undefined) return;
      const path = `materials.${i}`;
      const upload = await deps.uploads.get(refs[i].uploadId);
      // An expired upload is refused even before the sweep removes it: the sweep can never take a material from under an application.
      if (!upload || upload.owner !== caller.sub || (!upload.usedBy && Date.parse(upload.expiresAt) <= now)) {
        return problems.push({ path, code: 'material.upload-not-found', message: `${spec.name}：上传记录不存在或已过期` });
      }
      if (upload.usedBy && upload.usedBy !== applicationId) return problems.push({ path, code: 'material.upload-used', message: `${spec.name}：该文件已用于其他办件` });
      // Read no further than the file may be: a declared 100 MB never reaches memory.
      const digest = await deps.materials.digest(upload.key, Math.min(spec.maxBytes, upload.size));
      if (!digest) return problems.push({ path, code: 'material.not-uploaded', message: `${spec.name}：文件尚未上传` });
      const before = problems.length;
      if (upload.size > spec.maxBytes) problems.push({ path, code: 'material.too-large', message: `${spec.name}：文件不得超过 ${Math.round(spec.maxBytes / 1024 / 1024)} MB` });
      else if (digest.size !== upload.size) problems.push({ path, code: 'material.size-mismatch', message: `${spec.name}：文件大小与申报不符` });
      else if (digest.sha256 !== upload.sha256) problems.push({ path, code: 'material.hash-mismatch', message: `${spec.name}：文件内容与申报的 SHA-256 不符` });
      const format = sniffFormat(digest.head);
      if (!format || !spec.formats.includes(format)) {
        problems.push({ path, code: 'material.format', message: `${spec.name}：文件格式应为 ${spec.formats.map((f) => FORMAT_LABELS[f]).join('、')}` });
      } else if (formatOfMediaType(upload.contentType) !== format) {
        problems.push({ path, code: 'material.content-type', message: `${spec.name}：文件实际为 ${FORMAT_LABELS[format]}，与申报的类型 ${upload.contentType} 不符（应为 ${FORMAT_MEDIA_TYPES[format]}）` });
      }
      if (problems.length === before) {
        stored.push({
          materialCode: spec.code,
          uploadId: upload.uploadId,
          key: upload.key,
          fileName: upload.fileName,
          format: format!,
          size: digest.size,
          sha256: upload.sha256,
          ...(digest.versionId ? { versionId: digest.versionId } : {}),
        });
      }
    }),
  );
  return { problems, stored };
}

/** Every required material missing from a set of material codes (deferred ones may be missing). */
export function missingMaterials(item: Item, codes: Set<string>, deferred: Set<string> = new Set()): FieldProblem[] {
  return item.materials
    .filter((spec) => spec.required && !codes.has(spec.code) && !deferred.has(spec.code))
    .map((spec) => ({ path: 'materials', code: 'material.missing', message: `缺少必交材料：${spec.name}` }));
}
