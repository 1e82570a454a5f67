import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { CorrectionRequest } from '../contract.ts';
import { findItem } from '../domain/catalog.ts';
import { conflict, DomainError, notFound, type FieldProblem } from '../domain/errors.ts';
import { formProblems, type StoredMaterial } from '../domain/application.ts';
import type { Caller } from '../domain/caller.ts';
import { isOwner } from './view.ts';
import { checkMaterials, missingMaterials } from './materials.ts';
import { getApplication } from './queries.ts';
import { amend } from './amend.ts';
import { DEFERRED_OWED_STATUSES } from '../domain/deadlines.ts';

type CorrectionDeps = Pick<Deps, 'clock' | 'catalog' | 'calendar' | 'lightRule' | 'applications' | 'tasks' | 'uploads' | 'materials' | 'workflow'>;

const merge = (current: StoredMaterial[], added: StoredMaterial[]) =>
  [...current.filter((m) => !added.some((a) => a.materialCode === m.materialCode)), ...added].sort((a, b) => a.materialCode.localeCompare(b.materialCode));

/**
 * The applicant's one correction (补正, SPEC rule 4), or the deferred materials (容缺) supplied
 * after acceptance.
 * Input: the applicant, the application, new materials and a form patch.
 * Steps: while correcting, the corrected application is checked as a whole and every problem
 * told at once; it is received anew (the acceptance clock restarts), the correction task
 * completes and the flow returns to acceptance. After an acceptance with deferred materials,
 * the materials supplied must be deferred ones; they join the application and leave the list.
 * Output: the application as the applicant sees it.
 */
export async function correctApplication(deps: CorrectionDeps, caller: Caller, applicationId: string, input: z.infer<typeof CorrectionRequest>) {
  await amend(deps, applicationId, async (app) => {
    if (!isOwner(caller, app)) throw notFound('application.not-found', '办件不存在');
    const item = findItem(deps.catalog, app.itemCode, app.itemVersion)!;
    const at = deps.clock.now().toISOString();
    const checked = await checkMaterials(deps, caller, item, input.materials, applicationId);
    const problems: FieldProblem[] = [...checked.problems];
    const entry = {
      actor: caller.sub,
      details: { materials: checked.stored.map((m) => ({ code: m.materialCode, sha256: m.sha256 })), formFields: Object.keys(input.form ?? {}) },
    };
    const takeUploads = checked.stored.map((m) => m.uploadId);

    if (app.status === 'correcting') {
      const form = { ...app.form, ...(input.form ?? {}) };
      const materials = merge(app.materials, checked.stored);
      problems.push(...formProblems(item, form), ...missingMaterials(item, new Set(materials.map((m) => m.materialCode))));
      if (problems.length) throw new DomainError(422, 'correction.invalid', `补正后仍有 ${problems.length} 处问题`, problems);
      const task = (await deps.tasks.openForApplication(applicationId)).find((t) => t.step === 'correction');
      if (!task) throw conflict('correction.not-ready', '补正通知尚在生成，请稍后重试');
      return {
        next: { ...app, status: 'submitted', form, materials, receivedAt: at, corrections: { ...app.corrections!, resolvedAt: at } },
        at,
        entry: { ...entry, action: 'corrected' },
        takeUploads,
        completeTask: { taskId: task.taskId, by: caller.sub, at, outcome: { outcome: 'corrected' } },
        // The correction task's callback lets the flow return to acceptance (through the outbox).
        callback: { kind: 'success' as const, taskToken: task.taskToken, output: { outcome: 'corrected' } },
      };
    }
    // A deferred material is owed until supplied, also after an instant item's approval on the spot.
    if (app.deferred && !app.deferred.suppliedAt && DEFERRED_OWED_STATUSES.includes(app.status)) {
      if (input.form) problems.push({ path: 'form', code: 'deferred.form', message: '容缺补交只能提交材料' });
      input.materials.forEach((m, i) => {
        if (!app.deferred!.materialCodes.includes(m.materialCode)) problems.push({ path: `materials.${i}.materialCode`, code: 'deferred.not-deferred', message: `材料“${m.materialCode}”不在容缺清单中` });
      });
      if (!input.materials.length) problems.push({ path: 'materials', code: 'deferred.empty', message: '请提交容缺的材料' });
      if (problems.length) throw new DomainError(422, 'deferred.invalid', '容缺材料补交不符合要求', problems);
      const left = app.deferred.materialCodes.filter((c) => !checked.stored.some((m) => m.materialCode === c));
      return {
        next: { ...app, materials: merge(app.materials, checked.stored), deferred: { ...app.deferred, materialCodes: left, ...(left.length ? {} : { suppliedAt: at }) } },
        at,
        entry: { ...entry, action: 'deferred.supplied' },
        takeUploads,
      };
    }
    throw conflict('application.not-correcting', '该办件当前不需要补正或补交材料');
  });
  return getApplication(deps, caller, applicationId);
}
