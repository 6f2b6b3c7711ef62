/** `idsync run AGENT STEP` and `idsync run PROFILE`. */
import type { Command } from 'commander';
import { parseStepType, runProfile, runStep } from '../../index.ts';
import type { RunRecord } from '../../../data/objects.ts';
import { stoppingStatuses } from '../../run/run-step.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { withProject, projectOptions, wholeNumber, type ProjectFlags } from '../open.ts';
import { json, printRun, type Out } from '../output.ts';
import { progressEvents } from '../progress.ts';

interface RunFlags extends ProjectFlags {
  page?: number; batch?: number; limit?: number; force?: boolean; allowDeletes?: boolean; json?: boolean;
}

export function exitCodeFor(runs: readonly RunRecord[]): number {
  if (runs.some((r) => r.status === 'failed')) return ExitCode.Failed;
  if (runs.some((r) => stoppingStatuses.has(r.status))) return ExitCode.Stopped;
  if (runs.some((r) => r.errors.length > 0)) return ExitCode.Failed;
  return ExitCode.Ok;
}

export function registerRunCommands(program: Command, out: Out, setExit: (code: number) => void): void {
  projectOptions(
    program
      .command('run')
      .description('run one step (AGENT full-import|delta-import|full-sync|delta-sync|export) or a run profile')
      .argument('<agent-or-profile>')
      .argument('[step]'),
  )
    .option('--page <n>', 'import page size', wholeNumber)
    .option('--batch <n>', 'export batch size', wholeNumber)
    .option('--limit <n>', 'object process limit for sync', wholeNumber)
    .option('--force', 'accept an empty source that would delete everything')
    .option('--allow-deletes', 'override the deletion threshold for this run')
    .option('--json', 'print the run records as JSON')
    .action(async (target: string, step: string | undefined, o: RunFlags) => {
      const progress = progressEvents(out, !!o.json);
      const runs = await withProject(o, async (p) => {
        const onStep = (r: RunRecord) => { progress.stop(); if (!o.json) printRun(r, out); };
        if (!step) {
          if (!p.rules.profiles.has(target)) {
            throw new CliError(`'${target}' is not a run profile (${[...p.rules.profiles.keys()].join(', ') || 'none defined'}); to run one step: idsync run AGENT STEP`, ExitCode.Usage);
          }
          return runProfile(p.engine, target, { allowDeletes: !!o.allowDeletes, onStep });
        }
        const types = parseStepType(step);
        if (!types) throw new CliError(`unknown step '${step}': use full-import, delta-import, full-sync, delta-sync or export`, ExitCode.Usage);
        if (!p.rules.agents.has(target)) throw new CliError(`unknown agent '${target}'; agents: ${[...p.rules.agents.keys()].join(', ')}`, ExitCode.Usage);
        const done: RunRecord[] = [];
        for (const type of types) {
          const r = await runStep(p.engine, target, type, {
            ...(o.page ? { pageSize: o.page } : {}), ...(o.batch ? { batchSize: o.batch } : {}), ...(o.limit !== undefined ? { limit: o.limit } : {}),
            force: !!o.force, allowDeletes: !!o.allowDeletes,
          });
          onStep(r);
          done.push(r);
          if (stoppingStatuses.has(r.status)) break;
        }
        return done;
      }, progress.events);
      if (o.json) json(runs, out);
      setExit(exitCodeFor(runs));
    });
}
