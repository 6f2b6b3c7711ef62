/** Builds a store, or opens one and reports the heap it takes, in its own process so that nothing else is on the heap. */
import { openFileStore } from '../../data/json-file-store.ts';
import type { MvObject } from '../../data/objects.ts';

const [dir, mode] = process.argv.slice(2) as [string, 'write' | 'write-journal' | 'measure' | 'measure-replay'];
const gc = (globalThis as { gc?: () => void }).gc!;
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };

if (mode === 'write' || mode === 'write-journal') {
  // write: the objects end in a snapshot; write-journal: they stay in the journal, which opening replays.
  const s = await openFileStore(dir, mode === 'write' ? { compactOnCloseAfterOps: 0 } : { compactOnCloseAfterOps: Infinity, compactAfterOps: Infinity });
  const tx = s.begin();
  for (let i = 0; i < 20_000; i++) {
    const attrs: Record<string, string> = { employeeId: String(100000 + i) };
    for (let a = 0; a < 24; a++) attrs[`attribute${a}`] = `value ${a} of person ${i}, long enough to be like a title`;
    const m: MvObject = { id: `mv-${i}`, objectType: 'person', attrs, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null };
    tx.putMv(m);
  }
  await tx.commit();
  await s.close();
} else {
  const before = heap();
  // measure-replay keeps the default cache, which could hold every object the replay parsed.
  const s = await openFileStore(dir, mode === 'measure' ? { cacheObjects: 1000 } : {});
  const opened = heap() - before;
  let n = 0;
  for (const m of s.mvValues()) if (m.attrs['employeeId']) n++;
  const walked = heap() - before;
  process.stdout.write(JSON.stringify({ opened, walked, n }) + '\n');
  await s.close();
}
