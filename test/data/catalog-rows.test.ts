/** A catalog's connector rows name their metaverse object by its place among the catalog's metaverse rows. */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { catalogLines, catalogPath, generationDir, inlineRows, mvOrder, spaceRows } from '../helpers/catalog.ts';

const mv = (id: string): MvObject => ({ id, objectType: 'person', attrs: {}, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null });
const cs = (id: string, mvId: string | null): CsObject => ({
  id, agent: 'hr', anchor: `A-${id}`, dn: `id=${id}`, objectType: 'person', state: mvId ? 'connector' : 'disconnector', mvId, hologram: {}, pendingImport: null, pendingExport: null,
  unconfirmed: null, exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null,
});

async function seeded() {
  const d = await mkdtemp(join(tmpdir(), 'idsync-store-'));
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const tx = s.begin();
  for (const id of ['m1', 'm2', 'm3']) tx.putMv(mv(id));
  tx.putCs(cs('c1', 'm3'));
  tx.putCs(cs('c2', 'm1'));
  tx.putCs(cs('c3', null));
  await tx.commit();
  await s.close();
  return d;
}

const joins = async (d: string) => {
  const s = await openFileStore(d);
  const out = ['c1', 'c2', 'c3'].map((id) => s.cs('hr').get(id)?.mvId ?? null);
  const back = ['m1', 'm3'].map((m) => s.cs('hr').joinedTo(m)?.id);
  await s.close();
  return { out, back };
};

test('connector rows name metaverse objects by place, and reopen joined to the same ones', async (t) => {
  const d = await seeded();
  const order = await mvOrder(d);
  const rows = await spaceRows(d, 'hr');
  t.deepEqual(rows.map((r) => [r[0], r[6]]), [['c1', order.indexOf('m3')], ['c2', order.indexOf('m1')], ['c3', null]]);
  t.deepEqual(await joins(d), { out: ['m3', 'm1', null], back: ['c2', 'c1'] });
});

test('a catalog written before, naming metaverse ids, opens the same; a place it does not hold stops the open', async (t) => {
  const d = await seeded();
  await inlineRows(d);
  const path = await catalogPath(d);
  const lines = await catalogLines(d);
  const order = lines.flatMap((l) => (l.mv ?? []).map((r) => r[0] as string));
  const older = lines.map((l) => (l.cs ? { ...l, rows: l.rows!.map((r) => r.map((v, i) => (i === 6 && typeof v === 'number' ? order[v] : v))) } : l));
  await writeFile(path, older.map((l) => JSON.stringify(l)).join('\n') + '\n');
  t.deepEqual(await joins(d), { out: ['m3', 'm1', null], back: ['c2', 'c1'] });
  const damaged = lines.map((l) => (l.cs ? { ...l, rows: l.rows!.map((r) => r.map((v, i) => (i === 6 && typeof v === 'number' ? 7 : v))) } : l));
  await writeFile(path, damaged.map((l) => JSON.stringify(l)).join('\n') + '\n');
  await t.throwsAsync(openFileStore(d), { message: /names metaverse row 7, which it does not hold; the snapshot is damaged/ });
});

test('a catalog line this version does not know stops the open, naming the catalog and the line\'s keys', async (t) => {
  const d = await seeded();
  const path = await catalogPath(d);
  await writeFile(path, (await readFile(path, 'utf8')) + JSON.stringify({ csLookups: 'hr', anchors: 'index-9.bin' }) + '\n');
  await t.throwsAsync(openFileStore(d), { message: /catalog\.jsonl holds a line this version does not know \(csLookups, anchors\): written by a newer idsync, or damaged/ });
});

test('a space\'s rows are in a rows file the catalog names with the ids pending import and export; a damaged one stops the open, or the lookup of its row, naming it', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-store-'));
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const tx = s.begin();
  const c1: CsObject = { ...cs('c1', null), pendingImport: { op: 'add', delta: { sn: 'Ann' } } };
  const c2: CsObject = { ...cs('c2', null), pendingExport: { op: 'update', changes: { sn: { op: 'replace', value: 'Bob' } } } };
  for (const o of [c1, c2, cs('c3', null)]) tx.putCs(o);
  await tx.commit();
  await s.close();
  const line = (await catalogLines(d)).find((l) => l.csRows === 'hr');
  t.like(line, { count: 3, importing: ['c1'], exporting: ['c2'] });
  const again = await openFileStore(d);
  t.deepEqual([again.cs('hr').pendingImportIds(), again.cs('hr').pendingExportIds()], [['c1'], ['c2']]);
  t.deepEqual(again.cs('hr').get('c2'), c2);
  t.deepEqual(again.cs('hr').ids(), ['c1', 'c2', 'c3']);
  await again.close();
  const rowsPath = join(await generationDir(d), `rows-${line!.file}.jsonl`);
  const text = await readFile(rowsPath, 'utf8');
  await writeFile(rowsPath, text.slice(0, -5));
  await t.throwsAsync(openFileStore(d), { message: new RegExp(`rows-${line!.file}\\.jsonl cannot be read \\(the catalog names 3 rows, which its offsets do not match\\); the snapshot is damaged`) });
  // The same length, one row no longer JSON: found when that row is first looked up.
  const lines = text.split('\n');
  lines[1] = `{${lines[1]!.slice(1)}`;
  await writeFile(rowsPath, lines.join('\n'));
  const damaged = await openFileStore(d);
  t.is(damaged.cs('hr').get('c3')?.id, 'c3');
  t.throws(() => damaged.cs('hr').get('c2'), { message: new RegExp(`rows-${line!.file}\\.jsonl line 2 cannot be read \\(.*\\); the snapshot is damaged`) });
  await damaged.close();
});
