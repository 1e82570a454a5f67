/**
 * The README's benchmark table, made from bench/results.json: a full `npm run bench` rewrites
 * the part of README.md between the bench markers; `tsx bench/readme.ts` does it again from the
 * last results.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figure { section: string; name: string; median: number; min?: number; max?: number; unit: string; target?: string; pass?: boolean }
export interface Results { date: string; machine: { cpus: number; model?: string; memoryGiB: number; node: string }; durationSeconds: number; prices: { asOf: string; region: string }; figures: Figure[] }

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const num = (n: number) => (Number.isInteger(n) || Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3));
const verdict = (f: Figure) => (f.target ? `${f.target} — ${f.pass ? 'pass' : '**miss**'}` : '');
const row = (name: string, f: Figure, range = true) => `| ${name} | ${num(f.median)} ${f.unit} | ${range && f.min !== undefined && f.min !== f.max ? `${num(f.min)}–${num(f.max!)}` : ''} | ${verdict(f)} |`;

export function benchTable(r: Results): string {
  const bundles = r.figures.filter((f) => f.section === 'bundles' && !f.name.startsWith('median') && !f.name.startsWith('floor'));
  const medianSize = r.figures.find((f) => f.section === 'bundles' && f.name.startsWith('median'));
  const floor = r.figures.find((f) => f.section === 'bundles' && f.name.startsWith('floor'));
  const others = r.figures.filter((f) => f.section !== 'bundles');
  const lines = [
    `Latest run: **${r.date.slice(0, 10)}**, ${r.machine.cpus} × ${r.machine.model ?? 'CPU'}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.durationSeconds} s.`,
    `Prices: \`bench/prices.json\` (${r.prices.region} list prices as of ${r.prices.asOf}).`,
    '',
    '| figure | median | min–max | target |',
    '| --- | --- | --- | --- |',
    ...others.map((f) => row(`${f.section}: ${f.name}`, f)),
  ];
  // Twenty-odd functions: the largest and slowest stand for the rest; the sealer has its own limits.
  const sealer = (what: string) => bundles.find((f) => f.name === `seal-licenses: ${what}`);
  const worst = (what: string) => bundles.filter((f) => f.name.endsWith(`: ${what}`) && !f.name.startsWith('seal-licenses')).sort((a, b) => b.median - a.median)[0];
  const count = bundles.filter((f) => f.name.endsWith(': size')).length;
  const size = worst('size');
  const init = worst('cold init');
  const failing = bundles.filter((f) => f.pass === false && !f.name.startsWith('seal-licenses')).length;
  if (medianSize) lines.push(row(`bundles: ${medianSize.name}`, medianSize, false));
  if (floor) lines.push(row(`bundles: ${floor.name}`, floor));
  if (size && init) {
    lines.push(
      row(`bundles: largest of ${count - 1} (${size.name.split(':')[0]})${failing ? ` — ${failing} bundle figures missed` : ''}`, size, false),
      row(`bundles: slowest cold init of ${count - 1} (${init.name.split(':')[0]})`, init),
    );
  }
  const sealerSize = sealer('size');
  const sealerInit = sealer('cold init');
  if (sealerSize) lines.push(row('bundles: sealer (code; the 10 MB font ships beside it)', sealerSize, false));
  if (sealerInit) lines.push(row('bundles: sealer cold init', sealerInit));
  const targets = r.figures.filter((f) => f.pass !== undefined);
  lines.push('', `${targets.filter((f) => f.pass).length} of ${targets.length} targets met.`);
  return lines.join('\n');
}

export function updateReadme(r: Results, file = join(ROOT, 'README.md')) {
  const readme = readFileSync(file, 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} section for the benchmark table`);
  writeFileSync(file, `${readme.slice(0, from + START.length)}\n${benchTable(r)}\n${readme.slice(to)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  updateReadme(JSON.parse(readFileSync(join(ROOT, 'bench/results.json'), 'utf8')) as Results);
}
