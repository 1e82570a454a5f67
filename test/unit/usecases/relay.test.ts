import { describe, expect, it } from 'vitest';
import { fakeDeps, RecordingWorkflow, MemoryOutbox } from '../../support/fakes.ts';
import { deliverQueued, deliveryIdOf, relayPending, relayToQueues } from '../../../shared/usecases/relay.ts';
import { retryDelivery } from '../../../shared/usecases/events.ts';
import { verifyWebhook } from '../../../shared/domain/events.ts';
import type { OutboxEntry } from '../../../shared/ports.ts';

/** The relay's rules on the fakes: callbacks until answered, webhooks in order with retries, full identities only where entitled. */
const event = (applicationId: string, seq: number): OutboxEntry => ({
  id: `evt_${applicationId}_${seq}`,
  applicationId,
  seq,
  occurredAt: '2026-06-01T02:00:00.000Z',
  event: { eventId: `evt_${applicationId}_${seq}`, type: 'application.accepted', occurredAt: '2026-06-01T02:00:00.000Z', applicationId, applicationNo: 'N', itemCode: 'i', seq, status: 'accepted', data: { applicant: { kind: 'person', id: '640104********123X', name: '马**' } } },
  identity: { id: '64010419900101123X', name: '马晓明' },
});

function setup(script: number[] = [], fullIdentifiers = false) {
  const outbox = new MemoryOutbox();
  const workflow = new RecordingWorkflow();
  const deps = fakeDeps({ outbox, workflow });
  deps.outbox.relayTo = undefined; // the relay under test sends the callbacks, not the fake
  deps.webhooks.script.push(...script);
  deps.subscribers = async () => [{ id: 'platform', url: 'https://p.example/events', types: ['*'], fullIdentifiers, secret: async () => 'platform-secret' }];
  return deps;
}
const drain = async (deps: ReturnType<typeof setup>) => {
  for (let i = 0; i < 50 && (await deps.outbox.pending(100)).length; i++) {
    await relayPending(deps);
    await new Promise((r) => setTimeout(r, 12));
  }
};

/** An event both subscribers let die (two attempts each), for the admin to retry. */
async function deadForBoth() {
  const deps = setup([500, 500, 500, 500]);
  deps.relayPolicy = { baseMs: 1, capMs: 1, maxAttempts: 2 };
  deps.subscribers = async () => ['platform', 'library'].map((id) => ({ id, url: `https://${id}.example/events`, types: ['*'], fullIdentifiers: false, secret: async () => 'secret' }));
  deps.outbox.add([event('a', 1)]);
  await drain(deps);
  expect((await deps.deliveries.dead(10)).map((d) => d.subscriber).sort()).toEqual(['library', 'platform']);
  return deps;
}

describe('relayPending', () => {
  it("retrying one subscriber's dead letter does not drop another subscriber's delivery of the same event still being retried", async () => {
    const deps = setup();
    deps.subscribers = async () => ['platform', 'library'].map((id) => ({ id, url: `https://${id}.example/events`, types: ['*'], fullIdentifiers: false, secret: async () => 'secret' }));
    deps.outbox.add([event('a', 1)]);
    // The platform gave up on the event; the library's delivery of it is failing and due again now.
    Object.assign(deps.outbox.items.get('evt_a_1')!, { attempts: 3 });
    const at = new Date(Date.now() - 1000).toISOString();
    const base = { eventId: 'evt_a_1', applicationId: 'a', seq: 1, type: 'application.accepted', updatedAt: at, lastError: 'HTTP 500' };
    await deps.deliveries.put({ ...base, deliveryId: deliveryIdOf('platform', 'evt_a_1'), subscriber: 'platform', status: 'dead', attempts: 5 });
    await deps.deliveries.put({ ...base, deliveryId: deliveryIdOf('library', 'evt_a_1'), subscriber: 'library', status: 'failing', attempts: 3, nextAttemptAt: at });

    await retryDelivery(deps, deliveryIdOf('platform', 'evt_a_1'));
    await drain(deps);

    expect(deps.webhooks.posts.map((p) => p.url).sort()).toEqual(['https://library.example/events', 'https://platform.example/events']);
    expect((await deps.deliveries.get(deliveryIdOf('library', 'evt_a_1')))!.status).toBe('delivered');
    expect((await deps.deliveries.get(deliveryIdOf('platform', 'evt_a_1')))!.status).toBe('delivered');
  });

  it('posts each event once, signed, in seq order, holding the later ones back while an earlier one is retried', async () => {
    const deps = setup([500, 500]);
    deps.outbox.add([event('a', 1), event('a', 2), event('a', 3)]);
    await drain(deps);
    const bodies = deps.webhooks.posts.map((p) => JSON.parse(p.body));
    expect(bodies.map((b) => b.seq)).toEqual([1, 1, 1, 2, 3]);
    for (const p of deps.webhooks.posts) expect(verifyWebhook('platform-secret', p.headers['X-Oneseal-Timestamp'], p.body, p.headers['X-Oneseal-Signature'], new Date())).toBe(true);
    expect(JSON.stringify(bodies)).not.toContain('64010419900101123X');
    expect(await deps.outbox.pending(10)).toEqual([]);
  });

  it('posts a later event once to a subscriber that took it, while another subscriber holds it back', async () => {
    const deps = setup([200, 500]); // seq 1: the platform takes it, the library fails and waits a minute
    deps.relayPolicy = { baseMs: 60_000, capMs: 60_000, maxAttempts: 5 };
    deps.subscribers = async () => ['platform', 'library'].map((id) => ({ id, url: `https://${id}.example/events`, types: ['*'], fullIdentifiers: false, secret: async () => 'secret' }));
    deps.outbox.add([event('a', 1), event('a', 2)]);
    for (let pass = 0; pass < 5; pass++) await relayPending(deps);
    const posted = deps.webhooks.posts.map((p) => `${new URL(p.url).hostname.split('.')[0]}:${JSON.parse(p.body).seq}`);
    expect(posted).toEqual(['platform:1', 'library:1', 'platform:2']);
  });

  it('ends a pass only when every application of it is done, also when one of them fails (the next pass would post the others again)', async () => {
    const deps = setup();
    const put = deps.deliveries.put.bind(deps.deliveries);
    deps.deliveries.put = async (record) => {
      if (record.applicationId === 'a') throw new Error('DynamoDB is down for a moment');
      await new Promise((r) => setTimeout(r, 50)); // b's bookkeeping is slower
      return put(record);
    };
    deps.outbox.add([event('a', 1), event('b', 1)]);
    await expect(relayPending(deps)).rejects.toThrow('DynamoDB is down');
    await relayPending(deps).catch(() => {});
    expect(deps.webhooks.posts.map((p) => JSON.parse(p.body).applicationId).filter((id) => id === 'b')).toEqual(['b']);
  });

  it('gives a subscriber with full identifiers the applicant in full', async () => {
    const deps = setup([], true);
    deps.outbox.add([event('a', 1)]);
    await drain(deps);
    expect(JSON.parse(deps.webhooks.posts[0].body).data.applicant).toEqual({ kind: 'person', id: '64010419900101123X', name: '马晓明' });
  });

  it('records a dead letter after the last attempt and lets the later events go', async () => {
    const deps = setup([500, 500, 500, 500, 500]);
    deps.outbox.add([event('a', 1), event('a', 2)]);
    await drain(deps);
    expect((await deps.deliveries.dead(10)).map((d) => [d.seq, d.attempts, d.lastError])).toEqual([[1, 5, 'HTTP 500']]);
    expect(JSON.parse(deps.webhooks.posts.at(-1)!.body).seq).toBe(2);
  });

  it('delivers a dead letter once when two admins retry it at once: the second gets 409', async () => {
    // Prepare: a dead letter, the subscriber back.
    const deps = setup([500, 500, 500, 500, 500]);
    deps.outbox.add([event('a', 1)]);
    await drain(deps);
    const [dead] = await deps.deliveries.dead(10);
    const posts = deps.webhooks.posts.length;

    // Act: both read the dead letter before either writes.
    const answers = await Promise.allSettled([retryDelivery(deps, dead.deliveryId), retryDelivery(deps, dead.deliveryId)]);
    await drain(deps);

    // Assess
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected']);
    expect((answers[1] as PromiseRejectedResult).reason).toMatchObject({ statusCode: 409, code: 'delivery.already-retried', message: expect.stringMatching(/[\u4e00-\u9fff]/) });
    expect(deps.webhooks.posts.length).toBe(posts + 1);
    expect(await deps.deliveries.get(dead.deliveryId)).toMatchObject({ status: 'delivered', attempts: 1 });
    await expect(retryDelivery(deps, dead.deliveryId)).rejects.toMatchObject({ statusCode: 409, code: 'delivery.not-dead' });
  });

  it('delivers a retry an admin adds while the relay is serving another retry of the same event (it was dropped with the first)', async () => {
    const deps = await deadForBoth();
    await retryDelivery(deps, deliveryIdOf('platform', 'evt_a_1'));
    // The library's dead letter is retried while the relay posts the event to the platform.
    const post = deps.webhooks.post.bind(deps.webhooks);
    let first = true;
    deps.webhooks.post = async (url, headers, body) => {
      if (first) {
        first = false;
        await retryDelivery(deps, deliveryIdOf('library', 'evt_a_1'));
      }
      return post(url, headers, body);
    };
    await drain(deps);
    expect((await deps.deliveries.get(deliveryIdOf('platform', 'evt_a_1')))!.status).toBe('delivered');
    expect((await deps.deliveries.get(deliveryIdOf('library', 'evt_a_1')))!.status).toBe('delivered');
    expect(deps.webhooks.posts.map((p) => new URL(p.url).hostname.split('.')[0]).slice(-2)).toEqual(['platform', 'library']);
    expect(await deps.outbox.pending(10)).toEqual([]);
  });

  it('sends a callback until Step Functions answers, and records a timed-out task as final', async () => {
    const deps = setup();
    let fails = 2;
    deps.workflow.sendSuccess = async (token: string) => {
      if (token === 'late') throw Object.assign(new Error('gone'), { name: 'TaskTimedOut' });
      if (fails-- > 0) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    };
    deps.outbox.add([{ id: 'cb1', applicationId: 'a', seq: 1, occurredAt: 't', callback: { kind: 'success', taskToken: 'tok', output: {} } }]);
    deps.outbox.add([{ id: 'cb2', applicationId: 'b', seq: 1, occurredAt: 't', callback: { kind: 'success', taskToken: 'late', output: {} } }]);
    for (let i = 0; i < 40 && (await deps.outbox.pending(10)).length; i++) {
      await relayPending(deps);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await deps.outbox.get('cb1'))!.result).toBe('sent');
    expect((await deps.outbox.get('cb2'))!.result).toBe('TaskTimedOut');
  });
});

describe('the AWS relay and delivery (relayToQueues, deliverQueued)', () => {
  it('queues an event for each subscriber that wants it (grouped by application, deduplicated by event id) and on the bus; a callback on its own queue', async () => {
    const deps = setup();
    const sent: { destination: string; group: string; dedup: string }[] = [];
    const published: string[] = [];
    deps.queues = { enqueue: async (destination, entry, dedup) => void sent.push({ destination, group: entry.applicationId, dedup }), destinationOf: () => undefined, delay: async () => {} };
    deps.eventBus = { publish: async (events) => void published.push(...events.map((e) => e.eventId)) };
    deps.subscribers = async () => [
      { id: 'platform', url: 'https://p.example', types: ['*'], fullIdentifiers: false, secret: async () => 's' },
      { id: 'library', url: 'https://l.example', types: ['license.*'], fullIdentifiers: true, secret: async () => 's' },
    ];
    deps.outbox.add([event('a', 1), { id: 'cb1', applicationId: 'a', seq: 1, occurredAt: 't', callback: { kind: 'success', taskToken: 'tok', output: {} } }]);
    for (const entry of await deps.outbox.pending(10)) await relayToQueues(deps, entry, true);
    expect(sent).toEqual([
      { destination: 'platform', group: 'a', dedup: 'evt_a_1' },
      { destination: 'callbacks', group: 'a', dedup: 'cb1' },
    ]);
    expect(published).toEqual(['evt_a_1']);
    expect(await deps.outbox.pending(10)).toEqual([]);
  });

  it('writes nothing back for a new entry the stream brought (on AWS it was never pending), but takes an admin retry out of the pending index', async () => {
    const deps = setup();
    deps.queues = { enqueue: async () => {}, destinationOf: () => undefined, delay: async () => {} };
    deps.eventBus = { publish: async () => {} };
    deps.outbox.add([event('a', 1)]);
    const settled: string[] = [];
    const settle = deps.outbox.settle.bind(deps.outbox);
    deps.outbox.settle = async (id, result, retriedFor) => {
      settled.push(id);
      return settle(id, result, retriedFor);
    };
    const { pending: _pending, ...asStreamed } = (await deps.outbox.get('evt_a_1'))!;
    await relayToQueues(deps, asStreamed, true);
    expect(settled).toEqual([]);
    // An admin's retry (DeliveryLog.retryDead) puts the entry back as pending, for that subscriber.
    Object.assign(deps.outbox.items.get('evt_a_1')!, { pending: '1', retryFor: ['platform'] });
    await relayToQueues(deps, (await deps.outbox.get('evt_a_1'))!, false);
    expect(settled).toEqual(['evt_a_1']);
    expect(await deps.outbox.pending(10)).toEqual([]);
  });

  it('queues a retry an admin adds before the stream record of an earlier retry of the same event is relayed, once', async () => {
    const deps = await deadForBoth();
    const queued: string[] = [];
    deps.queues = { enqueue: async (destination) => void queued.push(destination), destinationOf: () => undefined, delay: async () => {} };
    deps.eventBus = { publish: async () => {} };
    // Two retries, each a stream record with the item as it was written: [platform], then [platform, library].
    await retryDelivery(deps, deliveryIdOf('platform', 'evt_a_1'));
    const firstImage = (await deps.outbox.get('evt_a_1'))!;
    await retryDelivery(deps, deliveryIdOf('library', 'evt_a_1'));
    const secondImage = (await deps.outbox.get('evt_a_1'))!;
    // The first record is relayed after the second retry was written: it must not settle that one away.
    await relayToQueues(deps, firstImage, false);
    expect((await deps.outbox.pending(10)).map((e) => e.retryFor)).toEqual([['platform', 'library']]);
    // The second record (its old image pending for the platform) queues the library only, and settles.
    await relayToQueues(deps, secondImage, false, firstImage.retryFor);
    expect(queued).toEqual(['platform', 'library']);
    expect(await deps.outbox.pending(10)).toEqual([]);
  });

  it('delivers a queued event once, and answers how long to hold it back after a failure (30 s, then 60 s)', async () => {
    const deps = setup([503, 503]);
    deps.relayPolicy = { baseMs: 30_000, capMs: 43_200_000, maxAttempts: 13 };
    deps.outbox.add([event('a', 1)]);
    const first = await deliverQueued(deps, 'platform', 'evt_a_1', 1);
    const second = await deliverQueued(deps, 'platform', 'evt_a_1', 2);
    expect(first).toEqual({ done: false, retryInSeconds: 30 });
    expect(second).toEqual({ done: false, retryInSeconds: 60 });
    expect(await deliverQueued(deps, 'platform', 'evt_a_1', 3)).toEqual({ done: true });
    // Received again (SQS is at least once): not posted twice.
    expect(await deliverQueued(deps, 'platform', 'evt_a_1', 4)).toEqual({ done: true });
    expect(deps.webhooks.posts).toHaveLength(3);
  });

  it('records a callback whose output Step Functions refuses (InvalidOutput) as final, not retried forever', async () => {
    const deps = setup();
    deps.workflow.sendSuccess = async () => {
      throw Object.assign(new Error('too large'), { name: 'InvalidOutput' });
    };
    deps.outbox.add([{ id: 'cb1', applicationId: 'a', seq: 1, occurredAt: 't', callback: { kind: 'success', taskToken: 'tok', output: {} } }]);
    await relayPending(deps);
    expect((await deps.outbox.get('cb1'))!.result).toBe('InvalidOutput');
    expect(await deps.outbox.pending(10)).toEqual([]);
  });

  it('backs a queued callback off by its receive count (the entry has left the pending index, so it records no attempts): a minute by the tenth receive', async () => {
    const deps = setup();
    deps.workflow.sendSuccess = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    };
    deps.outbox.add([{ id: 'cb1', applicationId: 'a', seq: 1, occurredAt: 't', callback: { kind: 'success', taskToken: 'tok', output: {} } }]);
    for (const entry of await deps.outbox.pending(10)) await relayToQueues(deps, entry, true);
    expect(await deliverQueued(deps, 'callbacks', 'cb1', 1)).toEqual({ done: false, retryInSeconds: 1 });
    expect(await deliverQueued(deps, 'callbacks', 'cb1', 5)).toEqual({ done: false, retryInSeconds: 4 });
    expect(await deliverQueued(deps, 'callbacks', 'cb1', 10)).toEqual({ done: false, retryInSeconds: 60 });
  });
});
