/**
 * npm run bench:steady — the delta cycle as it runs day after day: a full
 * cycle, then `--deltas K` delta cycles in a row on the same store, each after
 * another 1% of people changed (a third hired, a third terminated, a third
 * retitled), as a half-hourly schedule would run them. `npm run bench` times
 * one delta on a store just compacted; here the journal grows from one delta
 * to the next until closing writes a snapshot, and each row shows what the
 * next open replays. `--n N` (default 10,000), `--json` for the rows.
 */
import { rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSources } from '../../data/demo/write-sources.ts';
import { applyChanges } from '../../data/demo/bench-changes.ts';
import { demoProject, measure } from './bench-process.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '10000' }, deltas: { type: 'string', default: '12' }, json: { type: 'boolean', default: false } } });
const n = Number(values.n);
const deltas = Number(values.deltas);
if (!Number.isInteger(n) || n < 100 || !Number.isInteger(deltas) || deltas < 1) throw new Error('--n takes a whole number of 100 or more, --deltas one of 1 or more');
const child = join(new URL('.', import.meta.url).pathname, 'bench-child.ts');

interface Row { n: number; delta: number; journal_mb: number; open_s: number; wall_s: number; cpu_s: number; peak_rss_mb: number }

const now = new Date();
const project = await demoProject('steady', n, now);
const { dir } = project;
let { people } = project;
const journalMb = () => stat(join(dir, '.idsync', 'journal.jsonl')).then((s) => s.size / 2 ** 20, () => 0);
// BENCH_OPEN: the child adds the time it took to open the store to the figures it prints.
process.env['BENCH_OPEN'] = '1';
const rows: Row[] = [];
try {
  const full = await measure(child, ['full', dir]);
  rows.push({ n, delta: 0, journal_mb: 0, open_s: full.open_s ?? 0, wall_s: full.wall_s, cpu_s: full.cpu_s, peak_rss_mb: full.peak_rss_mb });
  for (let d = 1; d <= deltas; d++) {
    const next = applyChanges(people, Math.round(n / 100), now, 100 + d);
    await writeSources(dir, next, undefined, people);
    people = next;
    const journal_mb = await journalMb();
    const m = await measure(child, ['delta', dir]);
    rows.push({ n, delta: d, journal_mb, open_s: m.open_s ?? 0, wall_s: m.wall_s, cpu_s: m.cpu_s, peak_rss_mb: m.peak_rss_mb });
  }
} finally {
  // A run that failed leaves no store of this size behind in the temporary folder.
  await rm(dirname(dir), { recursive: true, force: true });
}

if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
else {
  process.stdout.write(`idsync steady-state benchmark — ${now.toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, N = ${n}, 1% per delta\n\n`);
  process.stdout.write('| delta | journal before, MB | open s | wall s | CPU s | peak RSS MB |\n| --- | --- | --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.delta ? r.delta : 'full cycle'} | ${r.journal_mb.toFixed(1)} | ${r.open_s.toFixed(2)} | ${r.wall_s.toFixed(2)} | ${r.cpu_s.toFixed(2)} | ${r.peak_rss_mb.toFixed(0)} |\n`);
}
