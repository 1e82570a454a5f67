import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROUTES } from '#shared/http/routes.ts';
import {
  as, bodyFor, Client, complete, ENTERPRISE_CODE, enterpriseApplicant, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, startPlatform, TEST_NOW, uploadAll, waitForStatus, type Platform,
} from '../support/platform.ts';

/**
 * What the system writes to its logs, captured across whole journeys (the handlers run in this
 * process): never a full ID number, a token or a secret. And the OpenAPI document it publishes.
 */
// Every line the handlers write, request lines included (the suite runs at WARN to keep CI short).
// Set before the handlers' logger is built, which is when this file's imports load.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});

let platform: Platform;
const captured: string[] = [];
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
  console: { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug },
};

beforeAll(async () => {
  platform = await startPlatform(undefined, (line) => captured.push(line));
  // Captured, not echoed: what the logs say is asserted below.
  const capture = (chunk: string | Uint8Array) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    console[method] = (...args: unknown[]) => void captured.push(args.map(String).join(' '));
  }
});
afterAll(async () => {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  Object.assign(console, originals.console);
  await platform?.close();
});

describe('the logs', () => {
  it('hold no full ID number, no token and no secret, through journeys that succeed and fail', async () => {
    const person = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    const token = (person as unknown as { token: string }).token;
    const clerk = await as(platform.url, officers.clerk);
    // A journey to the end, a refused submission, a malformed body, a forged webhook, a blacklisted attempt.
    const r = await person.post('/v1/applications', pharmacistBody(await uploadAll(person, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
    await complete(clerk, r.body.applicationId, 'acceptance', { outcome: 'accept' });
    await waitForStatus(person, r.body.applicationId, 'completed');
    await person.post('/v1/applications', { ...pharmacistBody([]), applicant: { kind: 'person', idNumber: '640104199001011230', name: '马晓燕', phone: '13995000000' } }, { 'Idempotency-Key': newKey() });
    await person.request('POST', '/v1/applications', '{"applicant":', { 'Idempotency-Key': newKey() });
    const body = '{"eventId":"x","waybillNo":"1","status":"delivered","occurredAt":"2026-06-01T00:00:00Z"}';
    const ts = String(Math.floor(Date.parse(TEST_NOW) / 1000));
    await new Client(platform.url).request('POST', '/v1/webhooks/ems', body, { 'content-type': 'application/json', 'x-ems-timestamp': ts, 'x-ems-signature': `sha256=${createHmac('sha256', 'wrong').update(`${ts}.${body}`).digest('hex')}` });
    const admin = await as(platform.url, { sub: 'admin-001', role: 'admin' });
    await admin.request('PUT', `/v1/blacklist/${ENTERPRISE_CODE}`, { reason: '严重失信', source: '信用中国' });
    const company = await as(platform.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
    expect((await company.post('/v1/applications', await bodyFor(company, 'catering-filing', enterpriseApplicant), { 'Idempotency-Key': newKey() })).status).toBe(403);

    const logs = captured.join('\n');
    // The logs are there, and they say what happened, with the numbers masked.
    expect(logs).toContain('"code":"applicant.blacklisted"');
    expect(logs).toContain('"code":"ems.unauthorized"');
    expect(logs).toContain('/v1/blacklist/916401********812D');
    for (const secret of [PERSON_ID, '640104199001011230', ENTERPRISE_CODE, token, 'dev-ems-secret']) expect(logs.includes(secret), `logs contain ${secret.slice(0, 8)}…`).toBe(false);
    expect(logs).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/); // no JWT at all
    expect(logs).not.toMatch(/\b\d{17}[\dX]\b/); // no 18-character ID number of anyone
  });
});

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1 and lists every path of the contract', async () => {
    const doc = (await new Client(platform.url).get('/v1/openapi.json')).body;
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors ?? []).slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const spec = [
      '/v1/health', '/v1/openapi.json', '/v1/catalog/items', '/v1/catalog/items/{itemCode}', '/v1/licenses/{licenseNo}/verify', '/v1/uploads', '/v1/applications',
      '/v1/applications/{applicationId}', '/v1/applications/{applicationId}/corrections', '/v1/applications/{applicationId}/withdraw', '/v1/applications/{applicationId}/evaluation',
      '/v1/licenses/{licenseNo}', '/v1/tasks', '/v1/tasks/{taskId}/complete', '/v1/applications/{applicationId}/suspend', '/v1/applications/{applicationId}/resume',
      '/v1/applications/{applicationId}/extend', '/v1/licenses/{licenseNo}/revoke', '/v1/supervision/lights', '/v1/supervision/cases', '/v1/supervision/stats',
      '/v1/applications/{applicationId}/audit', '/v1/blacklist/{subjectId}', '/v1/webhooks/ems', '/v1/calendar/{year}', '/v1/applications/{applicationId}/redrive',
    ];
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(spec));
    for (const route of ROUTES) expect(doc.paths[route.path][route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
  });
});
