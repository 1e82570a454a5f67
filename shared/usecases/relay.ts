import type { Deps } from '../deps.ts';
import type { FlowKind } from '../domain/catalog.ts';
import { backoffMs, signWebhook, wants, type EventBody } from '../domain/events.ts';
import { sha256Hex } from '../domain/canonical.ts';
import type { DeliveryRecord, StoredOutboxEntry, Subscriber } from '../ports.ts';

/**
 * The relay (SPEC rule 15): what leaves the outbox. A callback is sent to Step Functions until it
 * answers; an event is posted, signed, to each subscriber that wants it, in `seq` order per
 * application, retried with backoff until a 2xx or a dead letter. The AWS functions (relay,
 * deliver-events) and the embedded relay (local/relay.ts) all run this code.
 *
 * Its bookkeeping runs on real time, not the dev clock: a webhook's timestamp is checked by the
 * receiver against its own clock, and retries wait real seconds.
 */

type RelayDeps = Pick<Deps, 'outbox' | 'deliveries' | 'subscribers' | 'webhooks' | 'relayPolicy' | 'workflow'>;
type AwsRelayDeps = RelayDeps & Pick<Deps, 'eventBus' | 'queues'>;

/** Step Functions' answers that no retry can change (InvalidOutput: the same output is refused again): the callback is recorded with it and given up. */
const FINAL_CALLBACK_ERRORS = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist', 'ExecutionDoesNotExist', 'InvalidOutput']);
/** A callback Step Functions did not answer is tried again after 200 ms, doubling up to a minute, for as long as it takes. */
const CALLBACK_RETRY = { baseMs: 200, capMs: 60_000 };

export const deliveryIdOf = (subscriber: string, eventId: string) => `dlv_${sha256Hex(`${subscriber}#${eventId}`).slice(0, 24)}`;

/**
 * Sends a callback to the flow, as its `attempt`-th try (counted from 1). Output: `sent`, the final error's name (recorded, given up), or
 * `deferred` with the time of the next attempt (recorded on the entry).
 */
export async function relayCallback(deps: RelayDeps, entry: StoredOutboxEntry, attempt = (entry.attempts ?? 0) + 1): Promise<{ result: string; retryInMs?: number }> {
  const cb = entry.callback!;
  try {
    if (cb.kind === 'success') await deps.workflow.sendSuccess(cb.taskToken, cb.output);
    else await deps.workflow.stop(cb.flow as FlowKind, cb.name, cb.cause);
    await deps.outbox.settle(entry.id, 'sent');
    return { result: 'sent' };
  } catch (e) {
    const name = (e as Error).name;
    if (FINAL_CALLBACK_ERRORS.has(name)) {
      await deps.outbox.settle(entry.id, name);
      return { result: name };
    }
    const retryInMs = backoffMs(attempt + 1, CALLBACK_RETRY.baseMs, CALLBACK_RETRY.capMs);
    await deps.outbox.defer(entry.id, attempt, new Date(Date.now() + retryInMs).toISOString(), name);
    return { result: 'deferred', retryInMs };
  }
}

/** The body a subscriber gets: the stored event, with the applicant in full for a subscriber entitled to it. */
export function bodyFor(subscriber: Pick<Subscriber, 'fullIdentifiers'>, entry: StoredOutboxEntry): EventBody {
  const event = entry.event!;
  if (!subscriber.fullIdentifiers || !entry.identity) return event;
  const license = event.data.license as Record<string, unknown> | undefined;
  return {
    ...event,
    data: { ...event.data, applicant: { ...(event.data.applicant as object), ...entry.identity }, ...(license ? { license: { ...license, holder: entry.identity.name, holderCode: entry.identity.id } } : {}) },
  };
}

/**
 * Posts one event to one subscriber, signed (SPEC: X-Oneseal-Signature), and records the
 * attempt: delivered on a 2xx; failing, with the time of the next attempt; dead after the policy's
 * last attempt. `attempt` counts from 1.
 */
export async function deliverEvent(deps: RelayDeps, subscriber: Subscriber, entry: StoredOutboxEntry, attempt: number): Promise<DeliveryRecord> {
  const raw = JSON.stringify(bodyFor(subscriber, entry));
  const timestamp = String(Math.floor(Date.now() / 1000));
  let error: string | undefined;
  try {
    const status = await deps.webhooks.post(subscriber.url, { 'X-Oneseal-Event-Id': entry.id, 'X-Oneseal-Timestamp': timestamp, 'X-Oneseal-Signature': signWebhook(await subscriber.secret(), timestamp, raw) }, raw);
    if (status < 200 || status > 299) error = `HTTP ${status}`;
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`.slice(0, 200);
  }
  const now = new Date();
  const { baseMs, capMs, maxAttempts } = deps.relayPolicy;
  const record: DeliveryRecord = {
    deliveryId: deliveryIdOf(subscriber.id, entry.id),
    subscriber: subscriber.id,
    eventId: entry.id,
    applicationId: entry.applicationId,
    seq: entry.seq,
    type: entry.event!.type,
    attempts: attempt,
    updatedAt: now.toISOString(),
    ...(error
      ? attempt >= maxAttempts
        ? { status: 'dead' as const, lastError: error }
        : { status: 'failing' as const, lastError: error, nextAttemptAt: new Date(now.getTime() + backoffMs(attempt + 1, baseMs, capMs)).toISOString() }
      : { status: 'delivered' as const, deliveredAt: now.toISOString() }),
  };
  await deps.deliveries.put(record);
  return record;
}

/**
 * The queues an entry goes to on AWS: the subscribers who asked for its type, or those an admin's
 * retry names (each subscriber's queue retries its own deliveries, so a retry concerns it alone).
 */
export const targetsOf = (subscribers: Subscriber[], entry: StoredOutboxEntry) =>
  entry.retryFor ? subscribers.filter((s) => entry.retryFor!.includes(s.id)) : subscribers.filter((s) => wants(s.types, entry.event!.type));

/**
 * One pass of the embedded relay over the pending entries: each application's entries in order,
 * applications side by side. An entry that cannot go yet (a callback or a delivery waiting for
 * its retry) holds back the later entries of its application for that destination. An entry is
 * settled once its callback is answered or each of its deliveries is delivered or dead.
 * The page is large (2000) so that entries held back for a failing subscriber cannot hide the
 * callbacks and events committed after them.
 * Output: how many entries were read and how many settled.
 */
export async function relayPending(deps: RelayDeps, limit = 2000): Promise<{ read: number; settled: number }> {
  const entries = await deps.outbox.pending(limit);
  if (!entries.length) return { read: 0, settled: 0 };
  const subscribers = await deps.subscribers();
  const byApplication = Map.groupBy(entries, (e) => e.applicationId);
  // Every application finishes before the pass ends, also when one fails: a pass that ended early
  // would let the next one post what is still under way here a second time.
  const outcomes = await Promise.allSettled([...byApplication.values()].map((list) => relayApplication(deps, subscribers, list.sort((a, b) => a.seq - b.seq || (a.callback ? 1 : -1)))));
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
  return { read: entries.length, settled: outcomes.reduce((a, o) => a + (o.status === 'fulfilled' ? o.value : 0), 0) };
}

async function relayApplication(deps: RelayDeps, subscribers: Subscriber[], entries: StoredOutboxEntry[]): Promise<number> {
  const held = new Set<string>();
  let settled = 0;
  for (const entry of entries) {
    const now = Date.now();
    if (entry.callback) {
      if (held.has('flow') || (entry.nextAttemptAt && Date.parse(entry.nextAttemptAt) > now)) {
        held.add('flow');
        continue;
      }
      const { result } = await relayCallback(deps, entry);
      if (result === 'deferred') held.add('flow');
      else settled++;
      continue;
    }
    let done = true;
    let posted = false; // delivered to a subscriber in this pass
    let marked = false; // a failure recorded on the entry in this pass
    // Every subscriber that wants the event, not only an admin's retry: a retry can come while
    // another subscriber's delivery of the same entry is still being retried here.
    for (const subscriber of subscribers.filter((s) => wants(s.types, entry.event!.type) || entry.retryFor?.includes(s.id))) {
      if (held.has(subscriber.id)) {
        done = false;
        continue;
      }
      // An entry never attempted before has no deliveries to read (the common case, one read fewer on the way to the subscriber).
      const previous = entry.attempts || entry.retryFor ? await deps.deliveries.get(deliveryIdOf(subscriber.id, entry.id)) : undefined;
      if (previous?.status === 'delivered' || (previous?.status === 'dead' && !entry.retryFor?.includes(subscriber.id))) continue;
      if (previous?.status === 'failing' && previous.nextAttemptAt && Date.parse(previous.nextAttemptAt) > now) {
        held.add(subscriber.id);
        done = false;
        continue;
      }
      const attempt = previous?.status === 'failing' ? previous.attempts + 1 : 1;
      const record = await deliverEvent(deps, subscriber, entry, attempt);
      if (record.status !== 'delivered') {
        await deps.outbox.defer(entry.id, (entry.attempts ?? 0) + 1, record.nextAttemptAt ?? record.updatedAt, record.lastError ?? '');
        marked = true;
      } else posted = true;
      if (record.status === 'failing') {
        held.add(subscriber.id);
        done = false;
      }
    }
    if (done) {
      await deps.outbox.settle(entry.id, undefined, entry.retryFor);
      settled++;
    } else if (posted && !marked && !entry.attempts) {
      // Delivered to some, held back for another: mark it attempted, so that the next pass reads
      // its deliveries and does not post it again to those who have it.
      await deps.outbox.defer(entry.id, 1, new Date(now).toISOString(), 'held back behind an earlier event');
    }
  }
  return settled;
}

/**
 * AWS, the relay function (the outbox's DynamoDB stream): a new entry's event goes to the city's
 * EventBridge bus and to each subscriber's queue, a callback to the callbacks queue; an admin's
 * retry (`retryFor`) to those subscribers' queues again (`queuedBefore`: those of an earlier retry
 * still pending, already queued), after which it leaves the pending index unless another retry was
 * added meanwhile (its own stream record queues that one). A stream record delivered twice is queued once (the FIFO queues' deduplication by entry id).
 */
export async function relayToQueues(deps: AwsRelayDeps, entry: StoredOutboxEntry, isNew: boolean, queuedBefore: string[] = []): Promise<void> {
  if (entry.callback) await deps.queues.enqueue('callbacks', entry, entry.id);
  else {
    if (isNew) await deps.eventBus.publish([entry.event!]);
    const retry = entry.retryFor ? `-retry-${Date.now()}` : '';
    // A retry added while an earlier one was still pending: the earlier one's subscribers were queued with it.
    for (const subscriber of targetsOf(await deps.subscribers(), entry).filter((s) => !queuedBefore.includes(s.id))) await deps.queues.enqueue(subscriber.id, entry, `${entry.id}${retry}`);
  }
  // A new entry was never pending here (the stream brought it); an admin's retry was, and stays so if another was added since.
  if (entry.pending) await deps.outbox.settle(entry.id, undefined, entry.retryFor);
}

/**
 * AWS, the delivery function: one queued entry for one destination, on its `receiveCount`-th
 * receive. Output: done (delivered, dead, or a callback answered for good), or the seconds to
 * wait before the next attempt (the message is held back that long; its group waits behind it).
 */
export async function deliverQueued(deps: RelayDeps, destination: string, id: string, receiveCount: number): Promise<{ done: true } | { done: false; retryInSeconds: number }> {
  const entry = await deps.outbox.get(id);
  if (!entry) return { done: true }; // past its retention
  if (destination === 'callbacks') {
    // The attempt is the queue's receive count: the entry left the pending index when it was
    // queued, so defer() records nothing on it and its own count would stay at one (a retry every second).
    const { result, retryInMs } = await relayCallback(deps, entry, receiveCount);
    return result === 'deferred' ? { done: false, retryInSeconds: Math.ceil(retryInMs! / 1000) } : { done: true };
  }
  const subscriber = (await deps.subscribers()).find((s) => s.id === destination);
  if (!subscriber) return { done: true }; // no longer subscribed
  const previous = await deps.deliveries.get(deliveryIdOf(subscriber.id, entry.id));
  if (previous?.status === 'delivered') return { done: true }; // a message received twice
  const record = await deliverEvent(deps, subscriber, entry, receiveCount);
  return record.status === 'failing' ? { done: false, retryInSeconds: Math.ceil((Date.parse(record.nextAttemptAt!) - Date.now()) / 1000) } : { done: true };
}
