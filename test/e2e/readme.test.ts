import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform.ts';

/**
 * The README's curl journeys, run as a newcomer would paste them (bash, curl, jq), against the
 * embedded platform: the commands in the README are the ones tested, so they cannot drift from
 * the API (a slot bound to its item's material once broke the second journey unnoticed).
 */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.close();
});

/** The README's ```bash blocks, in order. */
const bashBlocks = () => [...readFileSync('README.md', 'utf8').matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Runs a script in bash, asynchronously: the platform answering its requests runs in this process. */
function bash(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, timeout: 60_000, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
  });
}

it('drives both README journeys to a verified license', async () => {
  const [, first, second] = bashBlocks();
  expect(first).toContain('B=http://127.0.0.1:3000');
  const script = `set -euo pipefail\n${first.replace('B=http://127.0.0.1:3000', `B=${platform.url}`)}\necho '==== second journey'\n${second}`;
  const cwd = mkdtempSync(join(tmpdir(), 'oneseal-readme-'));
  try {
    const run = await bash(script, cwd);
    expect(run.stderr, run.stdout.slice(-2000)).toBe('');
    expect(run.code).toBe(0);
    const [firstOut, secondOut] = run.stdout.split('==== second journey');
    // The licensed pharmacist: accepted and sealed at once, its license verifies, its PDF has a download URL.
    expect(firstOut, firstOut.slice(-3000)).toMatch(/"valid": true/);
    expect(firstOut).toMatch(/"signatureValid": true/);
    expect(firstOut).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oneseal-licenses\/licenses\/ZYYS-640100-\d{4}-\d{6}-\d\.pdf\?/m);
    // The pharmacy: four officer steps, then a license that verifies.
    expect(secondOut.match(/\{"step":"[a-z]+","status":"[a-z]+"\}/g)).toEqual(['{"step":"accept","status":"accepted"}', '{"step":"pass","status":"accepted"}', '{"step":"pass","status":"accepted"}', '{"step":"approve","status":"approved"}']);
    expect(JSON.parse(secondOut.slice(secondOut.lastIndexOf('{')))).toMatchObject({ valid: true, signatureValid: true, licenseNo: expect.stringMatching(/^YPJY-640100-/) });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
