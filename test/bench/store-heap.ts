/**
 * The heap that opening a store takes, after garbage collection: how
 * docs/benchmarks.md measures issue 3's "memory well below the store's size".
 *   node --expose-gc --import tsx/esm test/bench/store-heap.ts PROJECT/.idsync
 */
import { openFileStore } from '../../data/json-file-store.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const dir = process.argv[2];
if (!dir) throw new Error('usage: node --expose-gc --import tsx/esm test/bench/store-heap.ts STORE_DIR');
gc();
const before = process.memoryUsage().heapUsed;
const t0 = performance.now();
const store = await openFileStore(dir);
const opened = (performance.now() - t0) / 1000;
gc();
gc();
const heap = (process.memoryUsage().heapUsed - before) / 2 ** 20;
process.stdout.write(`${dir}: opened in ${opened.toFixed(2)} s; heap ${heap.toFixed(0)} MB, ${store.mvCount} metaverse objects\n`);
await store.close();
