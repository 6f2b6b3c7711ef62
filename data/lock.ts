/** One run at a time per store: an exclusive lock file holding the owner's pid. */
import { open, readFile, rm } from 'node:fs/promises';

export interface Lock {
  release(): Promise<void>;
}

export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export async function acquireLock(path: string, waitMs: number): Promise<Lock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      // A lock left by a process that died (kill -9) is stale: take it over.
      if (!pid || !alive(pid)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new StoreLockedError(`the store ${path.replace(/\/lock$/, '')} is locked by another idsync run (pid ${pid}); wait for it to finish or pass --wait`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
