/**
 * Crash safety of patch lines: a child writes versions of a large group (each
 * a patch of the one before) and is killed at random moments, also while it
 * writes out before a commit and while it writes a snapshot. Each reopen must
 * give the last committed version exactly, never a mix, never a lost one.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import { prng } from '../../data/demo/people.ts';
import { groupAt, mvGroupAt } from './patch-kill-versions.ts';

const child = new URL('./patch-kill-child.ts', import.meta.url).pathname;

/** Runs the child until killed `ms` after its first commit (however slow its start); the last version it said was committed. */
function runFor(dir: string, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx/esm', child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      if (!out) setTimeout(() => p.kill('SIGKILL'), ms);
      out += d;
    });
    p.stderr.on('data', (d) => (err += d));
    // A child that commits nothing in this long is stuck: killed, and the round fails below.
    const stuck = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('exit', () => clearTimeout(stuck));
    p.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(Number(out.trim().split('\n').filter(Boolean).at(-1) ?? 0)) : reject(new Error(`child exited by itself: ${err}`))));
  });
}

test('killed at random moments, a store of patch lines reopens at its last committed version', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-patch-kill-'));
  const random = prng(20261128);
  let versions = 0;
  for (let round = 0; round < 8; round++) {
    const said = await runFor(dir, Math.floor(random() * 600));
    const s = await openFileStore(dir);
    const v = s.meta<number>('v') ?? 0;
    // Killed after a commit and before it said so, at most one more.
    t.true(said > 0 && (v === said || v === said + 1), `round ${round}: committed ${v}, said ${said}`);
    if (v > 0) {
      t.deepEqual(s.cs('dir').get('g'), { ...groupAt(v), hologram: groupAt(v).hologram }, `round ${round}: connector object of version ${v}`);
      t.deepEqual(s.mv('m')?.attrs, mvGroupAt(v).attrs, `round ${round}: metaverse object of version ${v}`);
    }
    versions = v;
    await s.close();
  }
  t.true(versions > 20, `the child got far enough to patch, spill and snapshot (${versions} versions)`);
});
