import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver, type Received } from '../support/receiver.ts';
import { as, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, startPlatform, uploadAll, waitForStatus, waitForTask, type Platform } from '../support/platform.ts';

/**
 * Events (SPEC rule 15) on the embedded platform, pushed to a real webhook receiver over HTTP:
 * every delivery's signature checked as a subscriber would, every event once per eventId, in seq
 * order per application, also when delivery breaks between commit and send.
 */

/** Once per eventId, seq 1, 2, 3… in the order received. */
function expectOnceInOrder(events: Received[]) {
  expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

const SECRET = 'test-platform-secret';
const receiver = new Receiver(SECRET);
let platform: Platform;
beforeAll(async () => {
  await receiver.start();
  Object.assign(process.env, { PLATFORM_WEBHOOK_URL: receiver.url, PLATFORM_WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_CAP_MS: '400', WEBHOOK_MAX_ATTEMPTS: '5' });
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.close();
  receiver.server?.close();
});

async function submitPharmacist() {
  const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
  const submitted = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
  expect(submitted.status).toBe(201);
  return { applicant, id: submitted.body.applicationId as string };
}

describe('events pushed to the provincial platform', () => {
  it('a receiver that answers 500 three times and then 200 gets every event of a journey, once each, in order, signed, the applicant masked', async () => {
    const clerk = await as(platform.url, officers.clerk);
    receiver.failNext = 3;
    const refusedBefore = receiver.refused;
    const { applicant, id } = await submitPharmacist();
    const task = await waitForTask(clerk, id, 'acceptance');
    expect((await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全' })).status).toBe(200);
    await waitForStatus(applicant, id, 'completed');

    const events = await receiver.waitFor(id, 'application.completed');
    expect(receiver.refused - refusedBefore).toBe(3);
    expect(receiver.badSignatures).toBe(0);
    expectOnceInOrder(events);
    expect(events.map((e) => e.type)).toEqual(['application.submitted', 'application.accepted', 'application.approved', 'application.updated', 'application.issued', 'license.issued', 'application.delivered', 'application.completed']);
    const issued = events.find((e) => e.type === 'license.issued')!;
    expect(issued.data.license).toMatchObject({ number: expect.stringMatching(/^ZYYS-640100-/), issuer: '银川市行政审批服务局', holderCode: '640104********123X' });
    expect(JSON.stringify(events)).not.toContain(PERSON_ID);
    expect(events[0].data.applicant).toEqual({ kind: 'person', id: '640104********123X', name: '马**' });

    // The license library is told of a revocation too, with the license and how it ended.
    const chief = await as(platform.url, officers.chief);
    const licenseNo = issued.data.license.number as string;
    expect((await chief.post(`/v1/licenses/${licenseNo}/revoke`, { reason: '以欺骗手段取得注册', legalBasis: '《中华人民共和国行政许可法》第六十九条' })).status).toBe(200);
    const revoked = (await receiver.waitFor(id, 'license.revoked')).at(-1)!;
    expect(revoked).toMatchObject({ type: 'license.revoked', seq: events.length + 1, data: { license: { number: licenseNo, holderCode: '640104********123X' }, revocation: { kind: 'revoke', statusCode: '03' } } });
  });

  it('with the relay stopped between commit and send, the commit stands, the flow waits, and after the restart every event and the callback arrive once, in order', async () => {
    const clerk = await as(platform.url, officers.clerk);
    const { applicant, id } = await submitPharmacist();
    const task = await waitForTask(clerk, id, 'acceptance');
    await receiver.waitFor(id, 'application.submitted');

    await platform.runtime.relay.stop();
    expect((await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    // Committed: approved; the flow has not been told (no license), and nothing was pushed.
    expect((await applicant.get(`/v1/applications/${id}`)).body).toMatchObject({ status: 'approved' });
    expect(receiver.of(id).map((e) => e.type)).toEqual(['application.submitted']);

    platform.runtime.relay.start();
    await waitForStatus(applicant, id, 'completed');
    const events = await receiver.waitFor(id, 'application.completed');
    expectOnceInOrder(events);
  });

  it('with Step Functions failing after the commit, the events go out, the callback waits in the outbox, and the flow goes on once Step Functions answers', async () => {
    const clerk = await as(platform.url, officers.clerk);
    const { applicant, id } = await submitPharmacist();
    const task = await waitForTask(clerk, id, 'acceptance');
    platform.runtime.sfn.outage.add('SendTaskSuccess');
    try {
      expect((await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全' })).status).toBe(200);
      await receiver.waitFor(id, 'application.approved');
      await new Promise((r) => setTimeout(r, 1500));
      expect((await applicant.get(`/v1/applications/${id}`)).body).toMatchObject({ status: 'approved' });
    } finally {
      platform.runtime.sfn.outage.delete('SendTaskSuccess');
    }
    await waitForStatus(applicant, id, 'completed', 30_000);
    const events = await receiver.waitFor(id, 'application.completed');
    expectOnceInOrder(events);
  });

  it('a subscriber down for a while gets everything after it is back; one down for good leaves dead letters an admin retries', async () => {
    const clerk = await as(platform.url, officers.clerk);
    const admin = await as(platform.url, { sub: 'admin-001', role: 'admin' });
    // Down before the submission: its first event must not slip through before the test knows its id.
    receiver.failFor.add('*');
    const { applicant, id } = await submitPharmacist();
    receiver.failFor.add(id);
    receiver.failFor.delete('*');
    const task = await waitForTask(clerk, id, 'acceptance');
    expect((await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全' })).status).toBe(200);
    // The flow goes on while the subscriber fails: callbacks and webhooks are apart.
    await waitForStatus(applicant, id, 'completed');

    // Every attempt fails: after the 5th, each event is a dead letter.
    let dead: any[] = [];
    for (let i = 0; i < 100 && dead.length < 8; i++) {
      await new Promise((r) => setTimeout(r, 200));
      dead = (await admin.get('/v1/admin/deliveries?status=dead')).body.deliveries.filter((d: { applicationId: string }) => d.applicationId === id);
    }
    expect(dead).toHaveLength(8);
    expect(dead[0]).toMatchObject({ status: 'dead', attempts: 5, subscriber: 'platform', lastError: 'HTTP 500' });
    expect(receiver.of(id)).toEqual([]);

    receiver.failFor.delete(id);
    // Admins (or one admin's double click) retry each dead letter five times at once: one retry
    // claims it, the others get 409, and the subscriber gets each event once.
    const refusals: string[] = [];
    for (const d of [...dead].sort((a, b) => a.seq - b.seq)) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => admin.post(`/v1/admin/deliveries/${d.deliveryId}/retry`, {})));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
      refusals.push(...answers.filter((a) => a.status === 409).map((a) => a.body.code));
    }
    // Those that read the dead letter before the claim are refused by the claim's condition; later ones see it is dead no more.
    // (Which of the two a refusal gets depends on timing; the unit test interleaves the claims deterministically.)
    expect(refusals.filter((c) => c !== 'delivery.already-retried' && c !== 'delivery.not-dead')).toEqual([]);
    const events = await receiver.waitFor(id, 'application.completed');
    await new Promise((r) => setTimeout(r, 1000)); // a second delivery would follow the first within the relay's next passes
    expectOnceInOrder(receiver.of(id));
    expect(receiver.of(id)).toHaveLength(events.length);
    expect((await admin.post(`/v1/admin/deliveries/${dead[0].deliveryId}/retry`, {})).status).toBe(409);
    expect((await admin.post('/v1/admin/deliveries/dlv_nope/retry', {})).status).toBe(404);
  });

  it('20 racing completions of one task give one outcome, and one event of it', async () => {
    const clerk = await as(platform.url, officers.clerk);
    const { applicant, id } = await submitPharmacist();
    const task = await waitForTask(clerk, id, 'acceptance');
    const answers = await Promise.all(Array.from({ length: 20 }, () => clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全' })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status !== 200).every((a) => a.status === 409)).toBe(true);
    await waitForStatus(applicant, id, 'completed');
    const events = await receiver.waitFor(id, 'application.completed');
    expect(events.filter((e) => e.type === 'application.accepted')).toHaveLength(1);
    expectOnceInOrder(events);
  });
});

describe('a flow that fails and is redriven (last: it moves the dev clock a year on)', () => {
  it('is told as application.flow-failed, then application.flow-redriven, and its events go on in order', async () => {
    const clerk = await as(platform.url, officers.clerk);
    const admin = await as(platform.url, { sub: 'admin-001', role: 'admin' });
    const { applicant, id } = await submitPharmacist();
    await waitForTask(clerk, id, 'acceptance');
    // The callback's timeout is 360 days.
    await applicant.post('/dev/clock', { advance: { hours: 361 * 24 } });
    const failed = await receiver.waitFor(id, 'application.flow-failed');
    expect(failed.at(-1)).toMatchObject({ type: 'application.flow-failed', data: { flowError: { error: expect.stringMatching(/^States\./) } } });
    expect((await admin.post(`/v1/applications/${id}/redrive`, {})).status).toBe(200);
    await receiver.waitFor(id, 'application.flow-redriven');
    const task = await waitForTask(clerk, id, 'acceptance');
    expect((await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全' })).status).toBe(200);
    await waitForStatus(applicant, id, 'completed');
    expectOnceInOrder(await receiver.waitFor(id, 'application.completed'));
  });
});

describe('GET /v1/events', () => {
  it('gives the platform the same events in commit order, page by page, and refuses a bad cursor and an applicant', async () => {
    const platformClient = await as(platform.url, { sub: 'provincial-platform', role: 'platform' });
    const { id } = await submitPharmacist();
    await receiver.waitFor(id, 'application.submitted');
    await new Promise((r) => setTimeout(r, 1200)); // the feed shows an event a second after its commit

    const all: Received[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await platformClient.get(`/v1/events?limit=7${after ? `&after=${after}` : ''}`);
      expect(r.status).toBe(200);
      all.push(...r.body.events);
      if (!r.body.events.length) break;
      after = r.body.next;
    }
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
    for (const app of new Set(all.map((e) => e.applicationId))) {
      const seqs = all.filter((e) => e.applicationId === app).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    expect(all.filter((e) => e.applicationId === id).map((e) => e.eventId)).toEqual(receiver.of(id).map((e) => e.eventId));

    const supervisor = await as(platform.url, { sub: 'sup-001', role: 'supervisor' });
    expect((await supervisor.get('/v1/events?limit=1')).status).toBe(200);
    expect((await platformClient.get('/v1/events?after=bm9wZQ')).body).toMatchObject({ status: 422, code: 'events.invalid-cursor' });
    const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    expect((await applicant.get('/v1/events')).status).toBe(403);
  });

  it('answers a well-formed cursor ahead of the feed with no events and the same cursor, never a 5xx', async () => {
    const platformClient = await as(platform.url, { sub: 'provincial-platform', role: 'platform' });
    const ahead = Buffer.from('2099-01-01T00:00:00.000Z#app_x#000000001#evt_x').toString('base64url');
    const r = await platformClient.get(`/v1/events?after=${ahead}&limit=5`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ events: [], next: ahead });
  });
});
