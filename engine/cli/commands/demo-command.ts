/** `idsync demo`: the README's first command. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { runDemo } from '../../demo.ts';
import { openProject } from '../../project.ts';
import { wholeNumber } from '../open.ts';
import { printMv } from './inspect-commands.ts';
import { explainLineage } from '../../inspect.ts';
import type { Out } from '../output.ts';
import { exitCodeFor } from './run-commands.ts';

const brief = (counters: Record<string, number>) =>
  Object.entries(counters).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'no change';

export function registerDemoCommand(program: Command, out: Out, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('generate a demo company, run a full cycle, a day of HR changes, and a delta cycle (no server needed)')
    .option('--dir <dir>', 'working folder (recreated each time)', 'idsync-demo')
    .option('--people <n>', 'company size', wholeNumber, 500)
    .action(async (o: { dir: string; people: number }) => {
      const started = Date.now();
      const result = await runDemo({
        dir: o.dir,
        people: o.people,
        onPhase: (line) => out(`\n${line}`),
        onStep: (_phase, r) => out(`  ${`${r.agent} ${r.step}`.padEnd(28)} ${r.status.padEnd(16)} ${brief(r.counters)}${r.errors.length ? ` (${r.errors.length} error(s): idsync history show ${r.id.slice(0, 8)} --project ${o.dir})` : ''}`),
      });
      const project = await openProject(result.dir);
      try {
        const both = [...project.store.mvValues()].find((m) => m.attrs['employeeId'] === '100015');
        if (both) {
          out('\nLineage of a person who is both an employee and a contractor (HR wins, Workday fills the rest):');
          printMv(both, explainLineage(project.rules, project.store, both), out);
        }
      } finally {
        await project.close();
      }
      out(`\nOutputs in ${join(result.dir, 'out')}: directory.ldif and directory-changes.ldif (the directory), cloud.ldif (the cloud directory), app-users.csv (the app).`);
      out(`Explore: npx idsync status --project ${o.dir} · npx idsync mv search person --project ${o.dir} · npx idsync mv show person:employeeId=100015 --lineage --project ${o.dir}`);
      out(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      setExit(exitCodeFor([...result.full, ...result.delta]));
    });
}
