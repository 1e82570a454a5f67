import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJWK, SignJWT, decodeProtectedHeader, type JWK } from 'jose';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { config } from '#shared/config.ts';
import { s3Client, S3Store } from '#shared/adapters/aws/s3.ts';
import { EMBEDDED_BUCKETS } from '#shared/adapters/aws/tables.ts';
import { as, Client, newKey, OTHER_PERSON_ID, pdfBytes, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, sha256, startPlatform, tokenFor, upload, uploadAll, type Platform } from '../support/platform.ts';

/**
 * Issue 14 against the embedded platform: uploads bound to their content, tokens as the
 * provincial identity provider must issue them, the dev endpoints closed to other origins, and
 * the audit trail masked for officers and supervisors.
 */
let platform: Platform;
let applicant: Client;
beforeAll(async () => {
  platform = await startPlatform();
  applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
});
afterAll(async () => {
  await platform?.close();
});

describe('uploads are bound to their content', () => {
  it('a second PUT to the same presigned URL is refused (412), and the first bytes stay', async () => {
    const first = pdfBytes('the original');
    const slot = await applicant.post('/v1/uploads', { fileName: 'a.pdf', contentType: 'application/pdf', size: first.length, sha256: sha256(first) });
    expect(slot.status).toBe(201);
    expect(slot.body.headers).toMatchObject({ 'If-None-Match': '*', 'x-amz-checksum-sha256': Buffer.from(sha256(first), 'hex').toString('base64') });
    expect((await fetch(slot.body.url, { method: 'PUT', headers: slot.body.headers, body: first })).status).toBe(200);
    const again = await fetch(slot.body.url, { method: 'PUT', headers: slot.body.headers, body: first });
    expect(again.status).toBe(412);
    // Without the signed headers the URL's signature does not hold.
    const bare = await fetch(slot.body.url, { method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, body: pdfBytes('the swap') });
    expect(bare.status).toBe(403);
    const body = pharmacistBody([...(await uploadAll(applicant, ['qualification-certificate', 'employer-license'])), { materialCode: 'application-form', uploadId: slot.body.uploadId }]);
    const r = await applicant.post('/v1/applications', body, { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(201);
    expect(r.body.materials.find((m: { materialCode: string }) => m.materialCode === 'application-form').sha256).toBe(sha256(first));
  });

  it('intake hashes a material as it streams, and reads no more than the limit', async () => {
    const store = new S3Store(s3Client(config()), EMBEDDED_BUCKETS.materials);
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await store.put('materials/stream-test', bytes, 'application/octet-stream');
    const whole = await store.digest('materials/stream-test', 10 * 1024 * 1024);
    expect(whole).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
    expect(Buffer.from(whole!.head).equals(bytes.subarray(0, 64 * 1024))).toBe(true);
    const capped = await store.digest('materials/stream-test', 1024 * 1024);
    expect(capped!.size).toBe(1024 * 1024 + 1);
    expect(await store.digest('materials/none', 10)).toBeUndefined();
  });

  it('a slot larger than its material allows is 413; a type no material takes is 422', async () => {
    const declared = { fileName: 'big.pdf', contentType: 'application/pdf', sha256: 'a'.repeat(64) };
    const tooBig = await applicant.post('/v1/uploads', { ...declared, size: 10 * 1024 * 1024 + 1, itemCode: 'pharmacist-registration', materialCode: 'application-form' });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('upload.too-large');
    expect(tooBig.body.title).toMatch(/[\u4e00-\u9fa5]/);
    expect((await applicant.post('/v1/uploads', { ...declared, size: 60 * 1024 * 1024 })).status).toBe(413);
    const png = await applicant.post('/v1/uploads', { ...declared, size: 100, contentType: 'image/png', itemCode: 'pharmacist-registration', materialCode: 'application-form' });
    expect(png.status).toBe(422);
    expect(png.body.code).toBe('upload.content-type');
    expect((await applicant.post('/v1/uploads', { ...declared, size: 100, contentType: 'text/html' })).body.code).toBe('upload.content-type');
  });

  it('the declared content type must agree with the format the bytes show', async () => {
    const bytes = pdfBytes('a PDF declared as a PNG');
    const pdfAsPng = await upload(applicant, bytes, 'certificate.png', 'image/png');
    const body = pharmacistBody([...(await uploadAll(applicant, ['application-form', 'employer-license'])), { materialCode: 'qualification-certificate', uploadId: pdfAsPng }]);
    const r = await applicant.post('/v1/applications', body, { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ path: 'materials.2', code: 'material.content-type' })]);
  });

  it('an applicant holds at most 50 open upload slots; the next is 429 with a Chinese message', async () => {
    const other = await as(platform.url, { sub: OTHER_PERSON_ID, role: 'applicant' });
    const declare = () => other.post('/v1/uploads', { fileName: 'x.pdf', contentType: 'application/pdf', size: 10, sha256: 'b'.repeat(64) });
    for (let i = 0; i < 50; i++) expect((await declare()).status).toBe(201);
    const refused = await declare();
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('upload.too-many-open');
    expect(refused.body.title).toMatch(/[\u4e00-\u9fa5]/);
    // Another applicant is not affected.
    expect((await applicant.post('/v1/uploads', { fileName: 'x.pdf', contentType: 'application/pdf', size: 10, sha256: 'b'.repeat(64) })).status).toBe(201);
  });
});

describe('tokens', () => {
  const key = () => JSON.parse(readFileSync(join(platform.runtime.dataDir, 'idp-key.json'), 'utf8')) as JWK;
  const sign = async (claims: Record<string, unknown>, expires = true) => {
    const jwk = key();
    let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).setSubject(PERSON_ID).setIssuer('https://idp.oneseal.local').setAudience('oneseal').setIssuedAt();
    if (expires) jwt = jwt.setExpirationTime('1h');
    return jwt.sign(await importJWK(jwk, 'RS256'));
  };

  it('the embedded identity provider signs RS256 with an RSA key, as API Gateway JWT authorizers require', async () => {
    const jwks = (await (await fetch(`${platform.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' })]);
    expect(jwks.keys[0].d).toBeUndefined();
    expect(jwks.keys[0].p).toBeUndefined();
    expect(decodeProtectedHeader(await tokenFor(platform.url, { sub: PERSON_ID, role: 'applicant' })).alg).toBe('RS256');
  });

  it('a token without exp is refused, though its signature is good', async () => {
    expect((await new Client(platform.url, await sign({ role: 'applicant', scope: 'oneseal' })).get('/v1/applications')).status).toBe(200);
    expect((await new Client(platform.url, await sign({ role: 'applicant', scope: 'oneseal' }, false)).get('/v1/applications')).status).toBe(401);
  });

  it('a token without the API scope is refused', async () => {
    expect((await new Client(platform.url, await sign({ role: 'applicant' })).get('/v1/applications')).status).toBe(401);
    const r = await new Client(platform.url).post('/dev/token', { sub: PERSON_ID, role: 'applicant', scope: 'openid profile' });
    expect((await new Client(platform.url, r.body.token).get('/v1/applications')).status).toBe(401);
  });

  it('an officer token claiming the internal @delivery queue reads no task', async () => {
    const intruder = await as(platform.url, { sub: 'intruder', role: 'officer', dept: '@delivery', rank: 'clerk' });
    const r = await intruder.get('/v1/tasks');
    expect(r.status).toBe(401);
  });
});

describe('the dev endpoints', () => {
  const post = (path: string, headers: Record<string, string>, body = '{"sub":"64010419900101123X","role":"admin"}') => fetch(`${platform.url}${path}`, { method: 'POST', headers, body });

  it('accept JSON from the same machine only', async () => {
    expect((await post('/dev/token', { 'content-type': 'application/json' })).status).toBe(200);
    expect((await post('/dev/token', { 'content-type': 'application/json', origin: platform.url })).status).toBe(200);
  });

  it('refuse a text/plain POST, which a web page can send without a preflight (415)', async () => {
    const r = await post('/dev/token', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(((await r.json()) as { code: string }).code).toBe('dev.json-only');
    expect((await post('/dev/supervision/scan', {}, '')).status).toBe(415);
  });

  it('refuse any request from another origin (403)', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }] as Record<string, string>[]) {
      const r = await post('/dev/clock', { 'content-type': 'application/json', ...headers }, '{"now":"2030-01-01T00:00:00Z"}');
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    expect(((await (await fetch(`${platform.url}/dev/clock`)).json()) as { now: string }).now).not.toMatch(/^2030/);
  });
});

describe('requests the HTTP server cannot read', () => {
  /** Sends raw bytes to the API's port and answers the whole response as text. */
  const raw = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(platform.url);
      const socket = connect(Number(port), hostname, () => socket.end(bytes));
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });

  it('headers beyond 16 KB are refused with a problem+json 431, and the platform goes on', async () => {
    const r = await fetch(`${platform.url}/v1/health`, { headers: { 'x-padding': 'a'.repeat(20_000) } });
    expect(r.status).toBe(431);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const body = await r.json();
    expect(body).toMatchObject({ status: 431, code: 'request.headers-too-large', title: expect.stringMatching(/[\u4e00-\u9fff]/) });
    // Just under the limit is read as usual.
    expect((await fetch(`${platform.url}/v1/health`, { headers: { 'x-padding': 'a'.repeat(15_000) } })).status).toBe(200);
  });

  it('a malformed request line is refused with a problem+json 400', async () => {
    const answer = await raw('GET /v1/health HTTP/1.1 extra\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'request.malformed' });
  });
});

describe('the audit trail', () => {
  it('shows officers and supervisors no full ID number', async () => {
    const r = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(201);
    const supervisor = await as(platform.url, { sub: 'supervisor-001', role: 'supervisor' });
    const trail = await supervisor.get(`/v1/applications/${r.body.applicationId}/audit`);
    expect(trail.status).toBe(200);
    expect(JSON.stringify(trail.body)).not.toContain(PERSON_ID);
    expect(trail.body.events[0].actor).toBe('640104********123X');
    expect(trail.body.intact).toBe(true);
  });
});
