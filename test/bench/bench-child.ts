/** One benchmark measurement in its own process: prints CPU time and peak RSS as the OS reports them. */
import { openProject, runProfile } from '../../engine/index.ts';

const [phase, dir] = process.argv.slice(2) as [string, string];
const project = await openProject(dir);
try {
  // 1% of 100,000 includes 333 terminations, over the demo's threshold: an operator would check the plan and allow them.
  const runs = await runProfile(project.engine, phase === 'full' ? 'full-cycle' : 'delta-cycle', { allowDeletes: true });
  const failed = runs.filter((r) => r.status !== 'success');
  if (failed.length) throw new Error(failed.map((r) => `${r.agent} ${r.step}: ${r.status} ${JSON.stringify(r.errors.slice(0, 2))}`).join('; '));
} finally {
  await project.close();
}
const u = process.resourceUsage();
process.stdout.write(JSON.stringify({ cpu_s: (u.userCPUTime + u.systemCPUTime) / 1e6, peak_rss_mb: u.maxRSS / 1024 }) + '\n');
