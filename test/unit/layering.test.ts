import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point one way (ARCHITECTURE.md, "Dependencies point one way"):
 * functions → shared/http → usecases → domain; ports in the middle, adapters implementing them;
 * infra and local on top, importing shared but never each other. Every import of every .ts
 * file of shared/, functions/, local/ and infra/ is read here (static, re-exports, side-effect
 * and dynamic `import('…')` with a literal path) and checked against its layer's rule.
 */

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const SCANNED = ['shared', 'functions', 'local', 'infra'];

type Layer = 'domain' | 'contract' | 'ports' | 'seal' | 'usecases' | 'adapters' | 'http' | 'composition' | 'lib' | 'functions' | 'local' | 'infra';

/** The layer a repository path belongs to; a file of shared/ that fits none fails the test, so that a new one gets a place. */
function layerOf(path: string): Layer | undefined {
  if (/^shared\/(domain|calendar|catalog)\//.test(path)) return 'domain';
  // The HTTP contract's shapes: the requests (contract.ts) and the answers (responses.ts).
  if (path === 'shared/contract.ts' || path === 'shared/responses.ts') return 'contract';
  if (path === 'shared/ports.ts' || path === 'shared/deps.ts') return 'ports';
  if (path.startsWith('shared/seal/')) return 'seal';
  if (path.startsWith('shared/usecases/')) return 'usecases';
  if (path.startsWith('shared/adapters/')) return 'adapters';
  if (path.startsWith('shared/http/')) return 'http';
  if (['shared/wiring.ts', 'shared/wiring-seal.ts', 'shared/config.ts', 'shared/clock.ts', 'shared/city.ts'].includes(path)) return 'composition';
  if (path === 'shared/retry.ts' || path === 'shared/cached.ts') return 'lib';
  if (path.startsWith('functions/')) return 'functions';
  if (path.startsWith('local/')) return 'local';
  if (path.startsWith('infra/')) return 'infra';
  return undefined;
}

const AWS_RUNTIME = [/^@aws-sdk\//, /^@middy\//, /^@aws-lambda-powertools\//, /^aws-lambda$/, /^aws-cdk-lib/, /^constructs$/];
const ALL: Layer[] = ['domain', 'contract', 'ports', 'seal', 'usecases', 'adapters', 'http', 'composition', 'lib', 'functions', 'local', 'infra'];
const except = (...allowed: Layer[]) => ALL.filter((l) => !allowed.includes(l));

/** What each layer must not import: other layers, and packages (the AWS SDK, middy, Powertools, CDK). */
const FORBIDDEN: Record<Layer, { layers: Layer[]; packages?: RegExp[] }> = {
  // The rules themselves: no I/O, no AWS, nothing above.
  domain: { layers: except('domain', 'lib'), packages: AWS_RUNTIME },
  // The requests of the HTTP contract: shapes over the domain's terms.
  contract: { layers: except('domain', 'contract', 'lib'), packages: AWS_RUNTIME },
  // The interfaces the use cases need, in the domain's terms.
  ports: { layers: except('domain', 'ports', 'lib'), packages: AWS_RUNTIME },
  seal: { layers: except('domain', 'lib', 'seal'), packages: AWS_RUNTIME },
  // Use cases take their ports as parameters: no adapter, no HTTP, no wiring.
  usecases: { layers: except('domain', 'contract', 'ports', 'seal', 'usecases', 'lib'), packages: AWS_RUNTIME },
  // Adapters implement ports with the AWS SDK; they read their configuration, nothing above.
  adapters: { layers: ['usecases', 'http', 'functions', 'local', 'infra'] },
  http: { layers: ['adapters', 'functions', 'local', 'infra'] },
  // The composition root builds adapters; it knows no use case, no handler, nothing local.
  composition: { layers: ['usecases', 'http', 'functions', 'local', 'infra'] },
  lib: { layers: except('lib') },
  // Handlers reach adapters through the wiring, never on their own.
  functions: { layers: ['adapters', 'local', 'infra'] },
  local: { layers: ['infra'] },
  infra: { layers: ['local', 'functions'] },
};

interface Import {
  from: string;
  specifier: string;
  /** The repository path imported, or the package name. */
  target: string;
}

const IMPORT_PATTERNS = [
  // import … from '…', import type … from '…', export … from '…' (also across lines)
  /^\s*(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/gm,
  // import '…' (for its side effects)
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  // import('…')
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

const ALIASES: Record<string, string> = { '#shared/': 'shared/' };

export function importsOf(from: string, source: string): Import[] {
  const found: Import[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of source.matchAll(pattern)) {
      const specifier = m[1];
      const alias = Object.keys(ALIASES).find((a) => specifier.startsWith(a));
      const target = specifier.startsWith('.')
        ? relative(ROOT, resolve(ROOT, dirname(from), specifier)).split('\\').join('/')
        : alias
          ? ALIASES[alias] + specifier.slice(alias.length)
          : specifier;
      found.push({ from, specifier, target });
    }
  }
  return found;
}

/** Every import that runs against the direction, said as a sentence. */
export function violationsOf(imports: Import[]): string[] {
  const out: string[] = [];
  for (const i of imports) {
    const layer = layerOf(i.from);
    if (!layer) {
      out.push(`${i.from} is in no layer: give it one in test/unit/layering.test.ts`);
      continue;
    }
    const rule = FORBIDDEN[layer];
    const targetLayer = SCANNED.some((d) => i.target.startsWith(`${d}/`)) ? layerOf(i.target) : undefined;
    if (targetLayer && rule.layers.includes(targetLayer)) out.push(`${i.from} (${layer}) imports ${i.specifier} (${targetLayer})`);
    else if (rule.packages?.some((p) => p.test(i.target))) out.push(`${i.from} (${layer}) imports the package ${i.specifier}`);
  }
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'cdk.out' ? [] : tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const files = SCANNED.flatMap(tsFiles);
const imports = files.flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), 'utf8')));

describe('the direction of dependencies', () => {
  it('reads the imports of every file (the check below is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(300);
    // One of each form the patterns read: a multi-line import, a side-effect import, a dynamic import, an alias.
    expect(imports).toContainEqual(expect.objectContaining({ from: 'functions/health/handler.ts', target: 'shared/http/openapi.ts' }));
    expect(imports).toContainEqual(expect.objectContaining({ from: 'local/runtime.ts', target: 'local/node-version.ts' }));
    expect(imports).toContainEqual(expect.objectContaining({ from: 'shared/adapters/aws/s3.ts', target: '@aws-sdk/client-s3' }));
    expect(imports).toContainEqual(expect.objectContaining({ from: 'local/wiring.ts', target: 'shared/wiring.ts' }));
  });

  it('puts every file of shared/ in a layer', () => {
    expect(files.filter((f) => !layerOf(f))).toEqual([]);
  });

  it('never runs up or sideways', () => {
    expect(violationsOf(imports)).toEqual([]);
  });

  it('catches an import against the direction, in each form', () => {
    const upward = [
      ['shared/domain/calendar.ts', "import { wiring } from '../wiring.ts';"],
      ['shared/domain/task.ts', "import type { Caller } from '#shared/http/api.ts';"],
      ['shared/domain/audit.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
      ['shared/usecases/tasks.ts', "import {\n  parseWith,\n} from '../http/api.ts';"],
      ['shared/usecases/seal.ts', "const { S3Store } = await import('../adapters/aws/s3.ts');"],
      ['shared/wiring.ts', "import { P256FileSigner } from '../local/adapters/file-signer.ts';"],
      ['shared/http/openapi.ts', "export { ROUTES } from '../../functions/routes.ts';"],
      ['functions/health/handler.ts', "import '../../local/node-version.ts';"],
      ['infra/city-stack.ts', "import { FLOWS } from '../local/flows.ts';"],
      ['local/runtime.ts', "import { yinchuan } from '../infra/cities/yinchuan.ts';"],
    ] as const;
    for (const [file, source] of upward) expect(violationsOf(importsOf(file, source)), `${file}: ${source}`).toHaveLength(1);
    // And the way down is open.
    expect(violationsOf(importsOf('shared/usecases/tasks.ts', "import { parseWith } from '../domain/validation.ts';"))).toEqual([]);
  });
});
