import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as, bodyFor, Client, ENTERPRISE_CODE, enterpriseApplicant, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, PHARMACY_MATERIALS,
  pharmacistBody, pharmacyBody, startPlatform, upload, pdfBytes, uploadAll, waitForStatus, waitForTask, type Platform,
} from '../support/platform.ts';

/**
 * The key journeys at several instants of real time, not only at the suite's pinned day: the
 * last weeks of a year whose successor has no official schedule yet, a new year, a Golden Week
 * years ahead, and today. A deadline that reaches a year without its official schedule is
 * computed on the provisional calendar (weekends and statutory days) and says so.
 */
let platform: Platform;
let applicant: Client;
let person: Client;
beforeAll(async () => {
  platform = await startPlatform();
  applicant = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
  person = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
});
afterAll(async () => {
  await platform?.close();
});

const officer = (dept: string, rank = 'clerk') => as(platform.url, { sub: `${dept}-${rank}-01`, role: 'officer', dept, rank });
const OPINION: Record<string, Record<string, unknown>> = {
  acceptance: { outcome: 'accept' },
  review: { outcome: 'pass', opinion: '审查合格' },
  inspection: { outcome: 'pass', opinion: '现场核查合格' },
  'joint-review': { outcome: 'pass', opinion: '同意' },
  decision: { outcome: 'approve', opinion: '准予许可' },
};

/** Completes every open task of the application in these inboxes, step after step, until it completes. */
async function drive(id: string, inboxes: Client[], until = 'completed') {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const app = (await applicant.get(`/v1/applications/${id}`)).body;
    if (app.status === until) return app;
    expect(app.flow, JSON.stringify(app.flowError ?? '')).not.toBe('failed');
    for (const inbox of inboxes) {
      for (const task of (await inbox.get('/v1/tasks?status=open')).body.tasks.filter((t: { applicationId: string }) => t.applicationId === id)) {
        const r = await inbox.post(`/v1/tasks/${task.taskId}/complete`, OPINION[task.step]);
        expect([200, 409], JSON.stringify(r.body)).toContain(r.status);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id} did not reach ${until}`);
}

async function submitAs(client: Client, body: unknown) {
  const r = await client.post('/v1/applications', body, { 'Idempotency-Key': newKey() });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.applicationId as string;
}

const chinaDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
const today = new Date().toISOString();

describe.each([
  ['2026-12-21T10:00:00+08:00', 'the last full week of 2026'],
  ['2026-12-28T10:00:00+08:00', 'the last days of 2026'],
  ['2027-02-01T10:00:00+08:00', 'a year whose schedule is not published'],
  ['2030-09-20T10:00:00+08:00', 'before the 2030 Golden Week'],
  [today, 'the real current date'],
])('at %s (%s)', (now) => {
  beforeAll(async () => {
    expect((await new Client(platform.url).post('/dev/clock', { now })).status).toBe(200);
  });

  it('an instant item is accepted and sealed in one step, its deadlines computed', async () => {
    const id = await submitAs(person, pharmacistBody(await uploadAll(person, PHARMACIST_MATERIALS)));
    const clerk = await as(platform.url, officers.clerk);
    const task = await waitForTask(clerk, id, 'acceptance');
    expect(Date.parse(task.dueAt)).toBeGreaterThan(Date.parse(now));
    expect((await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept' })).status).toBe(200);
    const app = await waitForStatus(person, id, 'completed');
    expect(app.flow).toBe('succeeded');
    expect(app.due.calendar).toMatch(/^(official|provisional)$/);
    // The legal limit of 20 working days ends on a working day after acceptance.
    expect(Date.parse(app.due.legalAt)).toBeGreaterThan(Date.parse(app.acceptedAt) + 20 * 86400_000);
    const verify = await new Client(platform.url).get(`/v1/licenses/${app.licenses[0].licenseNo}/verify`);
    expect(verify.body).toMatchObject({ valid: true, signatureValid: true });
  });

  it('a promised item goes through a correction and a suspension to its license', async () => {
    const clerk = await officer('drug');
    const chief = await officer('drug', 'chief');
    const id = await submitAs(applicant, pharmacyBody(await uploadAll(applicant, PHARMACY_MATERIALS)));
    const acceptance = await waitForTask(clerk, id, 'acceptance');
    await clerk.post(`/v1/tasks/${acceptance.taskId}/complete`, { outcome: 'correction', items: [{ materialCode: 'premises-plan', reason: '平面图未标注仓储区域' }] });
    await waitForStatus(applicant, id, 'correcting');
    const corrected = await applicant.post(`/v1/applications/${id}/corrections`, { materials: [{ materialCode: 'premises-plan', uploadId: await upload(applicant, pdfBytes('plan v2')) }] });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    await drive(id, [clerk], 'accepted');
    const review = await waitForTask(clerk, id, 'review');
    await clerk.post(`/v1/tasks/${review.taskId}/complete`, OPINION.review);
    await waitForTask(clerk, id, 'inspection');

    const before = (await applicant.get(`/v1/applications/${id}`)).body;
    expect((await chief.post(`/v1/applications/${id}/suspend`, { kind: 'testing', reason: '送检样品' })).status).toBe(200);
    // Three working days pass while the clock stands still; resuming moves the deadlines by as many.
    expect((await new Client(platform.url).post('/dev/clock', { advance: { workingDays: 3 } })).status).toBe(200);
    const resumed = await chief.post(`/v1/applications/${id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.suspensions[0].workingDays).toBe(3);
    expect(Date.parse(resumed.body.due.legalAt)).toBeGreaterThan(Date.parse(before.due.legalAt));

    const app = await drive(id, [clerk, chief]);
    expect(app.timeline.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['acceptance.correction', 'corrected', 'acceptance.accept', 'suspended', 'resumed', 'decision.approve', 'license.sealed']));
    expect((await new Client(platform.url).post('/dev/clock', { now })).status).toBe(200);
  });

  it('a joint review asks three departments at once and runs on a 45-day legal limit', async () => {
    const id = await submitAs(applicant, await bodyFor(applicant, 'oversize-transport-permit', enterpriseApplicant));
    const app = await drive(id, await Promise.all([officer('transport'), officer('highway'), officer('traffic-police'), officer('transport', 'chief')]));
    expect(app.timeline.filter((e: { action: string }) => e.action === 'joint-review.pass')).toHaveLength(3);
    expect(Date.parse(app.due.legalAt) - Date.parse(app.acceptedAt)).toBeGreaterThan(45 * 86400_000);
    // A legal limit that reaches a year without its official schedule says so.
    const officialThrough = (await new Client(platform.url).get('/v1/health')).body.calendar.officialThrough;
    expect(app.due.calendar).toBe(Number(chinaDay(app.due.legalAt).slice(0, 4)) > officialThrough ? 'provisional' : 'official');
  });

  it('a batch seals every license of one application', async () => {
    const hospital = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
    const id = await submitAs(hospital, await bodyFor(hospital, 'radiation-worker-certificate', enterpriseApplicant, { quantity: 5 }));
    const app = await drive(id, [await officer('health'), await officer('health', 'chief')]);
    expect(app.licenses).toHaveLength(5);
  });
});
