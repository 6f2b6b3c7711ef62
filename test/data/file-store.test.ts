/** The embedded store: atomic transactions, journal replay, a torn last line, compaction, the lock. */
import test from 'ava';
import { mkdtemp, readFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import { StoreLockedError } from '../../data/lock.ts';
import type { MvObject } from '../../data/objects.ts';
import { catalogPath, inlineRows } from '../helpers/catalog.ts';

const mv = (id: string, name: string): MvObject => ({ id, objectType: 'person', attrs: { displayName: name }, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null });
const dir = () => mkdtemp(join(tmpdir(), 'idsync-store-'));

test('a committed transaction survives a reopen; a rolled-back one leaves nothing', async (t) => {
  const d = await dir();
  const s = await openFileStore(d);
  const tx = s.begin();
  tx.putMv(mv('a', 'Ann'));
  tx.setMeta('watermark:hr', '42');
  await tx.commit();
  const tx2 = s.begin();
  tx2.putMv(mv('b', 'Bob'));
  tx2.putMv(mv('a', 'Changed'));
  await tx2.rollback();
  t.is(s.mv('a')!.attrs['displayName'], 'Ann', 'rollback restores memory');
  t.is(s.mv('b'), undefined);
  await s.close();
  const again = await openFileStore(d);
  t.is(again.mv('a')!.attrs['displayName'], 'Ann');
  t.is(again.meta('watermark:hr'), '42');
  await again.close();
});

test('a torn last journal line (a crash mid-write) is ignored on replay', async (t) => {
  const d = await dir();
  const s = await openFileStore(d);
  const tx = s.begin();
  tx.putMv(mv('a', 'Ann'));
  await tx.commit();
  await s.close();
  // A transaction whose commit line never made it, then a torn line.
  await appendFile(join(d, 'journal.jsonl'), '{"ops":[["mv","c",{"id":"c","objectType":"person","attrs":{},"lineage":{},"connectors":[],"createdAt":"x","deleteAt":null}]]}\n{"ops":[["mv","b",{"id":"b","objectTy');
  const again = await openFileStore(d);
  t.truthy(again.mv('a'));
  t.is(again.mv('b'), undefined);
  t.is(again.mv('c'), undefined, 'complete lines without a commit are not applied');
  await again.close();
});

test('compaction writes a snapshot and empties the journal; a delta run appends only its changes', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, { compactAfterOps: 50 });
  const tx = s.begin();
  for (let i = 0; i < 60; i++) tx.putMv(mv(String(i), `P${i}`));
  await tx.commit();
  const generation = (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim();
  const lines = (await readFile(join(d, 'snapshot', generation, 'objects.jsonl'), 'utf8')).trim().split('\n');
  t.is(lines.map((l) => JSON.parse(l) as string[]).filter((o) => o[0] === 'mv').length, 60);
  const tx2 = s.begin();
  tx2.putMv(mv('1', 'changed'));
  await tx2.commit();
  const journal = await readFile(join(d, 'journal.jsonl'), 'utf8');
  t.is(journal.trim().split('\n').length, 2, 'one ops line and its commit');
  t.true(journal.length < 400, 'one changed object, not the store');
  await s.close();
  const again = await openFileStore(d);
  t.is(again.mv('1')!.attrs['displayName'], 'changed');
  t.is(again.mvCount, 60);
  await again.close();
});

test('two runs cannot share a store: the second fails with a clear message, or waits', async (t) => {
  const d = await dir();
  const first = await openFileStore(d);
  const err = await t.throwsAsync(openFileStore(d), { instanceOf: StoreLockedError });
  t.regex(err!.message, /locked by another idsync run \(pid \d+\)/);
  const waiting = openFileStore(d, { waitMs: 5000 });
  setTimeout(() => void first.close(), 200);
  const second = await waiting;
  t.truthy(second);
  await second.close();
});

test('a lock left by a dead process is taken over', async (t) => {
  const d = await dir();
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(d, 'lock'), '999999');
  const s = await openFileStore(d);
  t.truthy(s);
  await s.close();
});

test('mvFind is case-insensitive and follows updates', async (t) => {
  const s = await openFileStore(await dir());
  const tx = s.begin();
  tx.putMv({ ...mv('a', 'Ann'), attrs: { mail: 'Ann@X' } });
  await tx.commit();
  t.is(s.mvFind('person', 'mail', 'ann@x').length, 1);
  const tx2 = s.begin();
  tx2.putMv({ ...mv('a', 'Ann'), attrs: { mail: 'new@x' } });
  await tx2.commit();
  t.is(s.mvFind('person', 'mail', 'ann@x').length, 0);
  t.is(s.mvFind('person', 'mail', 'NEW@x').length, 1);
  await s.close();
});

test('a transaction large enough to be written out before its commit rolls back in memory and on disk', async (t) => {
  const d = await dir();
  const s = await openFileStore(d);
  const tx = s.begin();
  tx.putMv(mv('keep', 'Kept'));
  await tx.commit();
  const committed = (await readFile(join(d, 'journal.jsonl'), 'utf8')).length;
  const big = s.begin();
  for (let i = 0; i < 20_050; i++) big.putMv(mv(`x${i}`, 'X'));
  big.putMv(mv('keep', 'Changed'));
  t.is(s.mvCount, 20_051);
  t.true((await readFile(join(d, 'journal.jsonl'), 'utf8')).length > committed + 1_000_000, 'most of it is on disk, not in memory');
  t.is(s.mv('x7')!.attrs['displayName'], 'X', 'and reads back from there');
  await big.rollback();
  t.is((await readFile(join(d, 'journal.jsonl'), 'utf8')).length, committed, 'the rollback cut it off');
  t.is(s.mvCount, 1);
  t.is(s.mv('keep')!.attrs['displayName'], 'Kept');
  const after = s.begin();
  after.putMv(mv('y', 'Y'));
  await after.commit();
  await s.close();
  const again = await openFileStore(d);
  t.is(again.mvCount, 2);
  await again.close();
});

test('lineage is stored grouped by contributor, reads back equal in journal and snapshot, and old stores still read', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, { compactAfterOps: 3 });
  const hr = { agent: 'hr', csId: 'cs-1', rule: 'HR employees', at: '2026-01-01T00:00:00Z' };
  const lineage = { givenName: hr, sn: { ...hr }, title: { ...hr, at: '2026-02-01T00:00:00Z' }, mail: { agent: 'cloud', csId: 'cs-2', rule: 'Cloud mail', at: '2026-01-01T00:00:00Z' } };
  const withLineage: MvObject = { ...mv('a', 'Ann'), attrs: { givenName: 'Ann', sn: 'Lee', title: 'CEO', mail: 'ann@x' }, lineage };
  const tx = s.begin();
  tx.putMv(withLineage);
  await tx.commit();
  const journal = await readFile(join(d, 'journal.jsonl'), 'utf8');
  t.is(journal.split('cs-1').length - 1, 2, 'one entry per contributor and time, not one per attribute');
  await s.close();
  const fromJournal = await openFileStore(d, { compactAfterOps: 3 });
  t.deepEqual(fromJournal.mv('a'), withLineage);
  t.is(fromJournal.mv('a')!.lineage['givenName'], fromJournal.mv('a')!.lineage['sn'], 'a group shares one object in memory');
  // Past the threshold: the next commit writes a snapshot, which must read back the same.
  const tx2 = fromJournal.begin();
  tx2.putMv(mv('b', 'Bob'));
  tx2.putMv(mv('c', 'Cy'));
  tx2.setMeta('k', 1);
  await tx2.commit();
  await fromJournal.close();
  const fromSnapshot = await openFileStore(d);
  t.deepEqual(fromSnapshot.mv('a'), withLineage);
  await fromSnapshot.close();
  // A journal line of the earlier form, with a plain lineage map.
  await appendFile(join(d, 'journal.jsonl'), `${JSON.stringify({ ops: [['mv', 'old', { ...mv('old', 'Old'), lineage: { displayName: hr } }]] })}\n{"commit":true}\n`);
  const old = await openFileStore(d);
  t.deepEqual(old.mv('old')!.lineage, { displayName: hr });
  await old.close();
});

test('closing compacts a large journal, but never with a transaction left open', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const tx = s.begin();
  tx.putMv(mv('a', 'Ann'));
  await tx.commit();
  await s.close();
  t.is(await readFile(join(d, 'journal.jsonl'), 'utf8').catch(() => ''), '', 'the journal went into a snapshot');
  const again = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  t.is(again.mv('a')!.attrs['displayName'], 'Ann');
  const tx2 = again.begin();
  tx2.putMv(mv('b', 'Bob'));
  await tx2.commit();
  // A step that threw before committing: its changes are in memory only.
  again.begin().putMv(mv('c', 'Cy'));
  await again.close();
  t.not(await readFile(join(d, 'journal.jsonl'), 'utf8'), '', 'no snapshot of memory that holds uncommitted changes');
  const third = await openFileStore(d);
  t.is(third.mv('b')!.attrs['displayName'], 'Bob');
  t.is(third.mv('c'), undefined);
  await third.close();
});

test('connector-space objects are written without their empty fields and read back whole, in either form', async (t) => {
  const d = await dir();
  const s = await openFileStore(d);
  const base = { agent: 'hr', anchor: null, dn: 'employeeId=1', objectType: 'person', state: 'disconnector' as const, mvId: null, hologram: {}, pendingImport: null, pendingExport: null, unconfirmed: null, exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null };
  const bare = { ...base, id: 'c1' };
  const full = { ...base, id: 'c2', anchor: '2', state: 'connector' as const, mvId: 'm', hologram: { givenName: 'Ann' }, syncError: 'ambiguous join', applied: ['sAMAccountName'], unconfirmed: { title: null } };
  const tx = s.begin();
  tx.putCs(bare);
  tx.putCs(full);
  await tx.commit();
  const journal = await readFile(join(d, 'journal.jsonl'), 'utf8');
  t.false(journal.includes('"pendingImport"'), 'null fields are not written');
  t.false(journal.includes('"agent"'), 'the op names the agent');
  await s.close();
  await appendFile(join(d, 'journal.jsonl'), `${JSON.stringify({ ops: [['cs', 'hr', 'c3', { ...base, id: 'c3' }]] })}\n{"commit":true}\n`);
  const again = await openFileStore(d);
  t.deepEqual(again.cs('hr').get('c1'), bare);
  t.deepEqual(again.cs('hr').get('c2'), full);
  t.deepEqual(again.cs('hr').get('c3'), { ...base, id: 'c3' }, 'the earlier form, with every field, still reads');
  await again.close();
});

test('what a crashed transaction wrote ahead of its commit, or a torn line, never joins a later commit', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, { spillAfterObjects: 10 });
  const tx = s.begin();
  tx.putMv(mv('kept', 'Kept'));
  await tx.commit();
  // A step that dies after writing 25 objects out: closing with it open stands for the crash.
  const dead = s.begin();
  for (let i = 0; i < 25; i++) dead.putMv(mv(`dead${i}`, 'Dead'));
  await s.close();
  await appendFile(join(d, 'journal.jsonl'), '["mv","torn",{"id":"tor');
  const again = await openFileStore(d);
  t.is(again.mvCount, 1);
  const next = again.begin();
  next.putMv(mv('later', 'Later'));
  await next.commit();
  await again.close();
  const third = await openFileStore(d);
  t.deepEqual([...third.mvValues()].map((m) => m.id).sort(), ['kept', 'later']);
  await third.close();
});

test('a snapshot keeps the value indexes: a lookup after reopening reads only the objects it returns', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const tx = s.begin();
  tx.putMv({ ...mv('a', 'Ann'), attrs: { mail: 'ann@x' } });
  tx.putMv({ ...mv('b', 'Bob'), attrs: { mail: 'bob@x' } });
  tx.putMv({ ...mv('c', 'Cy'), attrs: { mail: ['cy@x', 'c@x'] } });
  await tx.commit();
  t.is(s.mvFind('person', 'mail', 'ann@x').length, 1, 'builds the index');
  await s.close();
  // Blank out Bob's line, keeping every offset: reading it now would fail.
  const generation = (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim();
  const objects = join(d, 'snapshot', generation, 'objects.jsonl');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(objects, (await readFile(objects, 'utf8')).split('\n').map((l) => (l.includes('"b"') ? ' '.repeat(l.length) : l)).join('\n'));
  const again = await openFileStore(d);
  t.deepEqual(again.mvFind('person', 'mail', 'ANN@x').map((m) => m.id), ['a']);
  t.throws(() => again.mv('b'), { message: new RegExp(`cannot read the object at byte \\d+ of ${objects.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }, 'a damaged line is named by file and byte');
  t.deepEqual(again.mvFind('person', 'mail', 'c@x').map((m) => m.id), ['c'], 'several values of one object');
  const tx2 = again.begin();
  tx2.putMv({ ...mv('a', 'Ann'), attrs: { mail: 'c@x' } });
  await tx2.commit();
  t.deepEqual(again.mvFind('person', 'mail', 'c@x').map((m) => m.id).sort(), ['a', 'c'], 'and it follows writes after reopening');
  t.deepEqual(again.mvFind('person', 'mail', 'ann@x'), []);
  await again.close();
});

test('a journal damaged before its end, or a damaged catalog, stops the open with the file and line, and changes nothing', async (t) => {
  const d = await dir();
  const s = await openFileStore(d);
  for (const name of ['Ann', 'Bob']) {
    const tx = s.begin();
    tx.putMv(mv(name.toLowerCase(), name));
    await tx.commit();
  }
  await s.close();
  const journal = join(d, 'journal.jsonl');
  const { writeFile } = await import('node:fs/promises');
  const damaged = (await readFile(journal, 'utf8')).replace('"Ann"', '"Ann');
  await writeFile(journal, damaged);
  const err = await t.throwsAsync(openFileStore(d));
  t.regex(err!.message, /journal\.jsonl is damaged at line 1 \(byte 0\) and more lines follow; nothing was changed/);
  t.is(await readFile(journal, 'utf8'), damaged, 'the committed step after it is still there');
  await writeFile(journal, damaged.split('\n').slice(2).join('\n'));
  const fixed = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  t.deepEqual([...fixed.mvValues()].map((m) => m.id), ['bob'], 'once the damaged step is removed, the rest opens');
  await fixed.close();
  const generation = (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim();
  const catalog = join(d, 'snapshot', generation, 'catalog.jsonl');
  await writeFile(catalog, '{"mv":[["bob"\n');
  const bad = await t.throwsAsync(openFileStore(d));
  t.regex(bad!.message, /catalog\.jsonl line 1 cannot be read .*; the snapshot is damaged/);
});

test('the deletion threshold counts pending deletes and disables from the slots, and from a catalog written before it could', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const base = { agent: 'ad', anchor: null, dn: '', objectType: 'user', state: 'connector' as const, mvId: null, hologram: {}, pendingImport: null, pendingExport: null, unconfirmed: null, exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null };
  const tx = s.begin();
  tx.putCs({ ...base, id: 'del', dn: 'CN=del', pendingExport: { op: 'delete', changes: {} } });
  tx.putCs({ ...base, id: 'dis', dn: 'CN=dis', pendingExport: { op: 'update', changes: {}, disable: true } });
  tx.putCs({ ...base, id: 'upd', dn: 'CN=upd', pendingExport: { op: 'update', changes: { title: { op: 'replace', value: 'x' } } } });
  tx.putCs({ ...base, id: 'none', dn: 'CN=none' });
  await tx.commit();
  t.is(s.cs('ad').pendingDeletes(), 2);
  t.deepEqual(s.cs('ad').pendingExportIds().sort(), ['del', 'dis', 'upd']);
  await s.close();
  const again = await openFileStore(d);
  t.is(again.cs('ad').pendingDeletes(), 2, 'from the catalog');
  await again.close();
  // A catalog from before the pending-delete column (and before rows files): the count reads those objects instead of missing them.
  await inlineRows(d);
  const catalog = await catalogPath(d);
  const { writeFile } = await import('node:fs/promises');
  const old = (await readFile(catalog, 'utf8')).split('\n').map((l) => {
    if (!l.startsWith('{"cs"')) return l;
    const line = JSON.parse(l) as { cs: string; rows: unknown[][] };
    return JSON.stringify({ ...line, rows: line.rows.map((r) => r.slice(0, 9)) });
  });
  t.true(old.some((l) => l.startsWith('{"cs"')), 'the catalog holds the rows');
  await writeFile(catalog, old.join('\n'));
  const older = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  t.is(older.cs('ad').pendingDeletes(), 2, 'an older catalog');
  await older.close();
  const rewritten = await openFileStore(d);
  t.is(rewritten.cs('ad').pendingDeletes(), 2, 'and its next snapshot writes the column');
  await rewritten.close();
});

test('a snapshot leaves the cache as it was: objects held before it are not read back after it', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, { cacheObjects: 2, compactAfterOps: 3 });
  const tx = s.begin();
  for (const id of ['x1', 'x2', 'x3']) tx.putMv(mv(id, id));
  await tx.commit();
  const held = s.mv('x3');
  const tx2 = s.begin();
  tx2.putMv(mv('y', 'y'));
  await tx2.commit();
  t.true(await readFile(join(d, 'snapshot', 'current'), 'utf8').then((g) => Number(g) > 0), 'the commit wrote a snapshot');
  // The same object, not one parsed again from the new snapshot's file.
  t.is(s.mv('x3'), held);
  t.deepEqual(s.mv('x1'), mv('x1', 'x1'), 'an object the cache had let go reads back from the new place');
  await s.close();
});

test('a large transaction writes out where its caller is settled, so an object changed twice in one unit goes out once', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, { spillAfterObjects: 10 });
  const journal = async () => (await readFile(join(d, 'journal.jsonl'), 'utf8')).split('\n').filter(Boolean);
  const tx = s.begin();
  // One unit of work: a projected object, eleven others, then the first one's attributes.
  tx.putMv(mv('p', ''));
  for (let i = 0; i < 11; i++) tx.putMv(mv(`o${i}`, 'Other'));
  tx.putMv(mv('p', 'Projected'));
  t.deepEqual(await journal(), [], 'past the limit, but not settled: nothing written yet');
  tx.settled!();
  t.is((await journal()).length, 12, 'written out where the caller is settled');
  t.is((await journal()).filter((l) => l.startsWith('["mv","p"')).length, 1, 'the object written twice in the unit goes out once');
  // A caller that never settles is bounded at twice the limit.
  for (let i = 0; i < 20; i++) tx.putMv(mv(`q${i}`, 'More'));
  t.is((await journal()).length, 32);
  await tx.commit();
  await s.close();
  const again = await openFileStore(d);
  t.is(again.mv('p')!.attrs['displayName'], 'Projected');
  t.is(again.mvCount, 32);
  await again.close();
});
