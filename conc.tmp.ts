import './local/polyfills.ts';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
const { startRuntime } = await import('./local/runtime.ts');
const S = await import('./test/support/platform.ts');
const rt = await startRuntime({ dataDir: mkdtempSync(join(tmpdir(), 'conc-')), log: () => {} });
await new S.Client(rt.url).post('/dev/clock', { now: S.TEST_NOW });
const jvm = () => { const f = readFileSync(`/proc/${rt.dynamodbPid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const applicant = await S.as(rt.url, { sub: S.PERSON_ID, role: 'applicant' });
for (const clients of [1, 16, 1, 16]) {
  const bodies = [];
  for (let i = 0; i < 64; i++) bodies.push(S.pharmacistBody(await S.uploadAll(applicant, S.PHARMACIST_MATERIALS)));
  await new Promise((r) => setTimeout(r, 1500));
  const j0 = jvm(); const n0 = process.cpuUsage(); const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => { while (next < bodies.length) { const b = bodies[next++]; const r = await applicant.post('/v1/applications', b, { 'Idempotency-Key': S.newKey() }); if (r.status !== 201) throw new Error(String(r.status)); } }));
  const wall = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1500));
  const n = process.cpuUsage(n0);
  console.log(`${clients} clients: ${(64 / (wall / 1000)).toFixed(1)} apps/s, JVM ${((jvm() - j0) / 64).toFixed(1)} ms/app, node ${((n.user + n.system) / 1000 / 64).toFixed(1)} ms/app (incl. 3 s idle)`);
}
await rt.close();
