import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { as, Client, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, startPlatform, uploadAll, waitForTask, type Platform } from '../support/platform.ts';

/** Random and malformed bodies never produce a 500: always a problem+json with a stable code. */
let platform: Platform;
let applicant: Client;
let clerk: Client;
let taskId: string;
let valid: ReturnType<typeof pharmacistBody>;
beforeAll(async () => {
  platform = await startPlatform();
  applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
  clerk = await as(platform.url, officers.clerk);
  valid = pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS));
  const r = await applicant.post('/v1/applications', valid, { 'Idempotency-Key': newKey() });
  taskId = (await waitForTask(clerk, r.body.applicationId, 'acceptance')).taskId;
});
afterAll(async () => {
  await platform?.close();
});

const expectProblemNot500 = (r: { status: number; headers: Headers; body: any }) => {
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
  if (r.status >= 400) {
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(typeof r.body.code).toBe('string');
  }
};

/** A valid submission with parts replaced by anything at all. */
const mutated = fc.record({
  itemCode: fc.oneof(fc.constant('pharmacist-registration'), fc.string(), fc.integer(), fc.constant(null)),
  applicant: fc.oneof(fc.anything(), fc.record({ kind: fc.constantFrom('person', 'enterprise', 'x'), idNumber: fc.string(), creditCode: fc.string(), name: fc.string(), phone: fc.string() })),
  form: fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('certificateNo', 'category', 'scope', 'employer', 'other'), fc.anything())),
  materials: fc.oneof(fc.anything(), fc.array(fc.record({ materialCode: fc.string(), uploadId: fc.string() }))),
  delivery: fc.oneof(fc.anything(), fc.record({ method: fc.constantFrom('ems', 'pickup', 'electronic', 'fax'), address: fc.anything() })),
  quantity: fc.oneof(fc.constant(undefined), fc.integer(), fc.double(), fc.string()),
});

describe('intake schemas under random input', () => {
  it('POST /v1/applications never answers 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, fc.anything()), async (body) => {
        expectProblemNot500(await applicant.post('/v1/applications', body === undefined ? null : body, { 'Idempotency-Key': newKey() }));
      }),
      { numRuns: 150 },
    );
  });

  it('POST /v1/uploads and task completion never answer 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.record({ outcome: fc.constantFrom('accept', 'accept-deferred', 'correction', 'refuse', 'approve', 'x'), deferred: fc.anything(), items: fc.anything(), reason: fc.anything(), legalBasis: fc.anything() }), async (upload, outcome) => {
        expectProblemNot500(await applicant.post('/v1/uploads', upload === undefined ? null : upload));
        const r = await clerk.post(`/v1/tasks/${taskId}/complete`, { ...outcome, outcome: outcome.outcome === 'accept' ? 'x' : outcome.outcome });
        expectProblemNot500(r);
      }),
      { numRuns: 100 },
    );
  });

  it('raw bytes that are not JSON are 400, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (text) => {
        expectProblemNot500(await applicant.request('POST', '/v1/applications', text, { 'Idempotency-Key': newKey(), 'content-type': 'application/json' }));
      }),
      { numRuns: 60 },
    );
  });
});
