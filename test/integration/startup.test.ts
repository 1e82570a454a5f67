import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startRuntime, StartError } from '../../local/runtime.ts';
import { freePort } from '../../local/emulators.ts';

/** While the embedded platform starts (DynamoDB Local takes seconds), a request is answered at once: 503, try again. */
it('answers a request made during start-up with 503 platform.starting in under a second', async () => {
  // Prepare
  const dataDir = mkdtempSync(join(tmpdir(), 'oneseal-startup-'));
  const port = await freePort();
  const starting = startRuntime({ port, dataDir });
  let settled = false;
  void starting.finally(() => (settled = true));

  // Act: ask until the server takes connections, while it is still starting.
  let answer: { status: number; ms: number; body: any; retryAfter: string | null } | undefined;
  while (!answer && !settled) {
    const sent = performance.now();
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(5_000) });
      answer = { status: r.status, ms: performance.now() - sent, body: await r.json(), retryAfter: r.headers.get('retry-after') };
    } catch {
      await new Promise((r) => setTimeout(r, 10)); // not listening yet
    }
  }
  const runtime = await starting;
  try {
    // Assess
    expect(answer, 'the platform finished starting before it took a connection').toBeDefined();
    expect(answer!.status).toBe(503);
    expect(answer!.ms).toBeLessThan(1_000);
    expect(answer!.body).toMatchObject({ code: 'platform.starting', status: 503 });
    expect(Number(answer!.retryAfter)).toBeGreaterThan(0);
    const ready = await fetch(`${runtime.url}/v1/health`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { calendar: { officialThrough: number } }).calendar.officialThrough).toBeGreaterThanOrEqual(2026);
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** A city rotating the embedded seal's keys by hand gets one plain line for a broken keys.json, and nothing half-started. */
it('refuses to start on a seal/keys.json that is not JSON, or not a list of keys, naming the file', async () => {
  for (const [content, says] of [
    ['[{"key": "p256.pem",', 'is not JSON'],
    ['[{"key": "p256.pem", "activeFrom": "1 July"}]', 'is not a list of seal keys: 0.activeFrom'],
  ] as const) {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'oneseal-keys-'));
    mkdirSync(join(dataDir, 'seal'));
    writeFileSync(join(dataDir, 'seal', 'keys.json'), content);
    try {
      // Act
      const started = startRuntime({ port: await freePort(), dataDir });
      // Assess
      await expect(started).rejects.toBeInstanceOf(StartError);
      await expect(started).rejects.toThrow(`${join(dataDir, 'seal', 'keys.json')} ${says}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
});
