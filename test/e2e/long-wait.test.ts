import { afterAll, beforeAll, expect, it } from 'vitest';
import { as, Client, newKey, officers, PERSON_ID, PHARMACIST_MATERIALS, pharmacistBody, startPlatform, uploadAll, waitForStatus, waitForTask, type Platform } from '../support/platform.ts';

/**
 * A flow left waiting at an officer for longer than any library default (aws-local-stepfunctions
 * times a task out after 60 s unless told otherwise) is still waiting, and completes when the
 * officer acts. Real time passes here: the dev clock is not moved.
 */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.close();
});

const WAIT_MS = 65_000;

it('waits at the officer for more than a minute of real time, then completes', { timeout: WAIT_MS + 60_000 }, async () => {
  // Prepare
  const applicant = await as(platform.url, { sub: PERSON_ID, role: 'applicant' });
  const clerk = await as(platform.url, officers.clerk);
  const submitted = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
  expect(submitted.status).toBe(201);
  const id = submitted.body.applicationId;
  const task = await waitForTask(clerk, id, 'acceptance');

  // Act: nobody does anything for over a minute.
  await new Promise((r) => setTimeout(r, WAIT_MS));
  const waiting = (await applicant.get(`/v1/applications/${id}`)).body;
  expect(waiting).toMatchObject({ status: 'submitted', flow: 'waiting' });
  expect(waiting.flowError).toBeUndefined();
  const done = await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全' });

  // Assess
  expect(done.status).toBe(200);
  const app = await waitForStatus(applicant, id, 'completed');
  expect(app.flow).toBe('succeeded');
  const verify = await new Client(platform.url).get(`/v1/licenses/${app.licenses[0].licenseNo}/verify`);
  expect(verify.body).toMatchObject({ valid: true, signatureValid: true });
});
