/**
 * npm run bench — the engine's full and delta cycle on the demo rules, against
 * a lower bound doing only the unavoidable work, each in its own process.
 * `npm run bench -- --n N` runs one size; `--json` prints the rows; `--steps`
 * prints each step's wall time on stderr.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePeople } from '../../data/demo/people.ts';
import { writeSources } from '../../data/demo/write-sources.ts';
import { applyChanges } from '../../data/demo/bench-changes.ts';
import { demoRulesDir } from '../../engine/demo.ts';

const { values } = parseArgs({ options: { n: { type: 'string' }, json: { type: 'boolean', default: false }, fixed: { type: 'string', default: '100' }, steps: { type: 'boolean', default: false } } });
const sizes = values.n ? [Number(values.n)] : [10_000, 100_000];
const FIXED = Number(values.fixed);
const here = new URL('.', import.meta.url).pathname;

interface Row { n: number; phase: string; wall_s: number; cpu_s: number; peak_rss_mb: number; objects_per_s: number; ratio_to_lower_bound: number | null; delta_cost_ratio?: number }

function measure(script: string, args: string[]): Promise<{ wall_s: number; cpu_s: number; peak_rss_mb: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ['--max-old-space-size=20000', '--import', 'tsx/esm', join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...(values.steps ? { BENCH_STEPS: '1' } : {}) } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      const wall_s = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${out}`));
      resolve({ wall_s, ...(JSON.parse(out.trim().split('\n').at(-1)!) as { cpu_s: number; peak_rss_mb: number }) });
    });
  });
}

const rows: Row[] = [];
const now = new Date();
for (const n of sizes) {
  const dir = join(await mkdtemp(join(os.tmpdir(), `idsync-bench-${n}-`)), 'project');
  await mkdir(join(dir, 'out'), { recursive: true });
  await cp(demoRulesDir, join(dir, 'rules'), { recursive: true });
  const people = generatePeople(n, now);
  await writeSources(dir, people);
  const lower = await measure('lower-bound.ts', [dir]);
  rows.push({ n, phase: 'lower bound', ...lower, objects_per_s: n / lower.wall_s, ratio_to_lower_bound: 1 });
  const full = await measure('bench-child.ts', ['full', dir]);
  rows.push({ n, phase: 'full cycle', ...full, objects_per_s: n / full.wall_s, ratio_to_lower_bound: full.wall_s / lower.wall_s });
  const onePercent = applyChanges(people, Math.round(n / 100), now, 1);
  await writeSources(dir, onePercent, undefined, people);
  const delta = await measure('bench-child.ts', ['delta', dir]);
  rows.push({ n, phase: `delta cycle, 1% (${Math.round(n / 100)} people)`, ...delta, objects_per_s: Math.round(n / 100) / delta.wall_s, ratio_to_lower_bound: null });
  await writeSources(dir, applyChanges(onePercent, FIXED, now, 2), undefined, onePercent);
  const fixed = await measure('bench-child.ts', ['delta', dir]);
  rows.push({ n, phase: `delta cycle, ${FIXED} people`, ...fixed, objects_per_s: FIXED / fixed.wall_s, ratio_to_lower_bound: null });
  await rm(dir, { recursive: true, force: true });
}
const fixedRows = rows.filter((r) => r.phase.startsWith(`delta cycle, ${FIXED} `));
if (fixedRows.length === 2) {
  rows.push({ n: fixedRows[1]!.n, phase: `delta cost ratio ${fixedRows[1]!.n} ÷ ${fixedRows[0]!.n}`, wall_s: 0, cpu_s: 0, peak_rss_mb: 0, objects_per_s: 0, ratio_to_lower_bound: null, delta_cost_ratio: fixedRows[1]!.wall_s / fixedRows[0]!.wall_s });
}
if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
else {
  process.stdout.write(`idsync cycle benchmark — ${now.toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB\n\n`);
  process.stdout.write('| N | phase | wall s | CPU s | peak RSS MB | objects/s | ratio to lower bound | delta cost ratio |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n');
  for (const r of rows) {
    const f = (v: number, d = 1) => (v ? v.toFixed(d) : '');
    process.stdout.write(`| ${r.n} | ${r.phase} | ${f(r.wall_s, 2)} | ${f(r.cpu_s, 2)} | ${f(r.peak_rss_mb, 0)} | ${f(r.objects_per_s, 0)} | ${r.ratio_to_lower_bound !== null && r.ratio_to_lower_bound !== 1 ? r.ratio_to_lower_bound.toFixed(1) + '×' : ''} | ${r.delta_cost_ratio ? r.delta_cost_ratio.toFixed(2) : ''} |\n`);
  }
}
