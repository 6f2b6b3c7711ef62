/** Syncs on the file store: what they write (each object once) and what they read (no lookup built from every object). */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import { runImport, runSync } from '../../engine/index.ts';
import { basicRules, person, testEngine } from '../helpers/engine.ts';
import type { Store } from '../../data/store.ts';

/** Counts from now on the objects `store` reads from its files. */
function countLoads(store: Store): { n: number } {
  const s = store as unknown as { load: (slot: unknown) => unknown };
  const real = s.load.bind(s);
  const count = { n: 0 };
  s.load = (slot) => { count.n++; return real(slot); };
  return count;
}

test('a full sync larger than the spill limit writes each metaverse object it projects once', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-spill-'));
  const store = await openFileStore(d, { spillAfterObjects: 8 });
  const e = testEngine(basicRules, { store });
  for (let i = 0; i < 30; i++) e.system('hr').put(person(String(100 + i), { givenName: `P${i}`, sn: `Lee${i}` }));
  await runImport(e.ctx, 'hr', 'full');
  const before = (await readFile(join(d, 'journal.jsonl'), 'utf8')).length;
  // A chunk of 4 people writes 12 objects: their connectors, their projections, then the projections'
  // attributes and the directory accounts. Written out only at the limit, a chunk's projections went out twice.
  const run = await runSync(e.ctx, 'hr', 'full', { chunk: 4 });
  t.deepEqual(run.errors, []);
  const lines = (await readFile(join(d, 'journal.jsonl'), 'utf8')).slice(before).split('\n');
  const mvLines = lines.filter((l) => l.startsWith('["mv",'));
  t.is(store.mvCount, 30);
  t.is(mvLines.length, 30, 'one line per metaverse object');
  t.false(mvLines.some((l) => l.includes('"attrs":{}')), 'none written before its attributes flowed');
  await store.close();
});

test('a join group no earlier sync reached looks its candidates up without reading every metaverse object', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-join-'));
  // A cache of one object: every read of an object the sync did not just write is a read from the files.
  const store = await openFileStore(d, { cacheObjects: 1 });
  const e = testEngine(basicRules, { store });
  for (let i = 0; i < 200; i++) e.system('hr').put(person(String(100 + i), { givenName: `P${i}`, sn: `Lee${i}`, mail: `p${i}@corp` }));
  e.system('hr2').put({ anchor: 'W1', dn: 'workerId=W1', objectType: 'worker', attrs: { workerId: 'W1', mail: 'p7@corp', title: 'Contractor' } });
  await runImport(e.ctx, 'hr', 'full');
  await runSync(e.ctx, 'hr', 'full');
  await runImport(e.ctx, 'hr2', 'full');
  const loads = countLoads(store);
  // The HR rule joins on employeeId; only the workers' rule joins on mail.
  const run = await runSync(e.ctx, 'hr2', 'full');
  t.deepEqual(run.errors, []);
  t.is(store.mvFind('person', 'employeeId', '107')[0]!.attrs['title'], 'Contractor', 'joined by mail');
  t.true(loads.n < 20, `${loads.n} objects read to join one worker among 200 people`);
  await store.close();
});
