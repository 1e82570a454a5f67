import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRuntime } from '../../local/runtime.ts';
import { as, Client, officers, PERSON_ID, PHARMACIST_MATERIALS, newKey, pharmacistBody, TEST_NOW, uploadAll, waitForStatus, waitForTask } from '../support/platform.ts';
import { Receiver } from '../support/receiver.ts';

/**
 * The embedded relay keeps its state in the tables (issue 15): what a stopped platform committed
 * and did not send (events and a callback) goes out after a restart, once. Its own file: one
 * runtime per process at a time.
 */
describe('a restart of the embedded runtime with events and a callback still in the outbox', () => {
  it('sends them after the restart, each event once and in order, and the flow goes on', async () => {
    const receiver = new Receiver('restart-platform-secret');
    await receiver.start();
    Object.assign(process.env, { PLATFORM_WEBHOOK_URL: receiver.url, PLATFORM_WEBHOOK_SECRET: 'restart-platform-secret' });
    const dataDir = mkdtempSync(join(tmpdir(), 'oneseal-relay-restart-'));
    let runtime = await startRuntime({ dataDir });
    try {
      await new Client(runtime.url).post('/dev/clock', { now: TEST_NOW });
      let applicant = await as(runtime.url, { sub: PERSON_ID, role: 'applicant' });
      const submitted = await applicant.post('/v1/applications', pharmacistBody(await uploadAll(applicant, PHARMACIST_MATERIALS)), { 'Idempotency-Key': newKey() });
      const id = submitted.body.applicationId as string;
      const clerk = await as(runtime.url, officers.clerk);
      const task = await waitForTask(clerk, id, 'acceptance');
      await receiver.waitFor(id, 'application.submitted');

      // Committed while nothing is relayed, then the platform stops.
      await runtime.relay.stop();
      expect((await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept', opinion: '材料齐全' })).status).toBe(200);
      await runtime.close();
      expect(receiver.of(id).map((e) => e.type)).toEqual(['application.submitted']);

      runtime = await startRuntime({ dataDir });
      applicant = await as(runtime.url, { sub: PERSON_ID, role: 'applicant' });
      await waitForStatus(applicant, id, 'completed', 30_000);
      const events = await receiver.waitFor(id, 'application.completed');
      expect(receiver.badSignatures).toBe(0);
      expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.map((e) => e.type)).toContain('application.accepted');
    } finally {
      await runtime.close();
      receiver.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
