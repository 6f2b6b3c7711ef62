/** Opens the project for a command, mapping engine errors to CLI errors. */
import { openProject, type Project } from '../project.ts';
import { RulesError } from '../project.ts';
import { StoreLockedError } from '../../data/lock.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import type { EngineEvents } from '../context.ts';
import { InvalidArgumentError } from 'commander';

/** A whole-number flag. A typo ("--wait 1O") is a usage error naming the value, never NaN (which waited forever). */
export function wholeNumber(value: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a whole number.`);
  return Number(value);
}

export interface ProjectFlags {
  project: string;
  store?: string;
  wait?: number;
}

export const projectOptions = (cmd: import('commander').Command) =>
  cmd
    .option('--project <dir>', 'project directory (its *.sync files)', '.')
    .option('--store <dir>', 'store directory (default: <project>/.idsync)')
    .option('--wait <seconds>', 'wait this long for another run to release the store', wholeNumber, 0);

export async function withProject<T>(flags: ProjectFlags, fn: (p: Project) => Promise<T>, events?: EngineEvents): Promise<T> {
  let project: Project;
  try {
    project = await openProject(flags.project, { ...(flags.store ? { store: flags.store } : {}), waitMs: (flags.wait ?? 0) * 1000, ...(events ? { events } : {}) });
  } catch (err) {
    if (err instanceof StoreLockedError) throw new CliError(err.message, ExitCode.Locked);
    if (err instanceof RulesError) throw new CliError(err.message, ExitCode.Failed);
    throw err;
  }
  try {
    return await fn(project);
  } finally {
    await project.close();
  }
}
