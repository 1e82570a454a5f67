import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, Client, complete, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, startPlatform, TEST_NOW, uploadAll, waitForStatus, type Platform } from '../support/platform.ts';

/** Sealed licenses on their way: EMS webhooks as EMS would send them, pickup, revocation, tampering. */
let platform: Platform;
let anon: Client;
let applicant: Client;
let clerk: Client;
beforeAll(async () => {
  platform = await startPlatform();
  anon = new Client(platform.url);
  applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
  clerk = await as(platform.url, officers.clerk);
});
afterAll(async () => {
  await platform?.close();
});

const address = { province: '宁夏回族自治区', city: '银川市', district: '兴庆区', detail: '解放西街88号', recipient: '马晓燕', phone: '13995000000' };
const nowSeconds = () => Math.floor(Date.parse(TEST_NOW) / 1000);
let events = 0;

async function ems(waybillNo: string, status: string, occurredAt: string, options: { secret?: string; timestamp?: number; eventId?: string } = {}) {
  const body = JSON.stringify({ eventId: options.eventId ?? `evt-${++events}`, waybillNo, status, occurredAt, location: '银川市兴庆区揽投部' });
  const timestamp = String(options.timestamp ?? nowSeconds());
  const signature = createHmac('sha256', options.secret ?? 'dev-ems-secret').update(`${timestamp}.${body}`).digest('hex');
  return anon.request('POST', '/v1/webhooks/ems', body, { 'content-type': 'application/json', 'x-ems-timestamp': timestamp, 'x-ems-signature': `sha256=${signature}` });
}

async function approvedByEms() {
  const r = await applicant.post('/v1/applications', { ...pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), delivery: { method: 'ems', address } }, { 'Idempotency-Key': newKey() });
  expect(r.status).toBe(201);
  await complete(clerk, r.body.applicationId, 'acceptance', { outcome: 'accept' });
  const app = await waitForStatus(applicant, r.body.applicationId, 'delivering');
  expect(app.delivery).toMatchObject({ method: 'ems', status: 'created' });
  expect(app.delivery.waybillNo).toMatch(/^11\d{11}$/);
  return app;
}

describe('EMS delivery', () => {
  it('refuses forged and stale signatures, takes each event once, and ignores an event older than the last', async () => {
    const app = await approvedByEms();
    const waybill = app.delivery.waybillNo;
    expect((await ems(waybill, 'collected', '2026-06-01T03:00:00Z', { secret: 'not-the-secret' })).status).toBe(401);
    expect((await ems(waybill, 'collected', '2026-06-01T03:00:00Z', { timestamp: nowSeconds() - 301 })).status).toBe(401);
    const noSig = await anon.request('POST', '/v1/webhooks/ems', '{}', { 'content-type': 'application/json', 'x-ems-timestamp': String(nowSeconds()) });
    expect(noSig.status).toBe(401);
    expect(noSig.body.code).toBe('ems.unauthorized');

    expect((await ems(waybill, 'collected', '2026-06-01T03:00:00Z', { eventId: 'evt-collected' })).body.outcome).toBe('taken');
    expect((await ems(waybill, 'collected', '2026-06-01T03:00:00Z', { eventId: 'evt-collected' })).body.outcome).toBe('duplicate');
    // Events are ordered by (occurredAt, eventId): one of the same second with a later id is taken, one with an earlier id is not.
    const sameSecond = await ems(waybill, 'in_transit', '2026-06-01T03:00:00Z', { eventId: 'evt-collected-2' });
    expect(sameSecond.body).toMatchObject({ outcome: 'taken', delivery: { status: 'in_transit' } });
    expect((await ems(waybill, 'collected', '2026-06-01T03:00:00Z', { eventId: 'evt-collected-0' })).body.outcome).toBe('stale');
    // Delivered arrives before in_transit: the shipment stays delivered.
    const delivered = await ems(waybill, 'delivered', '2026-06-02T06:00:00Z');
    expect(delivered.status).toBe(200);
    expect(delivered.body.delivery.status).toBe('delivered');
    expect((await ems(waybill, 'in_transit', '2026-06-01T09:00:00Z')).body.outcome).toBe('stale');

    const done = await waitForStatus(applicant, app.applicationId, 'completed');
    expect(done.delivery.status).toBe('delivered');
    expect(done.timeline.filter((e: { action: string }) => e.action.startsWith('delivery.ems.')).map((e: { action: string }) => e.action)).toEqual([
      'delivery.ems.created', 'delivery.ems.collected', 'delivery.ems.in_transit', 'delivery.ems.delivered',
    ]);
    expect((await ems('1199999999999', 'collected', '2026-06-01T03:00:00Z')).status).toBe(404);
  });

  it('falls back to pickup when the parcel is returned, and completes when the applicant picks it up', async () => {
    const app = await approvedByEms();
    await ems(app.delivery.waybillNo, 'in_transit', '2026-06-01T04:00:00Z');
    const returned = await ems(app.delivery.waybillNo, 'returned', '2026-06-03T04:00:00Z');
    expect(returned.body.delivery).toEqual({ method: 'pickup', status: 'awaiting-pickup' });
    const waiting = (await applicant.get(`/v1/applications/${app.applicationId}`)).body;
    expect(waiting.status).toBe('issued');
    expect(waiting.timeline.at(-1)).toMatchObject({ action: 'delivery.ems.returned', reason: expect.stringContaining('窗口自取') });

    expect((await applicant.post(`/v1/applications/${app.applicationId}/pickup`)).status).toBe(403);
    const picked = await clerk.post(`/v1/applications/${app.applicationId}/pickup`);
    expect(picked.status).toBe(200);
    expect(picked.body.status).toBe('completed');
    expect((await clerk.post(`/v1/applications/${app.applicationId}/pickup`)).status).toBe(409);
  });
});

describe('verification and revocation', () => {
  it('tells a copy changed by one byte from the sealed original', async () => {
    const r = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
    await complete(clerk, r.body.applicationId, 'acceptance', { outcome: 'accept' });
    const app = await waitForStatus(applicant, r.body.applicationId, 'completed');
    const licenseNo = app.licenses[0].licenseNo;
    const meta = await applicant.get(`/v1/licenses/${licenseNo}`);
    const pdf = Buffer.from(await (await fetch(meta.body.download.url)).arrayBuffer());

    const original = await anon.request('POST', `/v1/licenses/${licenseNo}/verify`, pdf, { 'content-type': 'application/pdf' });
    expect(original.body).toMatchObject({ valid: true, signatureValid: true });
    const tampered = Buffer.from(pdf);
    tampered[Math.floor(tampered.length / 2)] ^= 0x01;
    const changed = await anon.request('POST', `/v1/licenses/${licenseNo}/verify`, tampered, { 'content-type': 'application/pdf' });
    expect(changed.body).toMatchObject({ valid: false, signatureValid: false });
    expect(changed.body.sha256).not.toBe(original.body.sha256);

    // Revocation: by the chief representative, with reason and legal basis; the license stays and verifies as revoked.
    expect((await clerk.post(`/v1/licenses/${licenseNo}/revoke`, { reason: '以欺骗手段取得注册', legalBasis: '《行政许可法》第六十九条' })).status).toBe(403);
    const chief = await as(platform.url, officers.chief);
    expect((await chief.post(`/v1/licenses/${licenseNo}/revoke`, { reason: '以欺骗手段取得注册' })).status).toBe(422);
    const revoked = await chief.post(`/v1/licenses/${licenseNo}/revoke`, { reason: '以欺骗手段取得注册', legalBasis: '《行政许可法》第六十九条第二款' });
    expect(revoked.status).toBe(200);
    const verify = await anon.get(`/v1/licenses/${licenseNo}/verify`);
    expect(verify.body).toMatchObject({ valid: false, status: 'revoked', signatureValid: true });
    expect((await chief.post(`/v1/licenses/${licenseNo}/revoke`, { reason: 'x', legalBasis: 'y' })).status).toBe(409);
    const trail = (await applicant.get(`/v1/applications/${r.body.applicationId}`)).body.timeline;
    expect(trail.at(-1)).toMatchObject({ action: 'license.revoked', reason: '以欺骗手段取得注册' });
  });
});
