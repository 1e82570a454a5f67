import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, Client, complete, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, submitPharmacy, uploadAll, waitForStatus, waitForTask, type Platform, startPlatform } from '../support/platform.ts';

/**
 * A waiting flow follows the dev clock: moved past a callback's timeout it times out as it would
 * on AWS, and ends cleanly (its task closes, the application shows it, a case opens); an admin
 * redrives it from the state that failed. A suspension, however long, does not kill it.
 */
let platform: Platform;
let admin: Client;
let supervisor: Client;
beforeAll(async () => {
  platform = await startPlatform();
  admin = await as(platform.url, { sub: 'admin-001', role: 'admin' });
  supervisor = await as(platform.url, { sub: 'supervisor-001', role: 'supervisor' });
});
afterAll(async () => {
  await platform?.close();
});

const DAY_HOURS = 24;
const clock = (body: unknown) => new Client(platform.url).post('/dev/clock', body);

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a callback past its timeout', () => {
  it('times the flow out, closes its task, shows flow: failed, opens a case; a redrive lets it complete', async () => {
    // Prepare: an application waiting for acceptance.
    const { applicant, id } = await submitPharmacy(platform.url);
    const clerk = await as(platform.url, officers.clerk);
    const chief = await as(platform.url, officers.chief);
    const stale = await waitForTask(clerk, id, 'acceptance');
    expect((await admin.post(`/v1/applications/${id}/redrive`)).body.code).toBe('flow.not-failed');

    // Act: a year passes (the callback's TimeoutSeconds is 360 days).
    expect((await clock({ advance: { hours: 361 * DAY_HOURS } })).status).toBe(200);

    // Assess: the flow failed cleanly.
    const failed = await until(() => applicant.get(`/v1/applications/${id}`).then((r) => r.body), (a) => a.flow === 'failed');
    // Nobody heartbeats a person's step: its HeartbeatSeconds (a day short of the timeout) ends it first.
    expect(failed).toMatchObject({ flow: 'failed', flowError: { error: expect.stringMatching(/^States\.(Heartbeat)?Timeout$/) } });
    expect((await clerk.get('/v1/tasks?status=open')).body.tasks.some((t: { applicationId: string }) => t.applicationId === id)).toBe(false);
    const late = await clerk.post(`/v1/tasks/${stale.taskId}/complete`, { outcome: 'accept' });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('task.flow-ended');
    expect((await applicant.get(`/v1/applications/${id}`)).body.status).toBe('submitted');
    const cases = (await supervisor.get('/v1/supervision/cases')).body.cases.filter((c: { applicationId: string }) => c.applicationId === id);
    expect(cases).toEqual([expect.objectContaining({ kind: 'flow-failed', dept: 'drug', step: 'acceptance', status: 'open' })]);
    const trail = (await supervisor.get(`/v1/applications/${id}/audit`)).body;
    expect(trail.intact).toBe(true);
    expect(trail.events.map((e: { action: string }) => e.action)).toContain('flow.failed');

    // Redrive: only an admin; the acceptance opens again with a new task, and the flow goes on to the end.
    expect((await clerk.post(`/v1/applications/${id}/redrive`)).status).toBe(403);
    const redriven = await admin.post(`/v1/applications/${id}/redrive`);
    expect(redriven.status, JSON.stringify(redriven.body)).toBe(200);
    expect(redriven.body.flow).not.toBe('failed');
    const fresh = await waitForTask(clerk, id, 'acceptance');
    expect(fresh.taskId).not.toBe(stale.taskId);
    await complete(clerk, id, 'acceptance', { outcome: 'accept' });
    await complete(clerk, id, 'review', { outcome: 'pass' });
    await complete(clerk, id, 'inspection', { outcome: 'pass' });
    await complete(chief, id, 'decision', { outcome: 'approve', opinion: '准予许可' });
    const app = await waitForStatus(applicant, id, 'completed');
    expect(app.flow).toBe('succeeded');
    expect(app.timeline.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['flow.failed', 'flow.redriven', 'license.sealed']));
  });
});

describe('a long suspension', () => {
  it('does not kill the waiting flow: 200 days later it resumes and completes', async () => {
    const { applicant, id } = await submitPharmacy(platform.url);
    const clerk = await as(platform.url, officers.clerk);
    const chief = await as(platform.url, officers.chief);
    await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'acceptance')).taskId}/complete`, { outcome: 'accept' });
    await waitForTask(clerk, id, 'review');
    expect((await chief.post(`/v1/applications/${id}/suspend`, { kind: 'expert-review', reason: '组织专家评审' })).status).toBe(200);

    expect((await clock({ advance: { hours: 200 * DAY_HOURS } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // a tick of the runtime
    expect((await applicant.get(`/v1/applications/${id}`)).body).toMatchObject({ status: 'suspended', flow: 'waiting' });
    expect((await chief.post(`/v1/applications/${id}/resume`)).status).toBe(200);
    await complete(clerk, id, 'review', { outcome: 'pass' });
    await complete(clerk, id, 'inspection', { outcome: 'pass' });
    await complete(chief, id, 'decision', { outcome: 'approve', opinion: '准予许可' });
    expect((await waitForStatus(applicant, id, 'completed')).flow).toBe('succeeded');
  });
});

describe('an instant item nobody accepted within 5 working days', () => {
  it('is deemed accepted, not decided: its decider decides, then it is sealed', async () => {
    const person = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    const r = await person.post('/v1/applications', pharmacistBody(await uploadAll(person, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(201);
    const id = r.body.applicationId;
    await waitForTask(await as(platform.url, officers.clerk), id, 'acceptance');

    expect((await clock({ advance: { workingDays: 7 } })).status).toBe(200);
    expect((await new Client(platform.url).post('/dev/supervision/scan')).body.deemedAccepted).toBeGreaterThanOrEqual(1);

    const deemed = await waitForStatus(person, id, 'accepted');
    expect(deemed.decision).toBeUndefined();
    const chief = await as(platform.url, officers.chief);
    const decision = await waitForTask(chief, id, 'decision');
    expect((await chief.post(`/v1/tasks/${decision.taskId}/complete`, { outcome: 'approve', opinion: '准予注册' })).status).toBe(200);
    const app = await waitForStatus(person, id, 'completed');
    expect(app.decision).toMatchObject({ outcome: 'approve', by: officers.chief.sub });
    expect(app.licenses).toHaveLength(1);
  });
});
