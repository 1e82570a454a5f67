import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkingCalendar, chinaDate, endOfChinaDay } from '#shared/domain/calendar.ts';
import {
  as, Client, complete, ENTERPRISE_CODE, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, PHARMACY_MATERIALS, pharmacistBody, pharmacyBody,
  startPlatform, TEST_NOW, uploadAll, waitForStatus, waitForTask, type Platform,
} from '../support/platform.ts';
import { statsPeriod } from '#shared/usecases/supervision.ts';
import { recountStatistics, scanApplications } from '../support/recount.ts';
import { ready } from '#shared/wiring.ts';

/**
 * Electronic supervision through HTTP, with the dev clock: the tests of this file share one
 * platform and one clock, which only moves forward, so they run in order.
 */
let platform: Platform;
let anon: Client;
let supervisor: Client;
let applicant: Client;
let clerk: Client;
const cal = new WorkingCalendar();
const created: string[] = [];

beforeAll(async () => {
  platform = await startPlatform();
  anon = new Client(platform.url);
  supervisor = await as(platform.url, { sub: 'supervisor-001', role: 'supervisor' });
  applicant = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
  clerk = await as(platform.url, officers.clerk);
});
afterAll(async () => {
  await platform?.close();
});

const scan = async () => (await anon.post('/dev/supervision/scan')).body as { read: number; yellow: number; red: number; casesOpened: number; deemedAccepted: number };
const setClock = async (iso: string) => expect((await anon.post('/dev/clock', { now: iso })).status).toBe(200);
async function submitPharmacy() {
  const r = await applicant.post('/v1/applications', pharmacyBody(await uploadAll(applicant, PHARMACY_MATERIALS)), { 'Idempotency-Key': newKey() });
  expect(r.status).toBe(201);
  created.push(r.body.applicationId);
  return r.body.applicationId as string;
}

describe('the supervision scan', () => {
  it('reads only what is due: thirty fresh applications cost it nothing', async () => {
    await setClock(TEST_NOW);
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push(await submitPharmacy());
    await waitForTask(clerk, ids[29], 'acceptance');
    expect(await scan()).toEqual({ read: 0, yellow: 0, red: 0, casesOpened: 0, deemedAccepted: 0, failed: 0 });
  });

  it('turns an untouched acceptance yellow, then red with one case, and deems it accepted from the day of receipt', async () => {
    // Submitted Monday 1 June 2026: acceptance is due at the end of Monday 8 June (5 working days).
    const first = created[0];
    const task = await waitForTask(clerk, first, 'acceptance');
    expect(task.dueAt).toBe('2026-06-08T15:59:59.999Z');

    await setClock('2026-06-05T02:00:00Z'); // Friday: one working day left
    const yellow = await scan();
    expect(yellow.yellow).toBe(30);
    expect(yellow.red).toBe(0);
    expect((await scan()).yellow).toBe(0); // idempotent
    const lights = await supervisor.get('/v1/supervision/lights?color=yellow&dept=drug');
    expect(lights.body.lights).toHaveLength(30);

    await setClock('2026-06-09T02:00:00Z'); // Tuesday: overdue
    const red = await scan();
    expect(red).toMatchObject({ red: 30, casesOpened: 30, deemedAccepted: 30 });
    expect(await scan()).toMatchObject({ red: 0, casesOpened: 0, deemedAccepted: 0 });

    const cases = (await supervisor.get('/v1/supervision/cases')).body.cases.filter((c: { applicationId: string }) => c.applicationId === first);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ kind: 'overdue', step: 'acceptance', dept: 'drug', rank: 'clerk' });

    const app = (await applicant.get(`/v1/applications/${first}`)).body;
    expect(app.status).toBe('accepted');
    expect(app.acceptedAt).toBe(app.submittedAt); // deemed accepted from the day of receipt
    expect(app.timeline.map((e: { action: string }) => e.action)).toEqual(['submitted', 'supervision.yellow', 'supervision.red', 'supervision.case-opened', 'acceptance.accept']);
    expect(app.due.promisedAt).toBe(endOfChinaDay(cal.addWorkingDays('2026-06-01', 10)).toISOString());
    await waitForTask(clerk, first, 'review'); // the flow moved on
    const audit = await supervisor.get(`/v1/applications/${first}/audit`);
    expect(audit.body.intact).toBe(true);
  });
});

describe('suspension and extension', () => {
  it('never turns a suspended application red, and moves its due dates by exactly the paused working days', async () => {
    const id = created[1];
    await waitForTask(clerk, id, 'review');
    const before = (await applicant.get(`/v1/applications/${id}`)).body;
    const chief = await as(platform.url, officers.chief);
    expect((await clerk.post(`/v1/applications/${id}/suspend`, { kind: 'expert-review', reason: '组织专家评审' })).status).toBe(403);
    const suspended = await chief.post(`/v1/applications/${id}/suspend`, { kind: 'expert-review', reason: '组织专家对仓储条件进行评审' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', clockPaused: true });
    const review = await waitForTask(clerk, id, 'review');
    expect((await clerk.post(`/v1/tasks/${review.taskId}/complete`, { outcome: 'pass' })).status).toBe(409);

    // Far past the promised and the legal limit: still not red while suspended.
    await setClock('2026-07-20T02:00:00Z');
    await scan();
    const lights = (await supervisor.get('/v1/supervision/lights?color=red')).body.lights;
    expect(lights.some((t: { applicationId: string }) => t.applicationId === id)).toBe(false);

    const resumed = await chief.post(`/v1/applications/${id}/resume`);
    expect(resumed.status).toBe(200);
    const paused = cal.workingDaysBetween('2026-06-09', '2026-07-20');
    const moved = (iso: string) => endOfChinaDay(cal.addWorkingDays(chinaDate(new Date(iso)), paused)).toISOString();
    expect(resumed.body.due).toEqual({ promisedAt: moved(before.due.promisedAt), legalAt: moved(before.due.legalAt), calendar: 'official' });
    expect((await waitForTask(clerk, id, 'review')).dueAt).toBe(resumed.body.due.promisedAt);

    const director = await as(platform.url, officers.director);
    expect((await chief.post(`/v1/applications/${id}/extend`, { reason: '情况复杂' })).status).toBe(403);
    const extended = await director.post(`/v1/applications/${id}/extend`, { reason: '需补充现场核查，经副局长批准延长十个工作日' });
    expect(extended.status).toBe(200);
    expect(extended.body.due.legalAt).toBe(endOfChinaDay(cal.addWorkingDays(chinaDate(new Date(resumed.body.due.legalAt)), 10)).toISOString());
    expect((await director.post(`/v1/applications/${id}/extend`, { reason: '再次延期' })).status).toBe(409);
  });
});

describe('evaluations and statistics', () => {
  it('takes one evaluation after completion; a bad one opens a follow-up case', async () => {
    const person = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    const r = await person.post('/v1/applications', pharmacistBody(await uploadAll(person, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
    created.push(r.body.applicationId);
    const id = r.body.applicationId;
    expect((await person.post(`/v1/applications/${id}/evaluation`, { score: 5 })).status).toBe(409); // not completed yet
    await complete(clerk, id, 'acceptance', { outcome: 'accept' });
    await waitForStatus(person, id, 'completed');
    expect((await person.post(`/v1/applications/${id}/evaluation`, { score: 9 })).status).toBe(422);
    const rated = await person.post(`/v1/applications/${id}/evaluation`, { score: 2, comment: '证照下载链接过期太快' });
    expect(rated.status).toBe(201);
    expect(rated.body.evaluation.score).toBe(2);
    expect((await person.post(`/v1/applications/${id}/evaluation`, { score: 5 })).status).toBe(409);
    const cases = (await supervisor.get('/v1/supervision/cases')).body.cases;
    expect(cases.find((c: { kind: string; applicationId: string }) => c.kind === 'evaluation' && c.applicationId === id)).toBeDefined();
  });

  it('adds up to the applications this test made', async () => {
    const stats = await supervisor.get('/v1/supervision/stats?from=2026-01-01T00:00:00%2B08:00&to=2027-01-01T00:00:00%2B08:00');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ submitted: created.length, accepted: 31, completed: 1, refused: 0, approved: 1, averageEvaluation: 2, zeroVisitRate: 1, fullyOnlineRate: 1 });
    const drugOnly = await supervisor.get('/v1/supervision/stats?from=2026-01-01T00:00:00%2B08:00&to=2027-01-01T00:00:00%2B08:00&itemCode=pharmacist-registration');
    expect(drugOnly.body.submitted).toBe(1);
    expect(drugOnly.body.sameDayCompletionRate).toBe(1);
    expect((await supervisor.get('/v1/supervision/stats?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(422);
    expect((await applicant.get('/v1/supervision/stats?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z')).status).toBe(403);
  });

  it('reads daily buckets that equal a recount of the applications themselves, also as CSV', async () => {
    // The recount reads every application of the year from the platform's DynamoDB (this process wires the same tables).
    const deps = await ready();
    const period = statsPeriod(new Date(TEST_NOW), '2026-01-01', '2026-12-31');
    const query = '/v1/supervision/stats?from=2026-01-01&to=2026-12-31';
    const applications = await scanApplications();
    const all = await recountStatistics(deps, applications, period);
    expect(all.submitted).toBe(created.length);
    expect((await supervisor.get(query)).body).toEqual(all);
    for (const filter of [{ itemCode: 'pharmacist-registration' }, { itemCode: 'pharmacy-retail-license' }, { dept: 'drug' }, { dept: 'transport' }]) {
      const [key, value] = Object.entries(filter)[0];
      expect((await supervisor.get(`${query}&${key}=${value}`)).body).toEqual(await recountStatistics(deps, applications, { ...period, ...filter }));
    }

    const csv = await supervisor.request<string>('GET', query, undefined, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((line) => line.split(','));
    const header = rows[0];
    const total = Object.fromEntries(header.map((h, i) => [h, rows.at(-1)![i]]));
    expect(total).toMatchObject({ itemName: '合计', submitted: String(all.submitted), accepted: String(all.accepted), completed: String(all.completed), averageEvaluation: String(all.averageEvaluation), blockedAttempts: String(all.blockedAttempts) });
    // One row per item with applications, whose counts add up to the total.
    const items = rows.slice(1, -1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    expect(items.map((r) => r.itemCode)).toContain('pharmacist-registration');
    expect(items.reduce((s, r) => s + Number(r.submitted), 0)).toBe(all.submitted);
  });
});
