/** Exit codes of the `idsync` CLI (documented in README.md). */
export const ExitCode = {
  Ok: 0,
  /** Diagnostics, a failed step, or objects with errors. */
  Failed: 1,
  /** Bad command line. */
  Usage: 2,
  /** A step stopped on a safety limit (deletion threshold, error limit, empty source). */
  Stopped: 3,
  /** The store is locked by another run. */
  Locked: 4,
} as const;

/** An error whose message is for the user as it stands (no stack trace). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode: number = ExitCode.Failed) {
    super(message);
  }
}
