/**
 * A large object's new version is journaled as changes to the version
 * before, while that version is in memory: reading it back, in this process
 * or the next, through a snapshot, or after a rollback gives each version
 * exactly.
 */
import test from 'ava';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { newCsObject } from '../../engine/import/stage-object.ts';

const members = (from: number, n: number) => Array.from({ length: n }, (_, i) => `CN=Member ${from + i},OU=People,DC=corp,DC=example,DC=com`);
const group = (member: string[], description: string): CsObject => ({ ...newCsObject('dir', { dn: 'CN=G,DC=corp', objectType: 'group' }), id: 'g', anchor: 'G', hologram: { member, description } });
const mvGroup = (member: string[]): MvObject => ({ id: 'm', objectType: 'group', attrs: { member, code: 'g' }, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null });
const journalSize = async (d: string) => (await stat(join(d, 'journal.jsonl'))).size;

test('each version reads back exactly, in this process and the next, with most lines a few hundred bytes', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-patch-'));
  const options = { compactAfterOps: 1e9, compactOnCloseAfterOps: 1e9 };
  let s = await openFileStore(d, options);
  let list = members(0, 2000);
  const versions: { cs: CsObject; mv: MvObject }[] = [];
  const sizes: number[] = [];
  for (let v = 0; v < 20; v++) {
    // As a sync changes a group: a few members removed, a few appended, another field changed.
    if (v) list = [...list.filter((_, i) => i % 97 !== v), ...members(10_000 + 10 * v, 3)];
    const before = await journalSize(d).catch(() => 0);
    const tx = s.begin();
    const cs = { ...(s.cs('dir').get('g') ?? group(list, '')), hologram: { member: list, description: `v${v}` } };
    const mv = { ...(s.mv('m') ?? mvGroup(list)), attrs: { member: list, code: `g${v}` } };
    // Put twice in one transaction, as a sync may: the patch is of the version on disk.
    tx.putCs({ ...cs, hologram: { member: list.slice(5), description: 'between' } });
    tx.putCs(cs);
    tx.putMv(mv);
    await tx.commit();
    versions.push({ cs, mv });
    sizes.push((await journalSize(d)) - before);
    // Reopened now and then: the chain is then read from the journal, not memory.
    if (v % 7 === 6) {
      await s.close();
      s = await openFileStore(d, options);
      t.deepEqual(s.cs('dir').get('g'), cs, `connector object, version ${v}, next process`);
      t.deepEqual(s.mv('m'), mv, `metaverse object, version ${v}, next process`);
    }
  }
  const whole = sizes[0]!;
  t.true(whole > 2 * 2000 * 40, `the first version is whole (${whole} bytes)`);
  const small = sizes.filter((n) => n * 20 < whole).length;
  t.true(small >= 15, `most versions are patches: ${sizes.join(', ')}`);
  t.true(sizes.slice(1).some((n) => n * 2 > whole), 'a chain is cut by a whole version now and then');
  await s.close();
  s = await openFileStore(d, options);
  t.deepEqual(s.cs('dir').get('g'), versions.at(-1)!.cs);
  t.deepEqual(s.mv('m'), versions.at(-1)!.mv);
  t.deepEqual(s.mvFind('group', 'member', 'CN=Member 10191,OU=People,DC=corp,DC=example,DC=com').map((m) => m.id), ['m'], 'the member index follows the last version');
  await s.close();
  // A snapshot holds every object whole: its files name no earlier place.
  s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  await s.close();
  const generation = (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim();
  const objects = await readFile(join(d, 'snapshot', generation, 'objects.jsonl'), 'utf8');
  t.false(/\["(cs|mv)~"/.test(objects));
  s = await openFileStore(d, options);
  t.deepEqual(s.cs('dir').get('g'), versions.at(-1)!.cs);
  t.deepEqual(s.mv('m'), versions.at(-1)!.mv);
  await s.close();
});

test('a rolled-back transaction leaves the version before, and the next patch is of that version', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-patch-'));
  // Written out before its commit, as a large transaction is.
  const s = await openFileStore(d, { spillAfterObjects: 1 });
  const first = group(members(0, 1000), 'first');
  let tx = s.begin();
  tx.putCs(first);
  await tx.commit();
  tx = s.begin();
  tx.putCs({ ...first, hologram: { ...first.hologram, description: 'rolled back' } });
  tx.settled?.();
  tx.putMv(mvGroup(['x']));
  tx.settled?.();
  await tx.rollback();
  t.deepEqual(s.cs('dir').get('g'), first);
  const third = { ...first, hologram: { member: members(1, 1000), description: 'third' } };
  tx = s.begin();
  tx.putCs(third);
  await tx.commit();
  await s.close();
  const again = await openFileStore(d);
  t.deepEqual(again.cs('dir').get('g'), third);
  t.is(again.mv('m'), undefined);
  await again.close();
});
