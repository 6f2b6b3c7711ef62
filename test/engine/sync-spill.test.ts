/** A sync on the file store writes its transaction out between chunks, so each object it changes goes out once. */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import { runImport, runSync } from '../../engine/index.ts';
import { basicRules, person, testEngine } from '../helpers/engine.ts';

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
