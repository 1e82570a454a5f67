import type { Deps } from '../deps.ts';
import type { SubmitRequest } from '../contract.ts';
import { canonicalJson, sha256Hex } from '../domain/canonical.ts';
import { chainEvent, genesis, headOf } from '../domain/audit.ts';
import { chinaDate } from '../domain/calendar.ts';
import { findItem } from '../domain/catalog.ts';
import { DomainError, forbidden, type FieldProblem } from '../domain/errors.ts';
import { creditCodeProblem, idNumberProblem } from '../domain/identity.ts';
import { deliveryAllowed, formProblems, subjectIdOf, type ApplicationRecord } from '../domain/application.ts';
import type { Caller } from '../domain/caller.ts';
import { applicationView } from './view.ts';
import { checkMaterials, missingMaterials } from './materials.ts';
import { refuseIfListed } from './blacklist.ts';
import { ConflictError } from '../ports.ts';
import { eventsOf, numberEvents, outboxOf } from '../domain/events.ts';
import { statsChange } from './stats.ts';

type SubmitDeps = Pick<Deps, 'auditHash' | 'clock' | 'catalog' | 'calendar' | 'lightRule' | 'applications' | 'uploads' | 'materials' | 'counters' | 'workflow' | 'blacklist'>;

const ID_MESSAGES = {
  format: '身份证号应为18位，最后一位可为数字或X',
  area: '身份证号的地区码不存在',
  birthDate: '身份证号中的出生日期不正确',
  checksum: '身份证号校验码不正确',
} as const;
const CREDIT_MESSAGES = { format: '统一社会信用代码应为18位，且不含I、O、Z、S、V', checksum: '统一社会信用代码校验码不正确' } as const;

/** The application id follows from who submits and the idempotency key, so a retry finds its application. */
export const applicationIdFor = (sub: string, key: string) => `app_${sha256Hex(`${sub}\n${key}`).slice(0, 24)}`;

function applicantProblems(input: SubmitRequest, caller: Caller, today: string): FieldProblem[] {
  const a = input.applicant;
  if (a.kind === 'person') {
    const p = idNumberProblem(a.idNumber, today);
    if (p) return [{ path: 'applicant.idNumber', code: `applicant.id-${p === 'birthDate' ? 'birth-date' : p}`, message: ID_MESSAGES[p] }];
  } else {
    const p = creditCodeProblem(a.creditCode);
    if (p) return [{ path: 'applicant.creditCode', code: `applicant.credit-code-${p}`, message: CREDIT_MESSAGES[p] }];
  }
  if (subjectIdOf(a) !== caller.sub) throw forbidden('applicant.not-self', '只能以登录者本人或本单位的名义申请');
  return [];
}

/**
 * Submits an application (SPEC rule 3).
 * Input: the caller, the Idempotency-Key, the request body.
 * Steps: read the application this key names, the applicant's blacklist entry and the
 * uploaded materials together; a retry with the same key and body answers as the first time,
 * another body → 409; a listed applicant is refused (403, counted); check everything against
 * the item and collect every deficiency (一次性告知); store the application with its first
 * audit event, taking the uploads (their bytes are the application's from then on), in one
 * transaction; start its flow.
 * Output: the application as its applicant sees it.
 */
export async function submitApplication(deps: SubmitDeps, caller: Caller, idempotencyKey: string, input: SubmitRequest) {
  const now = deps.clock.now();
  const applicationId = applicationIdFor(caller.sub, idempotencyKey);
  const requestHash = sha256Hex(canonicalJson(input));

  // The reads do not depend on each other: one round trip instead of three. A retry that finds
  // its application answers as the first time did, whatever the others found.
  const item = findItem(deps.catalog, input.itemCode);
  const [existing, listed, materials] = await Promise.all([
    deps.applications.get(applicationId),
    deps.blacklist.get(caller.sub),
    item ? checkMaterials(deps, caller, item, input.materials, applicationId) : undefined,
  ]);
  if (existing) return replay(deps, caller, existing, requestHash);
  if (!item || !materials) throw new DomainError(422, 'application.invalid', '申请内容不符合要求', [{ path: 'itemCode', code: 'item.unknown', message: `事项清单中没有“${input.itemCode}”` }]);

  const applicant = applicantProblems(input, caller, chinaDate(now));
  if (!applicant.length) await refuseIfListed(deps, listed, caller.sub, item.code, now);
  const problems: FieldProblem[] = [...applicant, ...formProblems(item, input.form)];
  if (!deliveryAllowed(item, input.delivery.method)) problems.push({ path: 'delivery.method', code: 'delivery.unsupported', message: '该事项不支持所选送达方式' });
  if (input.quantity !== undefined && input.quantity > 1 && !item.batch) problems.push({ path: 'quantity', code: 'quantity.not-batch', message: '该事项每次只能申领一份证照' });
  problems.push(...missingMaterials(item, new Set(input.materials.map((m) => m.materialCode))), ...materials.problems);
  if (problems.length) throw new DomainError(422, 'application.invalid', `申请材料或信息有 ${problems.length} 处问题，请一次性补齐`, problems);

  const day = chinaDate(now).replace(/-/g, '');
  const seq = await deps.counters.reserve(`applicationNo#${day}`);
  const stored = materials.stored;
  const app: ApplicationRecord = {
    applicationId,
    applicationNo: `${deps.catalog.areaCode}${day}${String(seq).padStart(6, '0')}`,
    cityCode: deps.catalog.areaCode,
    itemCode: item.code,
    itemVersion: item.version,
    itemName: item.name,
    department: item.department,
    flow: item.flow,
    applicantId: caller.sub,
    applicant: input.applicant,
    form: input.form,
    materials: stored.sort((a, b) => a.materialCode.localeCompare(b.materialCode)),
    delivery: input.delivery,
    quantity: input.quantity ?? 1,
    status: 'submitted',
    submittedAt: now.toISOString(),
    clockPaused: false,
    requestHash,
    audit: genesis(deps.auditHash),
  };
  const event = chainEvent(applicationId, app.audit, app.submittedAt, {
    actor: caller.sub,
    action: 'submitted',
    details: { itemCode: item.code, itemVersion: item.version, materials: stored.map((m) => ({ code: m.materialCode, sha256: m.sha256 })) },
  });
  app.audit = headOf(event);
  const submitted = numberEvents(app, 0, app.submittedAt, eventsOf(undefined, app, event));
  app.eventSeq = submitted.length;
  let created: boolean;
  try {
    created = await deps.applications.create({ next: app, expectedSeq: 0, events: [event], takeUploads: stored.map((m) => m.uploadId), outbox: outboxOf(app, submitted, event.seq), stats: statsChange(deps, undefined, app) });
  } catch (e) {
    // Another application took one of these uploads between our check and our write.
    if (e instanceof ConflictError) throw new DomainError(409, 'material.upload-conflict', '所提交的材料正被另一份申请使用，请刷新后重试');
    throw e;
  }
  if (!created) {
    const winner = await deps.applications.get(applicationId);
    return replay(deps, caller, winner!, requestHash);
  }
  // Only the request that created the application starts its flow. The materials stay where
  // they were uploaded: taking the uploads (above) is what keeps them.
  await startFlow(deps, app);
  return { created: true, view: applicationView(deps, app, [event], caller) };
}

/** A first attempt that stopped between storing the application and starting its flow is finished by a retry after this long. */
const RECOVERY_AFTER_MS = 30_000;

async function startFlow(deps: SubmitDeps, app: ApplicationRecord) {
  // The execution is named after the application: starting it twice starts it once.
  const item = findItem(deps.catalog, app.itemCode, app.itemVersion);
  await deps.workflow.start(app.flow, app.applicationId, {
    applicationId: app.applicationId,
    flow: app.flow,
    itemCode: app.itemCode,
    inspection: item?.inspection ?? false,
    jointDepartments: item?.jointDepartments ?? [],
  });
}

async function replay(deps: SubmitDeps, caller: Caller, app: ApplicationRecord, requestHash: string) {
  if (app.requestHash !== requestHash) throw new DomainError(409, 'idempotency.key-reused', '该幂等键已用于另一份不同的申请');
  if (app.status === 'submitted' && deps.clock.now().getTime() - Date.parse(app.submittedAt) > RECOVERY_AFTER_MS) {
    // The first attempt may have stopped before starting the flow; starting it again is safe.
    // (A concurrent duplicate, younger, leaves it to the first.)
    await startFlow(deps, app);
  }
  return { created: false, view: applicationView(deps, app, await deps.applications.audit(app.applicationId), caller) };
}
