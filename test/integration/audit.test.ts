import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chainEvent } from '#shared/domain/audit.ts';
import { wiring } from '#shared/wiring.ts';
import { ConflictError } from '#shared/ports.ts';
import { as, complete, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, startPlatform, uploadAll, waitForStatus, type Platform } from '../support/platform.ts';

/** The audit trail against DynamoDB itself: tampering shows, and the chain never forks. */
let platform: Platform;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  platform = await startPlatform();
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.runtime.endpoints.dynamodb }));
});
afterAll(async () => {
  await platform?.close();
});

async function completedApplication() {
  const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
  const r = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
  await complete(await as(platform.url, officers.clerk), r.body.applicationId, 'acceptance', { outcome: 'accept', opinion: '符合条件' });
  await waitForStatus(applicant, r.body.applicationId, 'completed');
  return r.body.applicationId as string;
}

describe('the audit trail', () => {
  it('is intact as written, and not once an event is changed or deleted in the table', async () => {
    const supervisor = await as(platform.url, { sub: 'supervisor-001', role: 'supervisor' });
    const changed = await completedApplication();
    const trail = await supervisor.get(`/v1/applications/${changed}/audit`);
    expect(trail.body.intact).toBe(true);
    expect(trail.body.algorithm).toBe('SM3'); // Yinchuan seals with SM2, so its chains use SM3
    expect(trail.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(trail.body.events[1].prevHash).toBe(trail.body.events[0].hash);

    await db.send(new UpdateCommand({ TableName: 'Audit', Key: { applicationId: changed, seq: 2 }, UpdateExpression: 'SET reason = :r', ExpressionAttributeValues: { ':r': '材料不齐全' } }));
    expect((await supervisor.get(`/v1/applications/${changed}/audit`)).body).toMatchObject({ intact: false, brokenAt: 2 });

    const deleted = await completedApplication();
    await db.send(new DeleteCommand({ TableName: 'Audit', Key: { applicationId: deleted, seq: 5 } }));
    expect((await supervisor.get(`/v1/applications/${deleted}/audit`)).body.intact).toBe(false);

    // Applicants do not read the raw trail; their timeline is on the application.
    const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
    expect((await applicant.get(`/v1/applications/${deleted}/audit`)).status).toBe(403);
  });

  it('never gets two events with one sequence number from two concurrent writers', async () => {
    const id = await completedApplication();
    const { applications } = wiring();
    const app = (await applications.get(id))!;
    const write = (action: string) => {
      const event = chainEvent(id, app.audit, new Date().toISOString(), { actor: 'test', action });
      return applications.commit({ next: { ...app, audit: { seq: event.seq, hash: event.hash } }, expectedSeq: app.audit.seq, events: [event] });
    };
    const results = await Promise.allSettled([write('a'), write('b'), write('c'), write('d')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    const events = await applications.audit(id);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
  });
});
