/**
 * npm run bench — the engine's full and delta cycle on the demo rules, against
 * a lower bound doing only the unavoidable work, each in its own process.
 * `npm run bench -- --n N` runs one size; `--json` prints the rows; `--steps`
 * prints each step's wall time on stderr; `--repeat K` runs each delta K
 * times, each on a copy of the same state, and reports the median (default 5,
 * 1 past 100,000 people, where a copy of the state is gigabytes). `--keep DIR`
 * keeps each size's state before each phase, for `npm run bench:compare`.
 */
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSources } from '../../data/demo/write-sources.ts';
import { applyChanges } from '../../data/demo/bench-changes.ts';
import { copyState, demoProject, measure as measureScript, measureOnCopy, median, type Measured } from './bench-process.ts';

const { values } = parseArgs({ options: { n: { type: 'string' }, json: { type: 'boolean', default: false }, fixed: { type: 'string', default: '100' }, steps: { type: 'boolean', default: false }, repeat: { type: 'string' }, keep: { type: 'string' } } });
const sizes = values.n ? [Number(values.n)] : [10_000, 100_000];
const FIXED = Number(values.fixed);
const here = new URL('.', import.meta.url).pathname;

interface Row { n: number; phase: string; wall_s: number; cpu_s: number; peak_rss_mb: number; objects_per_s: number; ratio_to_lower_bound: number | null; delta_cost_ratio?: number; runs?: number }

const measure = (script: string, args: string[]): Promise<Measured> => measureScript(join(here, script), args, { steps: values.steps });

/** With --keep DIR, each size's state before a phase, as DIR/N/STAGE (a project): `npm run bench:compare` runs commits on copies of it. */
async function keep(n: number, stage: 'full' | 'one-percent' | 'fixed', dir: string): Promise<void> {
  if (!values.keep) return;
  await mkdir(join(values.keep, String(n)), { recursive: true });
  await copyState(dir, join(values.keep, String(n), stage));
}

/** The delta `repeat` times: the first in `dir` (its state goes on), the others each on a copy of the state before it. */
async function deltaRuns(dir: string, repeat: number): Promise<Measured[]> {
  const before = `${dir}-before`;
  if (repeat > 1) await copyState(dir, before);
  const runs = [await measure('bench-child.ts', ['delta', dir])];
  for (let i = 1; i < repeat; i++) runs.push(await measureOnCopy(before, `${dir}-again`, 'delta', { steps: values.steps }));
  await rm(`${dir}-again`, { recursive: true, force: true });
  await rm(before, { recursive: true, force: true });
  return runs;
}

const rows: Row[] = [];
const now = new Date();
const repeatOf = (n: number) => (values.repeat ? Math.max(1, Number(values.repeat)) : n <= 100_000 ? 5 : 1);
/** Per size, the state before the fixed delta: its runs alternate between sizes, so that a slower moment of the machine falls on both. */
const fixedStates: { n: number; dir: string; row: Row }[] = [];
for (const n of sizes) {
  const { dir, people } = await demoProject('bench', n, now);
  await keep(n, 'full', dir);
  const lower = await measure('lower-bound.ts', [dir]);
  rows.push({ n, phase: 'lower bound', ...lower, objects_per_s: n / lower.wall_s, ratio_to_lower_bound: 1 });
  const full = await measure('bench-child.ts', ['full', dir]);
  rows.push({ n, phase: 'full cycle', ...full, objects_per_s: n / full.wall_s, ratio_to_lower_bound: full.wall_s / lower.wall_s });
  const onePercent = applyChanges(people, Math.round(n / 100), now, 1);
  await writeSources(dir, onePercent, undefined, people);
  await keep(n, 'one-percent', dir);
  const deltas = await deltaRuns(dir, repeatOf(n));
  const delta = median(deltas);
  rows.push({ n, phase: `delta cycle, 1% (${Math.round(n / 100)} people)`, ...delta, objects_per_s: Math.round(n / 100) / delta.wall_s, ratio_to_lower_bound: null, runs: deltas.length });
  await writeSources(dir, applyChanges(onePercent, FIXED, now, 2), undefined, onePercent);
  await keep(n, 'fixed', dir);
  const row: Row = { n, phase: `delta cycle, ${FIXED} people`, wall_s: 0, cpu_s: 0, peak_rss_mb: 0, objects_per_s: 0, ratio_to_lower_bound: null };
  rows.push(row);
  fixedStates.push({ n, dir, row });
}
const fixedRuns = new Map<number, Measured[]>(fixedStates.map((f) => [f.n, []]));
for (let i = 0; i < Math.max(...fixedStates.map((f) => repeatOf(f.n))); i++) {
  for (const { n, dir } of fixedStates) {
    if (i >= repeatOf(n)) continue;
    // One run goes in place: at 1,000,000 people a copy of the state is 9 GB.
    fixedRuns.get(n)!.push(repeatOf(n) > 1 ? await measureOnCopy(dir, `${dir}-run`, 'delta', { steps: values.steps }) : await measure('bench-child.ts', ['delta', dir]));
  }
}
for (const { n, dir, row } of fixedStates) {
  const m = median(fixedRuns.get(n)!);
  Object.assign(row, m, { objects_per_s: FIXED / m.wall_s, runs: fixedRuns.get(n)!.length });
  await rm(dirname(dir), { recursive: true, force: true });
}
const fixedRows = fixedStates.map((f) => f.row);
if (fixedRows.length === 2) {
  rows.push({ n: fixedRows[1]!.n, phase: `delta cost ratio ${fixedRows[1]!.n} ÷ ${fixedRows[0]!.n}`, wall_s: 0, cpu_s: 0, peak_rss_mb: 0, objects_per_s: 0, ratio_to_lower_bound: null, delta_cost_ratio: fixedRows[1]!.wall_s / fixedRows[0]!.wall_s });
}
if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
else {
  process.stdout.write(`idsync cycle benchmark — ${now.toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB\n`);
  process.stdout.write(`Delta rows: the median of ${sizes.map((n) => `${repeatOf(n)} run(s) at ${n}`).join(', ')}, column by column, each on a copy of the same state; the ${FIXED}-person delta's runs alternate between sizes.\n\n`);
  process.stdout.write('| N | phase | wall s | CPU s | peak RSS MB | objects/s | ratio to lower bound | delta cost ratio |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n');
  for (const r of rows) {
    const f = (v: number, d = 1) => (v ? v.toFixed(d) : '');
    process.stdout.write(`| ${r.n} | ${r.phase} | ${f(r.wall_s, 2)} | ${f(r.cpu_s, 2)} | ${f(r.peak_rss_mb, 0)} | ${f(r.objects_per_s, 0)} | ${r.ratio_to_lower_bound !== null && r.ratio_to_lower_bound !== 1 ? r.ratio_to_lower_bound.toFixed(1) + '×' : ''} | ${r.delta_cost_ratio ? r.delta_cost_ratio.toFixed(2) : ''} |\n`);
  }
}
