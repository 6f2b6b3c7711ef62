import { openProject, runStep } from '../../engine/index.ts';
const [dir, ...steps] = process.argv.slice(2) as [string, ...string[]];
const project = await openProject(dir);
try {
  for (const s of steps) {
    const [agent, step] = s.split(':') as [string, string];
    const t = performance.now();
    const r = await runStep(project.engine, agent, step as never, { allowDeletes: true } as never);
    process.stderr.write(`${s}: ${((performance.now() - t) / 1000).toFixed(2)} s ${r.status}\n`);
  }
} finally { await project.close(); }
