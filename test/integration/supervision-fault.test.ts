import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { as, Client, officers, submitPharmacy, waitForStatus, waitForTask, startPlatform, type Platform } from '../support/platform.ts';

/**
 * One step the supervision scan cannot process never stops the others: here an application's
 * record is missing from the table (as after a bad manual repair), so deeming its acceptance
 * throws. The scan finishes the other overdue steps, says it failed one, keeps that one in its
 * index, and processes it on a later scan once the record is back.
 */
let platform: Platform;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  platform = await startPlatform();
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.runtime.endpoints.dynamodb }));
});
afterAll(async () => {
  await platform?.close();
});

const scan = async () => (await new Client(platform.url).post('/dev/supervision/scan')).body;

it('finishes the other due steps when one throws, and retries the failing one on the next scan', async () => {
  // Prepare: three applications nobody accepts; the second one's record goes missing.
  const clerk = await as(platform.url, officers.clerk);
  const apps = [await submitPharmacy(platform.url), await submitPharmacy(platform.url), await submitPharmacy(platform.url)];
  for (const { id } of apps) await waitForTask(clerk, id, 'acceptance');
  const broken = apps[1].id;
  const record = (await db.send(new GetCommand({ TableName: 'Applications', Key: { applicationId: broken } }))).Item!;
  await db.send(new DeleteCommand({ TableName: 'Applications', Key: { applicationId: broken } }));
  // Seven working days later every acceptance is overdue (5 working days).
  expect((await new Client(platform.url).post('/dev/clock', { advance: { workingDays: 7 } })).status).toBe(200);

  // Act
  const first = await scan();

  // Assess: the two others were deemed accepted; the broken one failed and stays due.
  expect(first).toMatchObject({ read: 3, red: 3, deemedAccepted: 2, failed: 1 });
  await waitForStatus(apps[0].applicant, apps[0].id, 'accepted');
  await waitForStatus(apps[2].applicant, apps[2].id, 'accepted');
  const again = await scan();
  expect(again).toMatchObject({ read: 1, deemedAccepted: 0, failed: 1 });

  // Repaired, the next scan finishes its work: deemed accepted, nothing left due.
  await db.send(new PutCommand({ TableName: 'Applications', Item: record }));
  expect(await scan()).toMatchObject({ read: 1, deemedAccepted: 1, failed: 0 });
  const repaired = await waitForStatus(apps[1].applicant, broken, 'accepted');
  expect(repaired.timeline.map((e: { action: string }) => e.action)).toContain('acceptance.accept');
  expect((await scan()).failed).toBe(0);
});
