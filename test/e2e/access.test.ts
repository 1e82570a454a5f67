import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair } from 'jose';
import { ROUTES } from '#shared/http/routes.ts';
import { as, Client, newKey, officers, OTHER_PERSON_ID, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, startPlatform, uploadAll, waitForTask, type Platform } from '../support/platform.ts';

/** Every protected endpoint refuses a missing, forged or wrong-role token; bad bodies get problem+json, never 500. */
let platform: Platform;
let applicationId: string;
let taskId: string;
beforeAll(async () => {
  platform = await startPlatform();
  const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
  const r = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
  applicationId = r.body.applicationId;
  taskId = (await waitForTask(await as(platform.url, officers.clerk), applicationId, 'acceptance')).taskId;
});
afterAll(async () => {
  await platform?.close();
});

const concrete = (path: string) =>
  path.replace('{applicationId}', applicationId).replace('{taskId}', taskId).replace('{licenseNo}', 'ZYYS-640100-2026-000001-6').replace('{itemCode}', 'pharmacist-registration');

async function forgedToken() {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'ES256', kid: 'forged' }).setSubject('intruder').setIssuer('https://idp.oneseal.local').setAudience('oneseal').setExpirationTime('1h').sign(privateKey);
}

describe('authentication on every protected route', () => {
  const guarded = ROUTES.filter((r) => r.auth);
  it.each(guarded.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: no token → 401, forged token → 401', async (_name, route) => {
    const path = concrete(route.path);
    const none = await new Client(platform.url).request(route.method, path, route.method === 'GET' ? undefined : {});
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body.code).toBe('auth.unauthorized');
    const forged = await new Client(platform.url, await forgedToken()).request(route.method, path, route.method === 'GET' ? undefined : {});
    expect(forged.status).toBe(401);
  });

  it('public routes answer without a token', async () => {
    const anon = new Client(platform.url);
    expect((await anon.get('/v1/health')).status).toBe(200);
    expect((await anon.get('/v1/catalog/items')).body.items.length).toBeGreaterThanOrEqual(2);
    expect((await anon.get('/v1/catalog/items/pharmacist-registration')).body.name).toBe('执业药师注册');
    const doc = (await anon.get('/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([...new Set(ROUTES.map((r) => r.path))]));
  });
});

describe('authorization by role, department and rank', () => {
  it('refuses officers where applicants act, and applicants where officers act', async () => {
    const clerk = await as(platform.url, officers.clerk);
    const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    expect((await clerk.post('/v1/uploads', { fileName: 'a.pdf', contentType: 'application/pdf', size: 1, sha256: 'a'.repeat(64) })).status).toBe(403);
    expect((await clerk.post('/v1/applications', {}, { 'Idempotency-Key': newKey() })).status).toBe(403);
    expect((await applicant.get('/v1/tasks?status=open')).status).toBe(403);
    expect((await applicant.post(`/v1/tasks/${taskId}/complete`, { outcome: 'accept' })).status).toBe(403);
  });

  it('refuses a task of another department or rank, and hides an application from other applicants', async () => {
    const other = await as(platform.url, officers.otherDept);
    const r = await other.post(`/v1/tasks/${taskId}/complete`, { outcome: 'accept' });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('task.not-yours');
    const chief = await as(platform.url, officers.chief);
    expect((await chief.post(`/v1/tasks/${taskId}/complete`, { outcome: 'accept' })).status).toBe(403);
    const stranger = await as(platform.url, { sub: OTHER_PERSON_ID, role: 'applicant' });
    expect((await stranger.get(`/v1/applications/${applicationId}`)).status).toBe(404);
    // An officer of the department sees the applicant's ID masked.
    const clerk = await as(platform.url, officers.clerk);
    const seen = await clerk.get(`/v1/applications/${applicationId}`);
    expect(seen.body.applicant.idNumber).toBe('640104********123X');
  });

  it('refuses to submit in someone else’s name', async () => {
    const applicant = await as(platform.url, { sub: OTHER_PERSON_ID, role: 'applicant' });
    const r = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS), PERSON_ID), { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('applicant.not-self');
  });
});

describe('malformed requests get problem+json, never 500', () => {
  it('answers malformed JSON with 400 and a wrong shape with 422 listing the paths', async () => {
    const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    const clerk = await as(platform.url, officers.clerk);
    const malformed = await applicant.request('POST', '/v1/applications', '{"itemCode":', { 'Idempotency-Key': newKey() });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('request.malformed-json');

    const shape = await applicant.post('/v1/applications', { itemCode: 42, applicant: { kind: 'alien' }, materials: 'none' }, { 'Idempotency-Key': newKey() });
    expect(shape.status).toBe(422);
    expect(shape.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['itemCode', 'applicant.kind', 'materials']));

    const noKey = await applicant.post('/v1/applications', pharmacistBody([]));
    expect(noKey.status).toBe(400);
    expect(noKey.body.code).toBe('idempotency.key-missing');

    const upload = await applicant.post('/v1/uploads', { fileName: '', size: -1 });
    expect(upload.status).toBe(422);

    const outcome = await clerk.post(`/v1/tasks/${taskId}/complete`, { outcome: 'refuse' });
    expect(outcome.status).toBe(422);
    expect(outcome.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['reason', 'legalBasis']));

    for (const body of ['[]', 'null', '"x"', '{"outcome":{"$gt":1}}']) {
      const r = await clerk.request('POST', `/v1/tasks/${taskId}/complete`, body);
      expect([400, 422]).toContain(r.status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await new Client(platform.url).get('/v1/licenses/NOPE-1/verify')).status).toBe(404);
  });
});
