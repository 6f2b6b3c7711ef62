/**
 * `npm test`: brings up one Samba AD DC for the whole run (installing Samba
 * when it is missing and we are root), runs ava, and stops the DC at the end.
 */
import { spawn } from 'node:child_process';
import { destroySamba, startSamba, type SambaDc } from '../helpers/samba.ts';

let dc: SambaDc | undefined;
try {
  const t0 = Date.now();
  dc = await startSamba();
  process.stdout.write(`Samba AD DC ready on ${dc.url} (${dc.serverName}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
} catch (err) {
  // The AD tests will start their own and fail with this same message: never a silent pass.
  process.stdout.write(`Samba AD DC not started: ${(err as Error).message}\n`);
}
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, ['node_modules/ava/entrypoints/cli.mjs', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...(dc ? { IDSYNC_TEST_SAMBA: JSON.stringify(dc) } : {}) },
  });
  child.on('exit', (c) => resolve(c ?? 1));
});
if (dc) await destroySamba(dc);
process.exit(code);
