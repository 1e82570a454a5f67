import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../shared/http/openapi.ts';

/**
 * `npm run lint:openapi`: writes the OpenAPI document the API publishes to a temporary file and
 * lints it with Redocly's recommended rules (redocly.yaml). Offline: no telemetry, no update
 * check. Exits non-zero when the lint finds an error.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'oneseal-openapi-'));
try {
  const file = join(dir, 'openapi.json');
  // A deployed city's address: the lint warns of servers on localhost.
  writeFileSync(file, JSON.stringify(openApiDocument('https://oneseal.yinchuan.gov.cn'), null, 2));
  const cli = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  const lint = spawnSync(process.execPath, [cli, 'lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'stylish'], {
    stdio: 'inherit',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' },
  });
  process.exitCode = lint.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
