/** A connector space's lookups by anchor and by joined metaverse object follow every write, rollback and removal. */
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../data/store-state.ts';
import { openFileStore } from '../../data/json-file-store.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';

const cs = (id: string, anchor: string | null, mvId: string | null): CsObject => ({
  id, agent: 'hr', anchor, dn: `id=${id}`, objectType: 'person', state: mvId ? 'connector' : 'disconnector', mvId, hologram: {}, pendingImport: null, pendingExport: null,
  unconfirmed: null, exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null,
});

test('lookups by anchor and by metaverse id give the latest version, and the one before after a rollback', async (t) => {
  const store = new MemoryStore();
  const space = store.cs('hr');
  const tx = store.begin();
  tx.putCs(cs('c1', 'A1', null));
  await tx.commit();
  t.is(space.refByAnchor('A1')?.mvId, null);
  const tx2 = store.begin();
  tx2.putCs(cs('c1', 'A1', 'm1'));
  t.is(space.refByAnchor('A1')?.mvId, 'm1', 'a new version of the object');
  t.is(space.joinedTo('m1')?.id, 'c1');
  t.is(space.byAnchor('A1')?.mvId, 'm1');
  await tx2.rollback();
  t.is(space.refByAnchor('A1')?.mvId, null, 'back to the version before');
  t.is(space.joinedTo('m1'), undefined);
  const tx3 = store.begin();
  tx3.putCs(cs('c1', 'A2', 'm2')); // a new anchor and a new join
  await tx3.commit();
  t.is(space.refByAnchor('A1'), undefined);
  t.is(space.refByAnchor('A2')?.id, 'c1');
  t.is(space.joinedTo('m2')?.anchor, 'A2');
  // Another object takes the join; removing the first then leaves the second's.
  const tx4 = store.begin();
  tx4.putCs(cs('c2', 'A3', 'm2'));
  tx4.deleteCs('hr', 'c1');
  await tx4.commit();
  t.is(space.joinedTo('m2')?.id, 'c2');
  t.is(space.refByAnchor('A2'), undefined);
  const tx5 = store.begin();
  tx5.deleteCs('hr', 'c2');
  await tx5.commit();
  t.is(space.joinedTo('m2'), undefined);
  t.is(space.byAnchor('A3'), undefined);
});

test('after a reopen (slots from the catalog and the journal), writes and a rollback, the lookup by metaverse id gives what they left', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-joined-'));
  // The first five reach the catalog, the sixth stays in the journal.
  const first = await openFileStore(d, { compactAfterOps: 3, compactOnCloseAfterOps: 100 });
  const tx = first.begin();
  for (let i = 0; i < 5; i++) tx.putCs(cs(`c${i}`, `A${i}`, `m${i}`));
  await tx.commit();
  const tx1 = first.begin();
  tx1.putCs(cs('c5', 'A5', 'm5'));
  await tx1.commit();
  await first.close();

  const store = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const space = store.cs('hr');
  const tx2 = store.begin();
  tx2.putCs(cs('c1', 'A1', null)); // leaves m1
  tx2.deleteCs('hr', 'c2');
  tx2.putCs(cs('c3', 'A3', 'm9')); // moves from m3 to m9
  tx2.putCs(cs('c6', 'A6', 'm7'));
  await tx2.commit();
  const tx3 = store.begin();
  tx3.putCs(cs('c0', 'A0', null));
  await tx3.rollback(); // c0 keeps m0
  const joined = (m: string) => space.joinedTo(m)?.id;
  t.deepEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm7', 'm9'].map(joined), ['c0', undefined, undefined, undefined, 'c4', 'c5', 'c6', 'c3']);
  // And after the writes that follow.
  const tx4 = store.begin();
  tx4.deleteCs('hr', 'c6');
  tx4.putCs(cs('c1', 'A1', 'm1'));
  await tx4.commit();
  t.deepEqual(['m1', 'm7'].map(joined), ['c1', undefined]);
  await store.close();
});

test('a journal replayed over a snapshot puts its objects back without reading the rows they replace: sizes, DNs, anchors, joins and pending sets follow', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-putback-'));
  const mvObj = (id: string, v = 0): MvObject => ({ id, objectType: 'person', attrs: { v }, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null });
  const importing = (o: CsObject): CsObject => ({ ...o, pendingImport: { op: 'update', attrs: {} } as unknown as CsObject['pendingImport'] });
  const first = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const tx = first.begin();
  for (let i = 0; i < 20; i++) {
    tx.putMv(mvObj(`m${i}`));
    tx.putCs(i % 4 === 0 ? importing(cs(`c${i}`, `A${i}`, `m${i}`)) : cs(`c${i}`, `A${i}`, `m${i}`));
  }
  await tx.commit();
  await first.close(); // a snapshot of twenty of each
  const second = await openFileStore(d, { compactOnCloseAfterOps: 1_000_000 });
  const tx2 = second.begin();
  tx2.putCs({ ...cs('c1', 'A1b', 'm1'), dn: 'id=c1-renamed' });
  tx2.deleteCs('hr', 'c2');
  tx2.putCs(cs('c30', 'A30', 'm30'));
  tx2.putCs(cs('c4', 'A4', 'm4')); // no longer pending import
  tx2.putCs(importing(cs('c5', 'A5', 'm5')));
  tx2.putMv(mvObj('m1', 1));
  tx2.deleteMv('m2');
  tx2.putMv(mvObj('m30', 1));
  await tx2.commit();
  await second.close(); // the changes stay in the journal

  const store = await openFileStore(d, { compactOnCloseAfterOps: 1_000_000 });
  const space = store.cs('hr');
  t.is(space.size, 20, 'one removed, one added');
  t.is(store.mvCount, 20);
  t.is(space.byDn('id=c1'), undefined, 'the replaced row\'s DN answers no more');
  t.is(space.byDn('ID=C1-RENAMED')?.id, 'c1');
  t.is(space.refByAnchor('A1'), undefined);
  t.is(space.refByAnchor('A1b')?.id, 'c1');
  t.is(space.byDn('id=c2'), undefined);
  t.is(space.joinedTo('m30')?.id, 'c30');
  t.deepEqual(space.pendingImportIds().sort(), ['c0', 'c12', 'c16', 'c5', 'c8']);
  t.is(store.mv('m1')?.attrs['v'], 1);
  t.is(store.mv('m2'), undefined);
  t.is(store.mv('m30')?.attrs['v'], 1);
  t.deepEqual([...store.mvValues()].map((m) => m.id).sort(), [...Array.from({ length: 20 }, (_, i) => `m${i}`).filter((m) => m !== 'm2'), 'm30'].sort());
  // The next compaction holds the same.
  await (store as unknown as { compact(): Promise<void> }).compact();
  await store.close();
  const after = await openFileStore(d);
  t.is(after.cs('hr').size, 20);
  t.is(after.mvCount, 20);
  t.is(after.cs('hr').byDn('id=c1-renamed')?.id, 'c1');
  await after.close();
});
