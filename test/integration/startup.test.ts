import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * The emulators take any credentials: none of them may be reachable from the network. Every
 * listening socket on their ports (from the kernel's own table) is bound to the loopback address.
 */
it('binds DynamoDB Local, the S3 emulator and the API to 127.0.0.1 only', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'oneseal-bind-'));
  const runtime = await startRuntime({ dataDir });
  try {
    const ports = [runtime.url, runtime.endpoints.dynamodb, runtime.endpoints.s3, runtime.endpoints.sfn].map((u) => Number(new URL(u).port));
    // /proc/net/tcp{,6}: local address as hex ip:port, state 0A = LISTEN.
    const listening = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((cols) => cols[3] === '0A')
        .map((cols) => ({ address: cols[1].split(':')[0], port: parseInt(cols[1].split(':')[1], 16) })),
    );
    for (const port of ports) {
      const sockets = listening.filter((s) => s.port === port);
      expect(sockets.length, `nothing listens on ${port}`).toBeGreaterThan(0);
      // 127.0.0.1 is 0100007F (IPv4) or ::ffff:127.0.0.1 (IPv6-mapped); 0.0.0.0 or :: would be every interface.
      for (const s of sockets) expect(['0100007F', '0000000000000000FFFF00000100007F'], `port ${port} listens on ${s.address}`).toContain(s.address);
    }
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
