import type { Deps } from '../deps.ts';
import type { EmsEvent } from '../contract.ts';
import { conflict, DomainError, notFound } from '../domain/errors.ts';
import { MAX_SKEW_SECONDS, signatureProblem, type SignatureProblem } from '../domain/signature.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import type { Caller } from '../domain/caller.ts';
import { getApplication } from './queries.ts';
import { amend } from './amend.ts';

/**
 * Delivery (送达, SPEC rule 9). Electronic delivery completes at once; EMS creates a waybill and
 * waits for the courier's signed events; pickup waits for the applicant at the window. A
 * returned parcel falls back to pickup.
 */

type DeliveryChange = { next: ApplicationRecord; actor: string; action: string; details: Record<string, unknown>; reason?: string; completeTask?: { taskId: string; by: string; taskToken: string } };

/** This module's changes as amendments: one audit entry, and the waiting delivery task completed (and its callback in the outbox) when one is named. */
const commitWith = (deps: Pick<Deps, 'applications' | 'clock' | 'catalog' | 'calendar'>, applicationId: string, apply: (app: ApplicationRecord, at: string) => DeliveryChange | null) =>
  amend(
    deps,
    applicationId,
    (app) => {
      const at = deps.clock.now().toISOString();
      const c = apply(app, at);
      if (!c) return null;
      const entry = { actor: c.actor, action: c.action, details: c.details, ...(c.reason ? { reason: c.reason } : {}) };
      if (!c.completeTask) return { next: c.next, at, entry };
      const { taskToken, ...task } = c.completeTask;
      return { next: c.next, at, entry, completeTask: { ...task, at, outcome: { outcome: 'delivered' } }, callback: { kind: 'success' as const, taskToken, output: { outcome: 'delivered' } } };
    },
    { attempts: 6 },
  );

/** The flow's delivery step: electronic completes at once; EMS gets a waybill; pickup waits. Output: whether the flow waits. */
export async function deliver(deps: Pick<Deps, 'clock' | 'applications' | 'courier' | 'catalog' | 'calendar'>, input: { applicationId: string }) {
  const current = (await deps.applications.get(input.applicationId))!;
  const ready = current.status === 'issued' || (current.flow === 'filing' && current.status === 'submitted' && !!current.licenses);
  if (!ready) return { status: current.status, awaiting: current.status === 'delivering' || current.delivery.status === 'awaiting-pickup' };
  const method = current.delivery.method;
  const waybill =
    current.delivery.method === 'ems'
      ? await deps.courier.createWaybill({
          applicationId: current.applicationId,
          applicationNo: current.applicationNo,
          recipient: current.delivery.address.recipient,
          phone: current.delivery.address.phone,
          address: [current.delivery.address.province, current.delivery.address.city, current.delivery.address.district, current.delivery.address.detail].join(''),
          contents: (current.licenses ?? []).map((l) => l.licenseNo),
        })
      : undefined;
  const { app } = await commitWith(deps, input.applicationId, (a, at) => {
    if (method === 'electronic') return { next: { ...a, status: 'completed', completedAt: at, delivery: { ...a.delivery, status: 'delivered' } }, actor: 'system', action: 'delivery.electronic', details: {} };
    if (method === 'ems') {
      return {
        next: { ...a, status: 'delivering', waybillNo: waybill!.waybillNo, delivery: { ...a.delivery, status: 'created', waybillNo: waybill!.waybillNo, eventIds: [] } },
        actor: 'system',
        action: 'delivery.ems.created',
        details: { waybillNo: waybill!.waybillNo },
      };
    }
    return { next: { ...a, delivery: { ...a.delivery, status: 'awaiting-pickup' } }, actor: 'system', action: 'delivery.pickup.ready', details: {} };
  });
  return { status: app.status, awaiting: method !== 'electronic' };
}

const deliveryTask = async (deps: Pick<Deps, 'tasks'>, applicationId: string) => (await deps.tasks.openForApplication(applicationId)).find((t) => t.step === 'delivery');

const REFUSALS: Record<SignatureProblem, string> = {
  timestamp: '缺少或无法识别 X-EMS-Timestamp',
  skew: `X-EMS-Timestamp 与当前时间相差超过 ${MAX_SKEW_SECONDS} 秒`,
  signature: '缺少或无法识别 X-EMS-Signature',
  mismatch: 'X-EMS-Signature 校验失败',
};

/** Checks an EMS webhook's signature (domain/signature.ts: HMAC-SHA256 over `timestamp.body`, any active secret) and its timestamp (±300 s). */
export function checkEmsSignature(secrets: string[], timestamp: string | undefined, signature: string | undefined, rawBody: string, now: Date) {
  // No secret configured is a deployment fault, never an open door.
  if (!secrets.length) throw new DomainError(503, 'ems.not-configured', 'EMS 回调暂不可用');
  const problem = signatureProblem(secrets, timestamp, rawBody, signature, now);
  if (problem) throw new DomainError(401, 'ems.unauthorized', REFUSALS[problem]);
}

/**
 * Whether an event comes after the shipment's last one, ordered by (occurredAt, eventId): two
 * events of the same second are both taken, in the order of their ids, whichever arrives first.
 */
export function isNewer(event: Pick<EmsEvent, 'occurredAt' | 'eventId'>, last: { lastEventAt?: string; lastEventId?: string }): boolean {
  if (!last.lastEventAt) return true;
  const [t, lastT] = [Date.parse(event.occurredAt), Date.parse(last.lastEventAt)];
  return t !== lastT ? t > lastT : event.eventId > (last.lastEventId ?? '');
}

/**
 * An EMS delivery event (POST /v1/webhooks/ems), already authenticated.
 * Steps: find the shipment by waybill; an event seen before, or older than the shipment's last
 * one, changes nothing; otherwise the shipment moves: delivered completes the application and
 * its flow; returned falls back to pickup and tells the applicant on the timeline.
 * Output: what was done with the event.
 */
export async function receiveEmsEvent(deps: Pick<Deps, 'clock' | 'applications' | 'tasks' | 'workflow' | 'catalog' | 'calendar'>, event: EmsEvent) {
  const applicationId = await deps.applications.applicationIdByWaybill(event.waybillNo);
  if (!applicationId) throw notFound('ems.waybill-unknown', '运单号不存在');
  const task = await deliveryTask(deps, applicationId);
  let outcome: 'taken' | 'duplicate' | 'stale' = 'taken';
  const { app } = await commitWith(deps, applicationId, (a) => {
    const d = a.delivery;
    if (d.eventIds?.includes(event.eventId)) return (outcome = 'duplicate'), null;
    if (!isNewer(event, d) || a.status === 'completed' || d.waybillNo !== event.waybillNo) return (outcome = 'stale'), null;
    const moved = { ...d, status: event.status, lastEventAt: event.occurredAt, lastEventId: event.eventId, eventIds: [...(d.eventIds ?? []), event.eventId].slice(-50) };
    const details = { waybillNo: event.waybillNo, eventId: event.eventId, occurredAt: event.occurredAt, ...(event.location ? { location: event.location } : {}) };
    if (event.status === 'delivered') {
      return {
        next: { ...a, status: 'completed', completedAt: event.occurredAt, delivery: moved },
        actor: 'ems',
        action: 'delivery.ems.delivered',
        details: { ...details, signedBy: event.signedBy ?? null },
        ...(task ? { completeTask: { taskId: task.taskId, by: 'ems', taskToken: task.taskToken } } : {}),
      };
    }
    if (event.status === 'returned') {
      return {
        next: { ...a, status: 'issued', delivery: { method: 'pickup', status: 'awaiting-pickup', returnedWaybillNo: event.waybillNo, lastEventAt: event.occurredAt, lastEventId: event.eventId, eventIds: moved.eventIds } },
        actor: 'ems',
        action: 'delivery.ems.returned',
        details,
        reason: '邮件被退回，已改为窗口自取，请携带有效证件到政务服务大厅领取',
      };
    }
    return { next: { ...a, delivery: moved }, actor: 'ems', action: `delivery.ems.${event.status}`, details };
  });
  return { outcome, applicationNo: app.applicationNo, delivery: { method: app.delivery.method, status: app.delivery.status } };
}

/** The applicant picked the licenses up at the window (自取): recorded by an officer of the department. */
export async function recordPickup(deps: Pick<Deps, 'clock' | 'calendar' | 'lightRule' | 'applications' | 'tasks' | 'workflow' | 'catalog'>, caller: Caller, applicationId: string) {
  const current = await deps.applications.get(applicationId);
  if (!current || current.department !== caller.dept) throw notFound('application.not-found', '办件不存在');
  if (current.delivery.status !== 'awaiting-pickup') throw conflict('delivery.not-awaiting-pickup', '该办件没有待领取的证照');
  const task = await deliveryTask(deps, applicationId);
  if (!task) throw conflict('delivery.not-ready', '送达环节尚未就绪，请稍后重试');
  const { app } = await commitWith(deps, applicationId, (a, at) =>
    a.delivery.status === 'awaiting-pickup'
      ? { next: { ...a, status: 'completed', completedAt: at, delivery: { ...a.delivery, status: 'picked-up' } }, actor: caller.sub, action: 'delivery.picked-up', details: {}, completeTask: { taskId: task.taskId, by: caller.sub, taskToken: task.taskToken } }
      : null,
  );
  if (app.status !== 'completed') throw conflict('delivery.not-awaiting-pickup', '该办件没有待领取的证照');
  return getApplication(deps, { ...caller, role: 'officer' }, applicationId);
}
