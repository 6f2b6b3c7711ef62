/** The `idsync` program. Each command group registers itself; `main` maps errors to exit codes. */
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './exit-codes.ts';
import { HeapPolicyError } from '../heap-policy.ts';
import { registerRulesCommands } from './commands/rules-commands.ts';
import { registerRunCommands } from './commands/run-commands.ts';
import { registerInspectCommands } from './commands/inspect-commands.ts';
import { registerDemoCommand } from './commands/demo-command.ts';
import { registerJoinerCommands } from './commands/joiner-commands.ts';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let exit: number = ExitCode.Ok;
  const program = new Command('idsync')
    .description('identity synchronization engine: connector spaces, a metaverse, rules in git')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const setExit = (code: number) => { exit = code; };
  registerRulesCommands(program, io.out, setExit);
  registerRunCommands(program, io.out, setExit);
  registerInspectCommands(program, io.out);
  registerDemoCommand(program, io.out, setExit);
  registerJoinerCommands(program, io.out);
  try {
    await program.parseAsync(argv as string[]);
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    if (err instanceof HeapPolicyError) {
      io.err(`idsync: ${err.message}`);
      return ExitCode.Usage;
    }
    if (err instanceof CliError) {
      io.err(`idsync: ${err.message}`);
      return err.exitCode;
    }
    io.err(`idsync: ${(err as Error).stack ?? String(err)}`);
    return ExitCode.Failed;
  }
}
