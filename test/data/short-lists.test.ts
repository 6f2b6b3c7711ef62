/** A connector's long lists of short strings are written as one string each, and read back as the lists they were. */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { CsObject } from '../../data/objects.ts';
import { newCsObject } from '../../engine/import/stage-object.ts';
import { packLists, unpackLists } from '../../data/short-lists.ts';

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(100_000 + from + i));
const department = (members: string[], name = 'Sales'): CsObject => ({ ...newCsObject('departments', { dn: 'code=D02', objectType: 'department' }), id: 'd', anchor: 'D02', hologram: { code: 'D02', name, members } });
const keep = { compactAfterOps: 1e9, compactOnCloseAfterOps: 1e9 };

test('a department\'s 3,000 member ids are one string on its line, and read back as the list, in this process and the next', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-lists-'));
  const s = await openFileStore(d, { ...keep, cacheObjects: 1 });
  const tx = s.begin();
  tx.putCs(department(ids(0, 3000)));
  tx.putCs({ ...department(ids(0, 10)), id: 'e', anchor: 'D03' });
  await tx.commit();
  const journal = await readFile(join(d, 'journal.jsonl'), 'utf8');
  t.true(journal.includes(`"members":{",":"${ids(0, 3000).join(',')}"}`), 'one string');
  t.true(journal.includes(`"members":${JSON.stringify(ids(0, 10))}`), 'a short list as it is');
  t.deepEqual(s.cs('departments').get('d')?.hologram['members'], ids(0, 3000));
  await s.close();
  const again = await openFileStore(d, keep);
  t.deepEqual(again.cs('departments').get('d')?.hologram, { code: 'D02', name: 'Sales', members: ids(0, 3000) });
  t.deepEqual(again.cs('departments').get('e')?.hologram['members'], ids(0, 10));
  await again.close();
});

test('members changed by a few are a patch of the joined line, and each version reads back, through a snapshot too', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-lists-'));
  let s = await openFileStore(d, keep);
  let members = ids(0, 3000);
  const versions: string[][] = [];
  for (let v = 0; v < 5; v++) {
    if (v) members = [...members.filter((_, i) => i % 211 !== v), ...ids(5000 + 10 * v, 3)];
    const tx = s.begin();
    tx.putCs({ ...(s.cs('departments').get('d') ?? department(members)), hologram: { code: 'D02', name: 'Sales', members } });
    await tx.commit();
    versions.push(members);
  }
  const journal = await readFile(join(d, 'journal.jsonl'), 'utf8');
  t.is(journal.split('\n').filter((l) => l.includes('["cs~"')).length, 4, 'four patches of the first version');
  await s.close();
  s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  t.deepEqual(s.cs('departments').get('d')?.hologram['members'], versions.at(-1));
  await s.close();
  const compacted = await openFileStore(d, keep);
  t.deepEqual(compacted.cs('departments').get('d')?.hologram['members'], versions.at(-1));
  await compacted.close();
});

test('lists that are short, hold a long value, a comma or a number, are written as they are', (t) => {
  const long = ids(0, 100);
  const hologram = {
    short: ids(0, 63), longValue: [...long.slice(1), 'CN=Someone,OU=People'], comma: [...long.slice(1), 'a,b'], numbers: [...long.slice(1), 7],
    eleven: [...long.slice(1), '12345678901'], packed: long,
  } as Record<string, unknown>;
  Object.defineProperty(hologram, '__proto__', { value: long, enumerable: true });
  const out = packLists(hologram);
  for (const k of ['short', 'longValue', 'comma', 'numbers', 'eleven']) t.is(out[k], hologram[k], k);
  t.deepEqual(out['packed'], { ',': long.join(',') });
  t.true(Object.hasOwn(out, '__proto__'));
  t.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { ',': long.join(',') });
  t.deepEqual(hologram['packed'], long, 'the object in memory keeps its list');
  const read = JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
  unpackLists(read);
  t.deepEqual(read['packed'], long);
  t.deepEqual(Object.getOwnPropertyDescriptor(read, '__proto__')?.value, long);
  t.deepEqual(read['comma'], hologram['comma']);
  const nothing = { a: ids(0, 10), b: 'x' };
  t.is(packLists(nothing), nothing, 'a hologram with nothing to join is written as it is');
});
