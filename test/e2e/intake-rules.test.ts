import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFNClient, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  as, bodyFor, Client, complete, ENTERPRISE_CODE, enterpriseApplicant, newKey, officers, pdfBytes, PHARMACY_MATERIALS, pharmacyBody,
  startPlatform, upload, uploadAll, waitForStatus, waitForTask, type Platform,
} from '../support/platform.ts';

/** SPEC rules 3, 4, 7, 12 and batches, through the HTTP API on the embedded stack. */
let platform: Platform;
let applicant: Client;
let clerk: Client;
beforeAll(async () => {
  platform = await startPlatform();
  applicant = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
  clerk = await as(platform.url, officers.clerk);
});
afterAll(async () => {
  await platform?.close();
});

async function submitPharmacy() {
  const r = await applicant.post('/v1/applications', pharmacyBody(await uploadAll(applicant, PHARMACY_MATERIALS)), { 'Idempotency-Key': newKey() });
  expect(r.status).toBe(201);
  return r.body.applicationId as string;
}

describe('correction (补正)', () => {
  it('tells everything to correct at once, waits for the applicant, then comes back to acceptance', async () => {
    const id = await submitPharmacy();
    await complete(clerk, id, 'acceptance', {
      outcome: 'correction',
      items: [
        { materialCode: 'premises-plan', reason: '平面布置图未标注仓库面积' },
        { field: 'businessScope', reason: '经营范围应与营业执照一致' },
      ],
    });
    const correcting = await waitForStatus(applicant, id, 'correcting');
    expect(correcting.corrections.items).toHaveLength(2);
    expect(correcting.acceptedAt).toBeUndefined(); // the decision clock has not started

    // A correction that still misses something is told so, all at once, and changes nothing.
    const stillBad = await applicant.post(`/v1/applications/${id}/corrections`, { form: { businessScope: '', pharmacistCount: -1 } });
    expect(stillBad.status).toBe(422);
    expect(stillBad.body.errors.map((e: { code: string }) => e.code).sort()).toEqual(['form.required', 'form.type']);
    expect((await applicant.get(`/v1/applications/${id}`)).body.status).toBe('correcting');

    const plan = await upload(applicant, pdfBytes('premises plan with areas'), 'plan.pdf');
    const corrected = await applicant.post(`/v1/applications/${id}/corrections`, { materials: [{ materialCode: 'premises-plan', uploadId: plan }], form: { businessScope: '处方药、非处方药' } });
    expect(corrected.status).toBe(200);
    expect(corrected.body.status).toBe('submitted');
    expect(corrected.body.form.businessScope).toBe('处方药、非处方药');

    const again = await waitForTask(clerk, id, 'acceptance');
    expect(again.status).toBe('open');
    await complete(clerk, id, 'acceptance', { outcome: 'accept' });
    const accepted = await waitForStatus(applicant, id, 'accepted');
    expect(accepted.timeline.map((e: { action: string }) => e.action)).toEqual(['submitted', 'acceptance.correction', 'corrected', 'acceptance.accept']);
    expect((await applicant.post(`/v1/applications/${id}/corrections`, { materials: [] })).status).toBe(409);
  });
});

describe('deferred materials (容缺受理)', () => {
  it('accepts without a deferrable material and takes it later; refuses to defer a key material', async () => {
    const all = await uploadAll(applicant, PHARMACY_MATERIALS);
    const r = await applicant.post('/v1/applications', pharmacyBody(all), { 'Idempotency-Key': newKey() });
    const id = r.body.applicationId;
    const task = await waitForTask(clerk, id, 'acceptance');
    const wrong = await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept-deferred', deferred: ['business-license'] });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].code).toBe('material.not-deferrable');

    expect((await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept-deferred', deferred: ['premises-plan'] })).status).toBe(200);
    const accepted = await waitForStatus(applicant, id, 'accepted');
    expect(accepted.deferred).toMatchObject({ materialCodes: ['premises-plan'] });
    expect(Date.parse(accepted.deferred.dueAt)).toBeGreaterThan(Date.parse(accepted.acceptedAt));

    const notDeferred = await applicant.post(`/v1/applications/${id}/corrections`, { materials: [{ materialCode: 'quality-manual', uploadId: await upload(applicant, pdfBytes('qm')) }] });
    expect(notDeferred.status).toBe(422);
    const plan = await upload(applicant, pdfBytes('final plan'));
    const supplied = await applicant.post(`/v1/applications/${id}/corrections`, { materials: [{ materialCode: 'premises-plan', uploadId: plan }] });
    expect(supplied.status).toBe(200);
    expect(supplied.body.deferred.materialCodes).toEqual([]);
    expect(supplied.body.deferred.suppliedAt).toBeDefined();
    expect(supplied.body.status).toBe('accepted');
  });
});

describe('withdrawal (撤回)', () => {
  it('stops the flow and leaves no open task; no withdrawal after the decision', async () => {
    const id = await submitPharmacy();
    await complete(clerk, id, 'acceptance', { outcome: 'accept' });
    await waitForTask(clerk, id, 'review');
    const r = await applicant.post(`/v1/applications/${id}/withdraw`, { reason: '经营场所变更，重新申请' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('withdrawn');
    const inbox = await clerk.get('/v1/tasks?status=open');
    expect(inbox.body.tasks.some((t: { applicationId: string }) => t.applicationId === id)).toBe(false);
    const sfn = new SFNClient({ endpoint: platform.runtime.endpoints.sfn, region: 'cn-northwest-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    // The stop travels through the outbox (the withdrawal commits, the relay stops the flow): moments later.
    const statusOf = async () => (await sfn.send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:local:000000000000:execution:oneseal-promised:${id}` }))).status;
    let status = await statusOf();
    for (let i = 0; i < 100 && status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await statusOf();
    }
    expect(status).toBe('ABORTED');
    expect((await applicant.post(`/v1/applications/${id}/withdraw`, { reason: '再次撤回' })).status).toBe(409);
    expect((await applicant.post(`/v1/applications/${id}/withdraw`, {})).status).toBe(422);
  });
});

describe('the blacklist (失信黑名单)', () => {
  it('refuses a listed enterprise at intake with the reason, counts and audits every attempt', async () => {
    const admin = await as(platform.url, { sub: 'admin-001', role: 'admin' });
    const company = '91350100M000100Y43';
    const listed = await admin.request('PUT', `/v1/blacklist/${company}`, { reason: '严重违法失信：提供虚假材料骗取行政许可', source: '信用中国（宁夏）' });
    expect(listed.status).toBe(200);
    expect((await applicant.request('PUT', `/v1/blacklist/${company}`, { reason: 'x', source: 'y' })).status).toBe(403);
    expect((await admin.request('PUT', '/v1/blacklist/12345', { reason: 'x', source: 'y' })).status).toBe(422);

    const listedApplicant = await as(platform.url, { sub: company, role: 'applicant' });
    const body = await bodyFor(listedApplicant, 'catering-filing', { ...enterpriseApplicant, creditCode: company, name: '某某商贸有限公司' });
    for (let i = 0; i < 2; i++) {
      const r = await listedApplicant.post('/v1/applications', body, { 'Idempotency-Key': newKey() });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('applicant.blacklisted');
      expect(r.body.title).toContain('提供虚假材料');
    }
    const entry = await admin.get(`/v1/blacklist/${company}`);
    expect(entry.body).toMatchObject({ listed: true, blockedCount: 2 });
    expect(entry.body.trail.map((e: { action: string }) => e.action)).toEqual(['blacklist.listed', 'blacklist.blocked', 'blacklist.blocked']);
    expect((await listedApplicant.get('/v1/applications')).body.applications).toHaveLength(0);
    const supervisor = await as(platform.url, { sub: 'supervisor-001', role: 'supervisor' });
    const stats = await supervisor.get('/v1/supervision/stats?from=2026-01-01T00:00:00%2B08:00&to=2027-01-01T00:00:00%2B08:00&itemCode=catering-filing');
    expect(stats.body.blockedAttempts).toBe(2);

    expect((await admin.request('DELETE', `/v1/blacklist/${company}`)).status).toBe(200);
    expect((await listedApplicant.post('/v1/applications', body, { 'Idempotency-Key': newKey() })).status).toBe(201);
  });
});

describe('batch (放射工作人员证)', () => {
  /** A hospital applies for `quantity` certificates; the health commission accepts, reviews and approves. */
  async function approvedBatch(quantity: number) {
    const hospital = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
    const r = await hospital.post('/v1/applications', await bodyFor(hospital, 'radiation-worker-certificate', enterpriseApplicant, { quantity }), { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(201);
    const id: string = r.body.applicationId;
    const health = await as(platform.url, { sub: 'health-01', role: 'officer', dept: 'health', rank: 'clerk' });
    await complete(health, id, 'acceptance', { outcome: 'accept' });
    await complete(health, id, 'review', { outcome: 'pass' });
    await complete(await as(platform.url, { sub: 'health-chief', role: 'officer', dept: 'health', rank: 'chief' }), id, 'decision', { outcome: 'approve', opinion: `${quantity}名放射工作人员均符合条件` });
    return { hospital, id };
  }

  it('seals the largest batch, 500 licenses, and announces each once (more events than one transaction holds)', async () => {
    const { hospital, id } = await approvedBatch(500);

    const app = await waitForStatus(hospital, id, 'completed', 120_000);

    expect(new Set(app.licenses.map((l: { licenseNo: string }) => l.licenseNo)).size).toBe(500);
    const anon = new Client(platform.url);
    for (const l of [app.licenses[0], app.licenses[250], app.licenses[499]]) expect((await anon.get(`/v1/licenses/${l.licenseNo}/verify`)).body.valid).toBe(true);
    // The platform reads every event of the application in the feed (shown a second after its commit).
    await new Promise((res) => setTimeout(res, 1200));
    const platformClient = await as(platform.url, { sub: 'provincial-platform', role: 'platform' });
    const events: { applicationId: string; type: string; seq: number }[] = [];
    for (let after: string | undefined, page = 0; page < 1000; page++) {
      const feed = await platformClient.get(`/v1/events?limit=500${after ? `&after=${after}` : ''}`);
      expect(feed.status).toBe(200);
      if (!feed.body.events.length) break;
      events.push(...feed.body.events.filter((e: { applicationId: string }) => e.applicationId === id));
      after = feed.body.next;
    }
    expect(events.filter((e) => e.type === 'license.issued')).toHaveLength(500);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  }, 240_000);

  it('seals 50 licenses in one flow, each verifiable', async () => {
    const { hospital, id } = await approvedBatch(50);
    const app = await waitForStatus(hospital, id, 'completed', 60_000);
    expect(app.licenses).toHaveLength(50);
    expect(new Set(app.licenses.map((l: { licenseNo: string }) => l.licenseNo)).size).toBe(50);
    const anon = new Client(platform.url);
    const checks = await Promise.all(app.licenses.map((l: { licenseNo: string }) => anon.get(`/v1/licenses/${l.licenseNo}/verify`)));
    expect(checks.every((c) => c.body.valid === true && c.body.signatureValid === true)).toBe(true);

    const notBatch = await applicant.post('/v1/applications', { ...pharmacyBody(await uploadAll(applicant, PHARMACY_MATERIALS)), quantity: 3 }, { 'Idempotency-Key': newKey() });
    expect(notBatch.status).toBe(422);
    expect(notBatch.body.errors.map((e: { code: string }) => e.code)).toContain('quantity.not-batch');
  }, 120_000);
});
