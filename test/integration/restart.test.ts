import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRuntime, StartError } from '../../local/runtime.ts';
import { as, Client, ENTERPRISE_CODE, officers, submitPharmacy, TEST_NOW, waitForStatus, waitForTask } from '../support/platform.ts';

/** The embedded runtime is durable: stopping and starting it loses no application. Its own file: one runtime per process at a time. */
describe('a restart of the embedded runtime', () => {
  it('loses no application: one waiting at review survives and then completes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oneseal-restart-'));
    let runtime = await startRuntime({ dataDir });
    try {
      await new Client(runtime.url).post('/dev/clock', { now: TEST_NOW });
      const { id } = await submitPharmacy(runtime.url);
      let clerk = await as(runtime.url, officers.clerk);
      await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'acceptance')).taskId}/complete`, { outcome: 'accept' });
      const review = await waitForTask(clerk, id, 'review');

      await runtime.close();
      runtime = await startRuntime({ dataDir });

      clerk = await as(runtime.url, officers.clerk);
      const chief = await as(runtime.url, officers.chief);
      const applicant = await as(runtime.url, { sub: ENTERPRISE_CODE, role: 'applicant' });
      const still = await waitForTask(clerk, id, 'review');
      expect(still.taskId).toBe(review.taskId);
      expect((await clerk.post(`/v1/tasks/${review.taskId}/complete`, { outcome: 'pass' })).status).toBe(200);
      await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'inspection')).taskId}/complete`, { outcome: 'pass' });
      await chief.post(`/v1/tasks/${(await waitForTask(chief, id, 'decision')).taskId}/complete`, { outcome: 'approve', opinion: '准予许可' });
      const app = await waitForStatus(applicant, id, 'completed');
      // Replay ran no step twice: one acceptance, one task per step, one license.
      expect(app.timeline.filter((e: { action: string }) => e.action === 'acceptance.accept')).toHaveLength(1);
      expect(app.licenses).toHaveLength(1);
      const verify = await new Client(runtime.url).get(`/v1/licenses/${app.licenses[0].licenseNo}/verify`);
      expect(verify.body.valid).toBe(true);
    } finally {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a start that cannot go on', () => {
  it('says why in one line and leaves nothing running: a busy port, a data folder in use by another process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oneseal-busy-'));
    const otherDir = mkdtempSync(join(tmpdir(), 'oneseal-busy-'));
    const runtime = await startRuntime({ dataDir });
    const jvms = () => spawnSync('pgrep', ['-f', 'DynamoDBLocal.jar'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;
    try {
      const running = jvms();
      const port = Number(new URL(runtime.url).port);
      await expect(startRuntime({ dataDir: otherDir, port })).rejects.toThrow(new StartError(`port ${port} is already in use (another oneseal?): stop it, or set PORT to another port`));

      // npm start as a second process on the same data folder.
      const second = spawnSync(process.execPath, ['--import', 'tsx', 'local/main.ts'], { encoding: 'utf8', env: { ...process.env, PORT: '0', DATA_DIR: dataDir }, timeout: 60_000 });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`oneseal: cannot start: the data folder ${dataDir} is in use by another oneseal (pid ${process.pid})`);
      expect(jvms()).toBe(running);
    } finally {
      await runtime.close();
      for (const dir of [dataDir, otherDir]) rmSync(dir, { recursive: true, force: true });
    }
  });
});


describe('a platform killed outright', () => {
  it('leaves neither DynamoDB Local nor the S3 emulator running', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oneseal-killed-'));
    // Its emulators are the processes whose command line names the data folder.
    const emulators = () => spawnSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
    const platform = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], { env: { ...process.env, PORT: '0', DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        platform.stdout!.on('data', (d: Buffer) => (out += d.toString()).includes('oneseal is running') && resolve());
        platform.once('exit', (code) => reject(new Error(`the platform exited (${code})`)));
      });
      expect(emulators()).toHaveLength(2);

      platform.kill('SIGKILL');

      for (let i = 0; i < 100 && emulators().length; i++) await new Promise((r) => setTimeout(r, 100));
      expect(emulators()).toEqual([]);
    } finally {
      platform.kill('SIGKILL');
      for (const pid of emulators()) process.kill(Number(pid), 'SIGKILL'); // a failed run leaves none behind either
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
