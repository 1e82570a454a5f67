import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, Client, newKey, pdfBytes, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, startPlatform, TEST_NOW, upload, uploadAll, type Platform } from '../support/platform.ts';

/** Intake against the embedded stack: one-time notice, bytes checked as declared, idempotency. */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.close();
});

const applicant = () => as(platform.url, { sub: PERSON_ID, role: 'applicant' });

describe('one-time notice (一次性告知)', () => {
  it('returns every deficiency in one 422: a missing material, a wrong format, bytes never accepted, a bad form and a bad ID', async () => {
    const client = await applicant();
    const form = await upload(client, pdfBytes('form'));
    // A PNG named .pdf: recognised from its bytes, and PNG is not allowed for this material.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const certificate = await upload(client, png, 'certificate.pdf', 'application/pdf');
    // Declared with another SHA-256 than the bytes sent: the presigned PUT signs the declared
    // checksum, so the store refuses the bytes (400 BadDigest) and the slot stays empty.
    const bytes = pdfBytes('employer');
    const slot = await client.post('/v1/uploads', { fileName: 'employer.pdf', contentType: 'application/pdf', size: bytes.length, sha256: 'f'.repeat(64) });
    const put = await fetch(slot.body.url, { method: 'PUT', headers: slot.body.headers, body: bytes });
    expect(put.status).toBe(400);
    expect(await put.text()).toContain('BadDigest');
    const employer = slot.body.uploadId as string;
    const body = pharmacistBody([
      { materialCode: 'application-form', uploadId: certificate }, // PNG where only PDF/OFD are allowed
      { materialCode: 'employer-license', uploadId: employer },
    ]);
    body.form = { ...body.form, category: '西药' };
    body.applicant = { ...body.applicant, idNumber: '640104199001011230' };

    const r = await client.post('/v1/applications', body, { 'Idempotency-Key': newKey() });

    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('application.invalid');
    const codes = r.body.errors.map((e: { code: string }) => e.code).sort();
    expect(codes).toEqual(['applicant.id-checksum', 'form.option', 'material.format', 'material.not-uploaded', 'material.missing'].sort());
    for (const e of r.body.errors) expect(e.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(form).toBeTruthy();
  });

  it('stores nothing for a refused submission: the same uploads can be used once corrected', async () => {
    const client = await applicant();
    const materials = await uploadAll(client, PHARMACIST_MATERIALS);
    const bad = { ...pharmacistBody(materials), form: {} };
    expect((await client.post('/v1/applications', bad, { 'Idempotency-Key': newKey() })).status).toBe(422);
    expect((await client.post('/v1/applications', pharmacistBody(materials), { 'Idempotency-Key': newKey() })).status).toBe(201);
  });

  it('refuses an upload that was never sent, and one already used by another application', async () => {
    const client = await applicant();
    const materials = await uploadAll(client, PHARMACIST_MATERIALS);
    expect((await client.post('/v1/applications', pharmacistBody(materials), { 'Idempotency-Key': newKey() })).status).toBe(201);
    const reuse = await client.post('/v1/applications', pharmacistBody(materials), { 'Idempotency-Key': newKey() });
    expect(reuse.status).toBe(422);
    expect(reuse.body.errors.every((e: { code: string }) => e.code === 'material.upload-used')).toBe(true);

    const declared = await client.post('/v1/uploads', { fileName: 'x.pdf', contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) });
    const fresh = await uploadAll(client, ['application-form', 'qualification-certificate']);
    const r = await client.post('/v1/applications', pharmacistBody([...fresh, { materialCode: 'employer-license', uploadId: declared.body.uploadId }]), { 'Idempotency-Key': newKey() });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { code: string }) => e.code)).toEqual(['material.not-uploaded']);
  });
});

describe('idempotency', () => {
  it('answers a retry with the same key and body with the same application, and another body with 409', async () => {
    const client = await applicant();
    const body = pharmacistBody(await uploadAll(client, PHARMACIST_MATERIALS));
    const key = newKey();
    const first = await client.post('/v1/applications', body, { 'Idempotency-Key': key });
    const again = await client.post('/v1/applications', body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.applicationId).toBe(first.body.applicationId);
    expect(again.body.applicationNo).toBe(first.body.applicationNo);

    const other = await client.post('/v1/applications', { ...body, delivery: { method: 'pickup' } }, { 'Idempotency-Key': key });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency.key-reused');
  });

  it('creates exactly one application from 50 identical requests at the same moment', async () => {
    const client = await applicant();
    const before = (await client.get('/v1/applications')).body.applications.length;
    const body = pharmacistBody(await uploadAll(client, PHARMACIST_MATERIALS));
    const key = newKey();

    const replies = await Promise.all(Array.from({ length: 50 }, () => client.post('/v1/applications', body, { 'Idempotency-Key': key })));

    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(replies.map((r) => r.body.applicationId)).size).toBe(1);
    const after = (await client.get('/v1/applications')).body.applications;
    expect(after.length).toBe(before + 1);
  });
});

describe("the applicant's list", () => {
  it('lists every own application, newest first, each as GET shows it without its timeline', async () => {
    const client = await applicant();
    for (let i = 0; i < 2; i++) expect((await client.post('/v1/applications', pharmacistBody(await uploadAll(client, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() })).status).toBe(201);

    const list = (await client.get('/v1/applications')).body.applications as { applicationId: string; submittedAt: string }[];

    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list.map((a) => a.submittedAt)).toEqual(list.map((a) => a.submittedAt).sort().reverse());
    for (const summary of list.slice(0, 2)) {
      const { timeline, ...full } = (await client.get(`/v1/applications/${summary.applicationId}`)).body;
      expect(timeline.length).toBeGreaterThan(0);
      expect(summary).toEqual(full);
    }
  });
});

describe('reads made side by side', () => {
  async function recordingReader() {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient, PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const { ItemReader } = await import('#shared/adapters/aws/item-reader.ts');
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.runtime.endpoints.dynamodb }));
    const commands: string[] = [];
    db.middlewareStack.add((next, context) => (args) => (commands.push(String(context.commandName)), next(args)), { step: 'initialize' });
    const put = (TableName: string, Item: Record<string, unknown>) => db.send(new PutCommand({ TableName, Item }));
    return { reader: new ItemReader(db), commands, put };
  }

  it('travel as one BatchGetItem and each gets its own item, a missing one undefined, a repeated one twice', async () => {
    const { reader, commands, put } = await recordingReader();
    await put('Uploads', { uploadId: 'upl_side_a', owner: 'a' });
    await put('Uploads', { uploadId: 'upl_side_b', owner: 'b' });
    await put('Blacklist', { subjectId: 'side-subject', reason: '测试' });
    commands.length = 0;
    const [a, b, again, missing, listed] = await Promise.all([
      reader.get('Uploads', { uploadId: 'upl_side_a' }),
      reader.get('Uploads', { uploadId: 'upl_side_b' }),
      reader.get('Uploads', { uploadId: 'upl_side_a' }),
      reader.get('Uploads', { uploadId: 'upl_side_missing' }),
      reader.get('Blacklist', { subjectId: 'side-subject' }),
    ]);
    expect([a, b, again, missing, listed]).toEqual([
      { uploadId: 'upl_side_a', owner: 'a' },
      { uploadId: 'upl_side_b', owner: 'b' },
      { uploadId: 'upl_side_a', owner: 'a' },
      undefined,
      { subjectId: 'side-subject', reason: '测试' },
    ]);
    expect(commands).toEqual(['BatchGetItemCommand']);

    commands.length = 0;
    expect(await reader.get('Uploads', { uploadId: 'upl_side_b' })).toEqual({ uploadId: 'upl_side_b', owner: 'b' });
    expect(commands).toEqual(['GetItemCommand']);
  });

  it('see a write made just before, and split past 100 keys', async () => {
    const { reader, commands, put } = await recordingReader();
    const ids = Array.from({ length: 130 }, (_, i) => `upl_many_${i}`);
    await Promise.all(ids.map((uploadId, i) => put('Uploads', { uploadId, n: i })));
    commands.length = 0;
    const items = await Promise.all(ids.map((uploadId) => reader.get<{ n: number }>('Uploads', { uploadId })));
    expect(items.map((i) => i?.n)).toEqual(ids.map((_, i) => i));
    expect(commands).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
  });
});

describe('uploads no application takes', () => {
  async function storedKeys() {
    const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ endpoint: platform.runtime.endpoints.s3, forcePathStyle: true });
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'oneseal-materials', Prefix: 'materials/' }));
    return new Set((out.Contents ?? []).map((o) => o.Key!));
  }

  it('are refused once expired and swept with their bytes; taken ones stay with their applications', async () => {
    const anon = new Client(platform.url);
    const client = await applicant();
    const taken = await uploadAll(client, PHARMACIST_MATERIALS);
    expect((await client.post('/v1/applications', pharmacistBody(taken), { 'Idempotency-Key': newKey() })).status).toBe(201);
    const unused = await uploadAll(client, PHARMACIST_MATERIALS);
    for (const m of [...taken, ...unused]) expect((await storedKeys()).has(`materials/${m.uploadId}`)).toBe(true);

    try {
      // Not swept while they may still be used.
      expect((await anon.post('/dev/uploads/sweep')).body).toEqual({ swept: 0 });
      expect((await anon.post('/dev/clock', { now: '2026-06-09T02:00:00Z' })).status).toBe(200); // eight days on
      const late = await client.post('/v1/applications', pharmacistBody(unused), { 'Idempotency-Key': newKey() });
      expect(late.status).toBe(422);
      expect(late.body.errors.map((e: { code: string }) => e.code)).toEqual(['material.upload-not-found', 'material.upload-not-found', 'material.upload-not-found']);

      const sweep = await anon.post('/dev/uploads/sweep');
      expect(sweep.body.swept).toBeGreaterThanOrEqual(3); // these three, and any other test's left over
      const after = await storedKeys();
      for (const m of unused) expect(after.has(`materials/${m.uploadId}`)).toBe(false);
      for (const m of taken) expect(after.has(`materials/${m.uploadId}`)).toBe(true);
      expect((await anon.post('/dev/uploads/sweep')).body).toEqual({ swept: 0 });
    } finally {
      await anon.post('/dev/clock', { now: TEST_NOW });
    }
  });

  it('are found by an index a data folder from an older version gains at start', async () => {
    const { DynamoDBClient, DescribeTableCommand, UpdateTableCommand } = await import('@aws-sdk/client-dynamodb');
    const { createTables } = await import('../../local/emulators.ts');
    const db = new DynamoDBClient({ endpoint: platform.runtime.endpoints.dynamodb });
    const indexes = async () => ((await db.send(new DescribeTableCommand({ TableName: 'Uploads' }))).Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName);
    await db.send(new UpdateTableCommand({ TableName: 'Uploads', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'unusedByDay' } }] }));
    await expect.poll(indexes, { timeout: 10_000 }).toEqual(['openByOwner']);
    await createTables(platform.runtime.endpoints.dynamodb);
    expect((await indexes()).sort()).toEqual(['openByOwner', 'unusedByDay']);
  });
});
