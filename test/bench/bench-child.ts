/** One benchmark measurement in its own process: prints CPU time and peak RSS as the OS reports them. */
import { openProject, runProfile } from '../../engine/index.ts';
import type { RunRecord } from '../../data/objects.ts';

const [phase, dir] = process.argv.slice(2) as [string, string];
const steps = !!process.env['BENCH_STEPS'];
const t0 = performance.now();
const project = await openProject(dir);
const open_s = (performance.now() - t0) / 1000;
if (steps) process.stderr.write(`  ${phase} open store: ${open_s.toFixed(2)} s\n`);
try {
  // 1% of 100,000 includes 333 terminations, over the demo's threshold: an operator would check the plan and allow them.
  // BENCH_STEPS=1 (npm run bench -- --steps): where the time goes, one line per step on stderr,
  // measured from outside the step so that its final commit counts.
  let mark = performance.now();
  const onStep = (r: RunRecord) => {
    if (steps) process.stderr.write(`  ${phase} ${r.agent} ${r.step}: ${((performance.now() - mark) / 1000).toFixed(2)} s\n`);
    mark = performance.now();
  };
  const runs = await runProfile(project.engine, phase === 'full' ? 'full-cycle' : 'delta-cycle', { allowDeletes: true, onStep });
  const failed = runs.filter((r) => r.status !== 'success');
  if (failed.length) throw new Error(failed.map((r) => `${r.agent} ${r.step}: ${r.status} ${JSON.stringify(r.errors.slice(0, 2))}`).join('; '));
} finally {
  const t1 = performance.now();
  await project.close();
  if (steps) process.stderr.write(`  ${phase} close store: ${((performance.now() - t1) / 1000).toFixed(2)} s\n`);
}
const u = process.resourceUsage();
// BENCH_OPEN (npm run bench:steady): also how long opening the store took. BENCH_FLAGS (bench:compare): the flags it ran with.
process.stdout.write(JSON.stringify({ cpu_s: (u.userCPUTime + u.systemCPUTime) / 1e6, peak_rss_mb: u.maxRSS / 1024, ...(process.env['BENCH_OPEN'] ? { open_s } : {}), ...(process.env['BENCH_FLAGS'] ? { node_flags: process.execArgv } : {}) }) + '\n');
