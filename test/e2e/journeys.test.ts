import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import {
  as, Client, ENTERPRISE_CODE, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, PHARMACY_MATERIALS,
  pharmacistBody, pharmacyBody, sha256, startPlatform, uploadAll, waitForStatus, waitForTask, type Platform,
} from '../support/platform.ts';
import { Receiver } from '../support/receiver.ts';

/** The two journeys of the foundation, driven over HTTP as the provincial platform and the officers would. */
let platform: Platform;
/** The provincial platform's webhook receiver: every event of these journeys is pushed to it, signed (issue 15). */
const receiver = new Receiver('journeys-platform-secret');
beforeAll(async () => {
  await receiver.start();
  Object.assign(process.env, { PLATFORM_WEBHOOK_URL: receiver.url, PLATFORM_WEBHOOK_SECRET: 'journeys-platform-secret' });
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.close();
  receiver.server?.close();
});

async function verifyAndDownload(applicant: Client, licenseNo: string) {
  const verify = await new Client(platform.url).get(`/v1/licenses/${licenseNo}/verify`);
  expect(verify.status).toBe(200);
  expect(verify.body).toMatchObject({ valid: true, status: 'valid', signatureValid: true, licenseNo, issuer: '银川市行政审批服务局' });

  const meta = await applicant.get(`/v1/licenses/${licenseNo}`);
  expect(meta.status).toBe(200);
  const pdf = Buffer.from(await (await fetch(meta.body.download.url)).arrayBuffer());
  expect(sha256(pdf)).toBe(verify.body.sha256);
  const doc = await PDFDocument.load(pdf);
  expect(doc.getPageCount()).toBe(1);
  expect(doc.getTitle()).toContain(licenseNo);
  return { verify: verify.body, meta: meta.body };
}

describe('licensed pharmacist registration (instant, zero visits)', () => {
  it('goes from submission to a verified sealed license with one officer step', async () => {
    // Prepare
    const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    const clerk = await as(platform.url, officers.clerk);
    const materials = await uploadAll(applicant, PHARMACIST_MATERIALS);

    // Act
    const submitted = await applicant.post('/v1/applications', pharmacistBody(materials), { 'Idempotency-Key': newKey() });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ status: 'submitted', itemCode: 'pharmacist-registration' });
    expect(submitted.body.applicationNo).toMatch(/^640100\d{14}$/);
    const id = submitted.body.applicationId;

    const task = await waitForTask(clerk, id, 'acceptance');
    expect(task).toMatchObject({ dept: 'drug', step: 'acceptance', light: expect.stringMatching(/green|yellow/) });
    const done = await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全，符合注册条件' });
    expect(done.status).toBe(200);

    // Assess
    const app = await waitForStatus(applicant, id, 'completed');
    expect(app.decision).toMatchObject({ outcome: 'approve', by: officers.clerk.sub });
    expect(app.timeline.map((e: { action: string }) => e.action)).toEqual(['submitted', 'acceptance.accept', 'license.numbered', 'license.sealed', 'delivery.electronic']);
    expect(app.licenses).toHaveLength(1);
    const { verify, meta } = await verifyAndDownload(applicant, app.licenses[0].licenseNo);
    expect(verify.holderName).toBe('马**');
    expect(meta.fields).toContainEqual({ label: '执业类别', value: '药学' });
  });
});

describe('pharmacy retail license (promised, with on-site inspection)', () => {
  it('goes through acceptance, review, inspection and the chief representative’s decision', async () => {
    const applicant = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
    const clerk = await as(platform.url, officers.clerk);
    const chief = await as(platform.url, officers.chief);
    const materials = await uploadAll(applicant, PHARMACY_MATERIALS);

    const submitted = await applicant.post('/v1/applications', pharmacyBody(materials), { 'Idempotency-Key': newKey() });
    expect(submitted.status).toBe(201);
    const id = submitted.body.applicationId;

    const acceptance = await waitForTask(clerk, id, 'acceptance');
    expect((await clerk.post(`/v1/tasks/${acceptance.taskId}/complete`, { outcome: 'accept' })).status).toBe(200);
    const accepted = await waitForStatus(applicant, id, 'accepted');
    expect(Date.parse(accepted.due.promisedAt)).toBeLessThanOrEqual(Date.parse(accepted.due.legalAt));

    const review = await waitForTask(clerk, id, 'review');
    expect((await clerk.post(`/v1/tasks/${review.taskId}/complete`, { outcome: 'pass', opinion: '材料审查合格' })).status).toBe(200);
    const inspection = await waitForTask(clerk, id, 'inspection');
    expect((await clerk.post(`/v1/tasks/${inspection.taskId}/complete`, { outcome: 'pass', opinion: '现场核查：营业场所与仓储设施符合要求' })).status).toBe(200);

    // The decision belongs to the chief representative: the clerk does not even see it.
    const decision = await waitForTask(chief, id, 'decision');
    const clerkInbox = await clerk.get('/v1/tasks?status=open');
    expect(clerkInbox.body.tasks.some((t: { taskId: string }) => t.taskId === decision.taskId)).toBe(false);
    expect((await chief.post(`/v1/tasks/${decision.taskId}/complete`, { outcome: 'approve', opinion: '经审查，符合《药品管理法》第五十二条规定的条件，准予许可' })).status).toBe(200);

    const app = await waitForStatus(applicant, id, 'completed');
    expect(app.timeline.map((e: { action: string }) => e.action)).toEqual([
      'submitted', 'acceptance.accept', 'review.pass', 'inspection.pass', 'decision.approve', 'license.numbered', 'license.sealed', 'delivery.electronic',
    ]);
    const { verify } = await verifyAndDownload(applicant, app.licenses[0].licenseNo);
    expect(verify.licenseName).toBe('药品经营许可证');
    expect(verify.holderName).toBe('宁夏众康大药房连锁有限公司');
  });

  it('ends denied, with reason, legal basis and the remedies notice', async () => {
    const applicant = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
    const clerk = await as(platform.url, officers.clerk);
    const chief = await as(platform.url, officers.chief);
    const id = (await applicant.post('/v1/applications', pharmacyBody(await uploadAll(applicant, PHARMACY_MATERIALS)), { 'Idempotency-Key': newKey() })).body.applicationId;

    await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'acceptance')).taskId}/complete`, { outcome: 'accept' });
    await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'review')).taskId}/complete`, { outcome: 'pass' });
    await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'inspection')).taskId}/complete`, { outcome: 'fail', opinion: '仓库温湿度监测设备缺失' });
    const deny = await chief.post(`/v1/tasks/${(await waitForTask(chief, id, 'decision')).taskId}/complete`, {
      outcome: 'deny', reason: '现场核查不合格：仓库温湿度监测设备缺失', legalBasis: '《中华人民共和国药品管理法》第五十二条',
    });
    expect(deny.status).toBe(200);

    const app = await waitForStatus(applicant, id, 'denied');
    expect(app.decision).toMatchObject({ outcome: 'deny', legalBasis: '《中华人民共和国药品管理法》第五十二条' });
    expect(app.decision.remedies).toContain('行政复议');
    expect(app.licenses).toBeUndefined();
  });
});

describe('the events of these journeys (issue 15)', () => {
  it('reached the provincial platform signed, once per eventId, in seq order per application, the same as the events feed', async () => {
    const platformClient = await as(platform.url, { sub: 'provincial-platform', role: 'platform' });
    // Every event committed so far, from the feed (an event shows there a second after its commit).
    await new Promise((r) => setTimeout(r, 1500));
    const feed: { eventId: string; applicationId: string; seq: number }[] = [];
    for (let after: string | null = null, page = 0; page < 50; page++) {
      const r: { body: { events: typeof feed; next: string | null } } = await platformClient.get(`/v1/events?limit=200${after ? `&after=${after}` : ''}`);
      feed.push(...r.body.events);
      if (!r.body.events.length) break;
      after = r.body.next;
    }
    const until = Date.now() + 20_000;
    while (receiver.taken.length < feed.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));

    expect(feed.length).toBeGreaterThan(20);
    expect(receiver.badSignatures).toBe(0);
    expect(new Set(receiver.taken.map((e) => e.eventId)).size).toBe(receiver.taken.length);
    expect(receiver.taken.map((e) => e.eventId).sort()).toEqual(feed.map((e) => e.eventId).sort());
    for (const id of new Set(feed.map((e) => e.applicationId))) {
      const seqs = receiver.of(id).map((e) => e.seq);
      expect(seqs, id).toEqual(seqs.map((_, i) => i + 1));
    }
    const types = new Set(receiver.taken.map((e) => e.type));
    for (const t of ['application.submitted', 'application.accepted', 'application.approved', 'license.issued', 'application.completed', 'application.denied']) expect(types, t).toContain(t);
  });
});
