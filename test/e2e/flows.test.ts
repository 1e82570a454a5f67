import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, bodyFor, Client, complete, ENTERPRISE_CODE, enterpriseApplicant, newKey, startPlatform, waitForStatus, waitForTask, type Platform } from '../support/platform.ts';

/** Each flow of the demo city to each of its ends, through HTTP. */
let platform: Platform;
let applicant: Client;
beforeAll(async () => {
  platform = await startPlatform();
  applicant = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
});
afterAll(async () => {
  await platform?.close();
});

const officer = (dept: string, rank = 'clerk') => as(platform.url, { sub: `${dept}-${rank}-01`, role: 'officer', dept, rank });

async function submit(itemCode: string, extra: Record<string, unknown> = {}) {
  const r = await applicant.post('/v1/applications', await bodyFor(applicant, itemCode, enterpriseApplicant, extra), { 'Idempotency-Key': newKey() });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.applicationId as string;
}

describe('joint review (并联审批): over-limit transport permit', () => {
  it('asks transport, highway and traffic police at once, then the decider approves', async () => {
    const id = await submit('oversize-transport-permit');
    await complete(await officer('transport'), id, 'acceptance', { outcome: 'accept' });
    const [transport, highway, police] = await Promise.all([officer('transport'), officer('highway'), officer('traffic-police')]);
    // All three tasks are open at the same time, each in its own department's inbox.
    const tasks = await Promise.all([waitForTask(transport, id, 'joint-review'), waitForTask(highway, id, 'joint-review'), waitForTask(police, id, 'joint-review')]);
    expect(tasks.map((t) => t.dept)).toEqual(['transport', 'highway', 'traffic-police']);
    for (const [client, task] of [[transport, tasks[0]], [highway, tasks[1]], [police, tasks[2]]] as const) {
      expect((await client.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'pass', opinion: '同意通行' })).status).toBe(200);
    }
    await complete(await officer('transport', 'chief'), id, 'decision', { outcome: 'approve', opinion: '准予按指定路线、时间通行' });
    const app = await waitForStatus(applicant, id, 'completed');
    expect(app.timeline.filter((e: { action: string }) => e.action === 'joint-review.pass')).toHaveLength(3);
    // Joint review: the legal limit is 45 working days.
    expect(Date.parse(app.due.legalAt) - Date.parse(app.acceptedAt)).toBeGreaterThan(45 * 86400_000);
  });

  it('is denied by one department’s objection, with its reasons', async () => {
    const id = await submit('oversize-transport-permit');
    await complete(await officer('transport'), id, 'acceptance', { outcome: 'accept' });
    await complete(await officer('transport'), id, 'joint-review', { outcome: 'pass' });
    await complete(await officer('highway'), id, 'joint-review', { outcome: 'fail', opinion: 'G110线K12处桥梁限载40吨，不能通行' });
    await complete(await officer('traffic-police'), id, 'joint-review', { outcome: 'pass' });
    const app = await waitForStatus(applicant, id, 'denied');
    expect(app.decision.reason).toContain('市公路管理段：G110线K12处桥梁限载40吨');
    expect(app.decision.remedies).toContain('行政诉讼');
  });
});

describe('referral (往上走): drug wholesale license', () => {
  it('is accepted and reviewed by the city and decided by the province, whose answer comes through the API', async () => {
    const id = await submit('drug-wholesale-license');
    const clerk = await officer('drug');
    await complete(clerk, id, 'acceptance', { outcome: 'accept' });
    await complete(clerk, id, 'review', { outcome: 'pass', opinion: '初审合格，报自治区药监局' });
    await complete(await officer('drug', 'chief'), id, 'referral', { outcome: 'approve', opinion: '自治区药品监督管理局：准予许可（宁药监许〔2026〕88号）' });
    const app = await waitForStatus(applicant, id, 'completed');
    expect(app.licenses).toHaveLength(1);
  });
});

describe('filing (审批改备案): prepackaged food seller', () => {
  it('completes at once with a sealed filing receipt, no officer involved', async () => {
    const id = await submit('catering-filing');
    const app = await waitForStatus(applicant, id, 'completed');
    expect(app.timeline.map((e: { action: string }) => e.action)).toEqual(['submitted', 'license.numbered', 'license.sealed', 'delivery.electronic']);
    const verify = await new Client(platform.url).get(`/v1/licenses/${app.licenses[0].licenseNo}/verify`);
    expect(verify.body).toMatchObject({ valid: true, licenseName: '仅销售预包装食品经营者备案回执' });
  });
});

describe('decided by the deputy director: commercial housing pre-sale permit', () => {
  it('puts the decision in the director’s inbox, not the chief’s', async () => {
    const id = await submit('presale-permit');
    const clerk = await officer('construction');
    await complete(clerk, id, 'acceptance', { outcome: 'accept' });
    await complete(clerk, id, 'review', { outcome: 'pass' });
    await complete(clerk, id, 'inspection', { outcome: 'pass', opinion: '形象进度达到预售条件' });
    const director = await officer('construction', 'director');
    await waitForTask(director, id, 'decision');
    const chiefInbox = await (await officer('construction', 'chief')).get('/v1/tasks?status=open');
    expect(chiefInbox.body.tasks.some((t: { applicationId: string }) => t.applicationId === id)).toBe(false);
    await complete(director, id, 'decision', { outcome: 'approve', opinion: '准予预售' });
    await waitForStatus(applicant, id, 'completed');
  });
});
