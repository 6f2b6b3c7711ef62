/** A store's state as the engine would ask it, opened from journal.last or by scanning the whole journal. */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore, type OpenOptions } from '../../data/json-file-store.ts';
import type { Store } from '../../data/store.ts';

/** `state` of the store in `d`, opened with `options` and closed again. */
export async function openedState(d: string, options: OpenOptions, state: (s: Store) => string[]): Promise<string[]> {
  const s = await openFileStore(d, options);
  try {
    return state(s);
  } finally {
    await s.close();
  }
}

/** The same, opened by scanning its whole journal: a copy without journal.last. */
export async function scannedState(d: string, options: OpenOptions, state: (s: Store) => string[]): Promise<string[]> {
  const copy = await mkdtemp(join(tmpdir(), 'idsync-scan-'));
  await cp(d, copy, { recursive: true });
  await rm(join(copy, 'journal.last'), { force: true });
  return openedState(copy, options, state);
}
