import { createHash } from 'node:crypto';
import type { Caller } from '../../../shared/domain/caller.ts';
import { findItem } from '../../../shared/domain/catalog.ts';
import type { Step, TaskRecord } from '../../../shared/domain/task.ts';
import { submitApplication } from '../../../shared/usecases/submit.ts';
import { createUpload } from '../../../shared/usecases/uploads.ts';
import { completeTask, openTask } from '../../../shared/usecases/tasks.ts';
import type { FakeDeps } from '../../support/fakes.ts';

/**
 * The steps of a journey, driven through the use cases themselves, with the flow played by the
 * test: where Step Functions would open a task, `openStep` opens it (as the open-task function
 * does), so that each test sets up exactly the state it asserts on.
 */

export const PERSON_ID = '64010419900101123X';
export const ENTERPRISE_CODE = '91640100MA76XY812D';
export const OTHER = '640102199208150015';

export const officer = (dept: string, rank: 'clerk' | 'chief' | 'director', sub = `${dept}-${rank}-001`): Caller => ({ sub, role: 'officer', dept, rank });
export const drug = { clerk: officer('drug', 'clerk'), chief: officer('drug', 'chief'), director: officer('drug', 'director') };
export const admin: Caller = { sub: 'admin-001', role: 'admin' };
export const applicantOf = (sub: string): Caller => ({ sub, role: 'applicant' });

/** A minimal, well-formed PDF (the intake recognises formats by their bytes). */
export const pdf = (text: string) => Buffer.from(`%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\n% ${text}\ntrailer<< /Root 1 0 R >>\n%%EOF\n`);

/** Declares an upload as the applicant would, and puts its bytes where the presigned URL points. */
export async function uploadMaterial(deps: FakeDeps, owner: string, bytes: Buffer = pdf(`material ${Math.random()}`)) {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { uploadId } = await createUpload(deps, applicantOf(owner), { fileName: 'material.pdf', contentType: 'application/pdf', size: bytes.length, sha256 });
  await deps.materials.put((await deps.uploads.get(uploadId))!.key, bytes, 'application/pdf');
  return uploadId;
}

const SAMPLE_VALUES: Record<string, string> = { plateNumber: '宁A12345', certificateNo: 'ZY20240012345', travelFrom: '2026-12-01', travelTo: '2026-12-15' };

let keys = 0;

/**
 * Submits a valid application for an item of the catalogue (every required material, every
 * form field) through submitApplication, at the clock's time.
 */
export async function submit(deps: FakeDeps, itemCode: string, options: { quantity?: number; applicantId?: string } = {}) {
  const item = findItem(deps.catalog, itemCode)!;
  const subject = options.applicantId ?? (itemCode === 'pharmacist-registration' ? PERSON_ID : ENTERPRISE_CODE);
  const applicant = /^\d{17}[\dX]$/.test(subject)
    ? { kind: 'person' as const, idNumber: subject, name: '马晓燕', phone: '13995000000' }
    : { kind: 'enterprise' as const, creditCode: subject, name: '宁夏众康大药房连锁有限公司', phone: '09515012345' };
  const form: Record<string, string | number | boolean | null> = {};
  for (const f of item.form) {
    if (!f.required) continue;
    form[f.field] = SAMPLE_VALUES[f.field] ?? (f.type === 'integer' ? 3 : f.type === 'enum' ? f.options![0] : f.type === 'date' ? '2026-12-01' : f.type === 'boolean' ? true : `${f.label}示例`);
  }
  const materials = [];
  for (const m of item.materials.filter((m) => m.required)) materials.push({ materialCode: m.code, uploadId: await uploadMaterial(deps, subject, pdf(`${itemCode} ${m.code} ${keys}`)) });
  const { view } = await submitApplication(deps, applicantOf(subject), `key-${keys++}`, {
    itemCode,
    applicant,
    form,
    materials,
    delivery: { method: 'electronic' },
    ...(options.quantity ? { quantity: options.quantity } : {}),
  });
  return view.applicationId;
}

let tokens = 0;

/** Opens the task of a flow step, as the flow's callback state does; answers the stored task. */
export async function openStep(deps: FakeDeps, applicationId: string, step: Step, dept?: string): Promise<TaskRecord> {
  const { taskId } = await openTask(deps, { taskToken: `token-${step}-${tokens++}`, applicationId, step, ...(dept ? { dept } : {}) });
  return (await deps.tasks.get(taskId))!;
}

/** Submits an item and accepts it at the clock's time; answers the application id. */
export async function accepted(deps: FakeDeps, itemCode: string, clerk: Caller = drug.clerk) {
  const id = await submit(deps, itemCode);
  const task = await openStep(deps, id, 'acceptance');
  await completeTask(deps, clerk, task.taskId, { outcome: 'accept' });
  return id;
}

/** The actions of an application's audit trail, in order. */
export const actions = async (deps: FakeDeps, applicationId: string) => (await deps.applications.audit(applicationId)).map((e) => e.action);

/** The application as stored. */
export const stored = async (deps: FakeDeps, applicationId: string) => (await deps.applications.get(applicationId))!;

/** What a promise rejects with (a DomainError's status and code, or the error's name). */
export async function refusal(promise: Promise<unknown>): Promise<{ status?: number; code?: string; name: string; errors?: { path: string; code: string }[] }> {
  try {
    await promise;
  } catch (e) {
    const d = e as { statusCode?: number; code?: string; name: string; errors?: { path: string; code: string }[] };
    return { status: d.statusCode, code: d.code, name: d.name, ...(d.errors ? { errors: d.errors.map(({ path, code }) => ({ path, code })) } : {}) };
  }
  throw new Error('expected the promise to be refused, but it was fulfilled');
}
