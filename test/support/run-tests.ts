/**
 * `npm test`: brings up one Samba AD DC for the whole run (installing Samba
 * when it is missing and we are root), runs ava, and stops the DC at the end.
 *
 * The tests' temporary files go to one folder of the run (TMPDIR), removed at
 * the end: the tests made about 230 folders per run (stores, LDIF and CSV
 * files, Graph emulator data) and left them, 140 MB a run, on a machine whose
 * CI runs the suite again and again. IDSYNC_KEEP_TEST_TMP=1 keeps the folder,
 * to look at what a failing test left.
 *
 * The whole suite (no arguments) also typechecks the project (`tsc --noEmit`,
 * about 9 s, beside the DC's start): tsx runs TypeScript without checking
 * its types, so a type error in a test or a module passed every test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { destroySamba, startSamba, type SambaDc } from '../helpers/samba.ts';

const runTmp = mkdtempSync(join(os.tmpdir(), 'idsync-test-run-'));

/** Exit code of Node running `args`, its output passed through. */
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env });
    child.on('exit', (c) => resolve(c ?? 1));
  });
const typecheck = process.argv.length > 2 ? Promise.resolve(0) : run(['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']);

let dc: SambaDc | undefined;
try {
  const t0 = Date.now();
  dc = await startSamba();
  process.stdout.write(`Samba AD DC ready on ${dc.url} (${dc.serverName}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
} catch (err) {
  // The AD tests will start their own and fail with this same message: never a silent pass.
  process.stdout.write(`Samba AD DC not started: ${(err as Error).message}\n`);
}
const typed = await typecheck;
if (typed !== 0) process.stdout.write('Typecheck failed (tsc --noEmit, above): the tests run all the same, and the run fails.\n');
const code = await run(['node_modules/ava/entrypoints/cli.mjs', ...process.argv.slice(2)], { ...process.env, TMPDIR: runTmp, ...(dc ? { IDSYNC_TEST_SAMBA: JSON.stringify(dc) } : {}) });
if (dc) await destroySamba(dc);
if (process.env['IDSYNC_KEEP_TEST_TMP']) process.stdout.write(`The tests' temporary files are kept in ${runTmp}\n`);
else rmSync(runTmp, { recursive: true, force: true });
process.exit(code || typed);
