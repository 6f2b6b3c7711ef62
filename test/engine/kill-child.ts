/** Runs one cycle of the kill test's project; the parent kills it at random moments. */
import { openProject, runProfile } from '../../engine/index.ts';

// Small limits, so that kills also land while a step writes objects out before its commit and while a snapshot is written.
const project = await openProject(process.argv[2]!, { waitMs: 30_000, storeOptions: { spillAfterObjects: 100, compactAfterOps: 2_000 } });
try {
  const runs = await runProfile(project.engine, 'cycle');
  process.stdout.write(JSON.stringify(runs.map((r) => [r.agent, r.step, r.status, r.errors.length])) + '\n');
} finally {
  await project.close();
}
