import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, bodyFor, Client, complete, ENTERPRISE_CODE, enterpriseApplicant, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, uploadAll, waitForStatus, waitForTask, startPlatform, type Platform } from '../support/platform.ts';
import { Receiver } from '../support/receiver.ts';

/**
 * The calendar never runs out: a year without its official schedule is provisional (its
 * deadlines computed, and said to be provisional); an admin publishes the schedule, and every
 * open deadline that reaches into the year is computed again and recorded on its trail.
 */
let platform: Platform;
let anon: Client;
let admin: Client;
/** The provincial platform, told of each recomputed deadline (issue 15). */
const receiver = new Receiver('calendar-platform-secret');
beforeAll(async () => {
  await receiver.start();
  Object.assign(process.env, { PLATFORM_WEBHOOK_URL: receiver.url, PLATFORM_WEBHOOK_SECRET: 'calendar-platform-secret' });
  platform = await startPlatform();
  anon = new Client(platform.url);
  admin = await as(platform.url, { sub: 'admin-001', role: 'admin' });
});
afterAll(async () => {
  await platform?.close();
  receiver.server?.close();
});

/** The 2027 schedule as the State Council would publish it (春节 2027-02-05 to 02-12 off, adjusted working weekends). */
const SCHEDULE_2027 = {
  holidays: ['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-04-05', '2027-05-03', '2027-05-04', '2027-05-05', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-04', '2027-10-05', '2027-10-06', '2027-10-07'],
  workdays: ['2027-01-31', '2027-02-20', '2027-04-25', '2027-09-26', '2027-10-09'],
  source: '国务院办公厅关于2027年部分节假日安排的通知（测试用）',
};

describe('the calendar', () => {
  it('publishes 2025 and 2026 as official; 2027 is provisional, with its statutory days', async () => {
    expect((await anon.get('/v1/calendar/2026')).body).toMatchObject({ year: 2026, status: 'official', source: expect.stringContaining('2026') });
    const y2027 = (await anon.get('/v1/calendar/2027')).body;
    expect(y2027).toMatchObject({ year: 2027, status: 'provisional', workdays: [] });
    expect(y2027.holidays).toEqual(expect.arrayContaining(['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-10-01']));
    expect((await anon.get('/v1/health')).body.calendar.officialThrough).toBe(2026);
    expect((await anon.get('/v1/calendar/1999')).status).toBe(404);
    expect((await anon.get('/v1/calendar/abcd')).status).toBe(404);
  });

  it('refuses a schedule from anyone but an admin, and a schedule with dates of another year', async () => {
    const officer = await as(platform.url, { sub: 'officer-001', role: 'officer', dept: 'drug', rank: 'clerk' });
    expect((await officer.request('PUT', '/v1/calendar/2027', SCHEDULE_2027)).status).toBe(403);
    expect((await anon.request('PUT', '/v1/calendar/2027', SCHEDULE_2027)).status).toBe(401);
    const wrong = await admin.request('PUT', '/v1/calendar/2027', { ...SCHEDULE_2027, holidays: ['2026-12-31'] });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('calendar.date-outside-year');
    const both = await admin.request('PUT', '/v1/calendar/2027', { ...SCHEDULE_2027, workdays: ['2027-02-05'] });
    expect(both.status).toBe(422);
    expect((await anon.get('/v1/calendar/2027')).body.status).toBe('provisional');
  });

  it('recomputes a joint application’s legal due date when 2027 is published, and records the change', async () => {
    // Prepare: a joint review accepted on 21 December 2026; its 45-working-day legal limit ends in 2027.
    await anon.post('/dev/clock', { now: '2026-12-21T10:00:00+08:00' });
    const applicant = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
    const r = await applicant.post('/v1/applications', await bodyFor(applicant, 'oversize-transport-permit', enterpriseApplicant), { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(201);
    const id = r.body.applicationId;
    await complete(await as(platform.url, { sub: 't-1', role: 'officer', dept: 'transport', rank: 'clerk' }), id, 'acceptance', { outcome: 'accept' });
    const highway = await as(platform.url, { sub: 'h-1', role: 'officer', dept: 'highway', rank: 'clerk' });
    // In joint review: the departments' tasks are open (the flow opens them after the acceptance's callback).
    await waitForTask(highway, id, 'joint-review');
    const before = (await applicant.get(`/v1/applications/${id}`)).body;
    expect(before.due.calendar).toBe('provisional');

    // Act
    const published = await admin.request('PUT', '/v1/calendar/2027', SCHEDULE_2027);

    // Assess
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body).toMatchObject({ year: 2027, status: 'official' });
    expect(published.body.recomputed).toBeGreaterThanOrEqual(1);
    const after = (await applicant.get(`/v1/applications/${id}`)).body;
    expect(after.due.calendar).toBe('official');
    // 春节 2027 takes five more weekdays off than the statutory days alone; the adjusted Saturdays give two back.
    expect(Date.parse(after.due.legalAt)).toBeGreaterThan(Date.parse(before.due.legalAt));
    const supervisor = await as(platform.url, { sub: 'supervisor-001', role: 'supervisor' });
    const trail = (await supervisor.get(`/v1/applications/${id}/audit`)).body;
    expect(trail.intact).toBe(true);
    const recomputed = trail.events.find((e: { action: string }) => e.action === 'deadline.recomputed');
    expect(recomputed.details.changes).toContainEqual({ deadline: 'legalAt', from: before.due.legalAt, to: after.due.legalAt });
    // The platform is told, with the new due times.
    const told = (await receiver.waitFor(id, 'application.deadline-recomputed')).find((e) => e.type === 'application.deadline-recomputed')!;
    expect(told.data.due).toMatchObject({ legalAt: after.due.legalAt, calendar: 'official' });
    expect(receiver.badSignatures).toBe(0);
    // The open joint-review tasks moved with the promised limit.
    const task = (await highway.get('/v1/tasks?status=open')).body.tasks.find((t: { applicationId: string }) => t.applicationId === id);
    expect(task.dueAt).toBe(after.due.promisedAt);
    expect((await anon.get('/v1/calendar/2027')).body).toMatchObject({ status: 'official', source: SCHEDULE_2027.source, workdays: SCHEDULE_2027.workdays });
    expect((await anon.get('/v1/health')).body.calendar.officialThrough).toBe(2027);
    // Publishing the same schedule again changes no deadline.
    expect((await admin.request('PUT', '/v1/calendar/2027', SCHEDULE_2027)).body.recomputed).toBe(0);
  });

  it('recomputes the deferred materials of a completed application, which has no open task, when 2028 is published', async () => {
    // Prepare: a pharmacist registered on the spot on Monday 17 January 2028 with a material deferred
    // (due in 5 working days: 18–21, 24 January on the provisional 2028), sealed and completed.
    await anon.post('/dev/clock', { now: '2028-01-17T10:00:00+08:00' });
    const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    const r = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(201);
    const id = r.body.applicationId;
    await complete(await as(platform.url, officers.clerk), id, 'acceptance', { outcome: 'accept-deferred', deferred: ['employer-license'] });
    const before = await waitForStatus(applicant, id, 'completed', 30_000);
    expect(before.deferred).toMatchObject({ materialCodes: ['employer-license'], dueAt: '2028-01-24T15:59:59.999Z' });
    // The schedule (made up for the test) gives Monday 24 January off before the statutory 春节 days 25–28.
    const provisional = (await anon.get('/v1/calendar/2028')).body;
    expect(provisional.status).toBe('provisional');
    const schedule = { holidays: [...provisional.holidays, '2028-01-24'], workdays: [], source: '国务院办公厅关于2028年部分节假日安排的通知（测试用）' };

    // Act
    const published = await admin.request('PUT', '/v1/calendar/2028', schedule);

    // Assess: the materials are due on the next working day, 31 January; the decision's limits, met, stay as they were.
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body.recomputed).toBeGreaterThanOrEqual(1);
    const after = (await applicant.get(`/v1/applications/${id}`)).body;
    expect(after.deferred.dueAt).toBe('2028-01-31T15:59:59.999Z');
    expect(after.due).toEqual(before.due);
    const supervisor = await as(platform.url, { sub: 'supervisor-001', role: 'supervisor' });
    const trail = (await supervisor.get(`/v1/applications/${id}/audit`)).body;
    expect(trail.intact).toBe(true);
    expect(trail.events.at(-1)).toMatchObject({ action: 'deadline.recomputed', details: { year: 2028, changes: [{ deadline: 'deferredMaterials', from: '2028-01-24T15:59:59.999Z', to: '2028-01-31T15:59:59.999Z' }] } });
  });
});
