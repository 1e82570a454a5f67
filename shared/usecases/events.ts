import type { Deps } from '../deps.ts';
import { conflict, DomainError, notFound } from '../domain/errors.ts';
import type { DeliveryRecord } from '../ports.ts';

/**
 * Reading the events (SPEC: GET /v1/events) and the admin's dead letters
 * (GET /v1/admin/deliveries?status=dead, POST /v1/admin/deliveries/{id}/retry).
 */

/**
 * How long the feed waits before it shows an event: a write's position is taken just before its
 * transaction, so a slow transaction could otherwise appear behind a cursor already handed out.
 */
const SETTLE_MS = 1_000;

const encodeCursor = (position: string) => Buffer.from(position, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[^#]+#\d{9}#[\w-]+$/.test(position)) throw new DomainError(422, 'events.invalid-cursor', '游标无效：请使用上一页答复中的 next', [{ path: 'after', code: 'events.invalid-cursor', message: '游标无效' }]);
  return position;
}

/**
 * The events in commit order after a cursor (from the oldest kept without one), at most `limit`.
 * Output: the events (the applicant masked, as on the webhooks of subscribers without full
 * identifiers) and `next`, the cursor to ask with next time (the same one when nothing is new).
 */
export async function listEvents(deps: Pick<Deps, 'outbox'>, query: { after?: string; limit: number }) {
  const after = query.after ? decodeCursor(query.after) : undefined;
  const before = new Date(Date.now() - SETTLE_MS).toISOString();
  const entries = await deps.outbox.feed(after, before, query.limit);
  const last = entries.at(-1);
  return { events: entries.map((e) => e.event!), next: last ? encodeCursor(last.position) : (query.after ?? null) };
}

/** The dead letters (deliveries given up after every retry), the latest first. */
export async function listDeadDeliveries(deps: Pick<Deps, 'deliveries'>, limit = 100) {
  return { deliveries: await deps.deliveries.dead(limit) };
}

/**
 * An admin's retry of a dead letter: the delivery starts over (its attempts from 1) and the event
 * goes back before the relay, for this subscriber only. The retry claims the dead letter in the
 * same write (DeliveryLog.retryDead), so that of two admins retrying it at once one does and the
 * other gets 409: each would otherwise deliver it. A delivery that is not dead → 409.
 */
export async function retryDelivery(deps: Pick<Deps, 'deliveries'>, deliveryId: string) {
  const record = await deps.deliveries.get(deliveryId);
  if (!record) throw notFound('delivery.not-found', '投递记录不存在');
  if (record.status !== 'dead') throw conflict('delivery.not-dead', '只有已放弃的投递（死信）可以重试');
  const { lastError: _e, nextAttemptAt: _n, ...rest } = record;
  const retried: DeliveryRecord = { ...rest, status: 'failing', attempts: 0, updatedAt: new Date().toISOString(), ...(record.lastError ? { lastError: record.lastError } : {}) };
  const outcome = await deps.deliveries.retryDead(retried);
  if (outcome === 'not-dead') throw conflict('delivery.already-retried', '该死信已被重试，正在重新投递');
  if (outcome === 'event-gone') throw conflict('delivery.event-expired', '该事件已超过保留期限，不能再投递');
  return retried;
}
