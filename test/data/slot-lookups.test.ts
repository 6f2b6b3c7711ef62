/** Connector slots by anchor and by joined metaverse object: a snapshot's tables, read in place, under what changed since. */
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { Store } from '../../data/store.ts';
import type { CsObject } from '../../data/objects.ts';

const cs = (id: string, anchor: string, mvId: string | null, title = 'x'): CsObject => ({
  id, agent: 'dir', anchor, dn: `CN=${id},DC=corp`, objectType: 'user', state: mvId ? 'connector' : 'disconnector', mvId, hologram: { title }, pendingImport: null, pendingExport: null,
  unconfirmed: null, exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null,
});
const generation = async (d: string) => join(d, 'snapshot', (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim());

async function seeded() {
  const d = await mkdtemp(join(tmpdir(), 'idsync-lookups-'));
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const tx = s.begin();
  for (let i = 0; i < 50; i++) tx.putCs(cs(`u${i}`, `A-u${i}`, i % 2 ? `m${i}` : null));
  await tx.commit();
  await s.close();
  return d;
}

const anchorOf = (s: Store, anchor: string) => s.cs('dir').refByAnchor(anchor)?.id;
const joinedOf = (s: Store, mvId: string) => s.cs('dir').joinedTo(mvId)?.id;

test('after reopening, anchors and joins come from the snapshot\'s tables, and what changed since overrides them', async (t) => {
  const d = await seeded();
  const catalog = (await readFile(join(await generation(d), 'catalog.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  t.like(catalog.find((l) => 'csLookups' in l), { csLookups: 'dir' });
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  t.is(anchorOf(s, 'A-u7'), 'u7');
  t.is(joinedOf(s, 'm7'), 'u7');
  t.is(joinedOf(s, 'm8'), undefined);
  t.is(anchorOf(s, 'A-nobody'), undefined);
  // Found in the table once, then replaced: the newer slot answers.
  t.is(s.cs('dir').byAnchor('A-u3')?.hologram['title'], 'x');
  let tx = s.begin();
  tx.putCs(cs('u3', 'A-u3', 'm3', 'new'));
  tx.putCs(cs('u1', 'A-moved', 'm1'));
  tx.putCs(cs('u5', 'A-u5', null));
  tx.putCs(cs('u60', 'A-u60', 'm5'));
  tx.deleteCs('dir', 'u9');
  await tx.commit();
  // A change rolled back leaves the lookups as they were.
  tx = s.begin();
  tx.putCs(cs('u11', 'A-rolled', null));
  await tx.rollback();
  const check = (s: Store, when: string) => {
    t.is(s.cs('dir').byAnchor('A-u3')?.hologram['title'], 'new', when);
    t.is(anchorOf(s, 'A-u1'), undefined, when);
    t.is(anchorOf(s, 'A-moved'), 'u1', when);
    t.is(joinedOf(s, 'm1'), 'u1', when);
    t.is(joinedOf(s, 'm5'), 'u60', when);
    t.is(anchorOf(s, 'A-u9'), undefined, when);
    t.is(joinedOf(s, 'm9'), undefined, when);
    t.is(anchorOf(s, 'A-u11'), 'u11', when);
    t.is(joinedOf(s, 'm11'), 'u11', when);
    t.is(anchorOf(s, 'A-rolled'), undefined, when);
    t.is(anchorOf(s, 'A-u48'), 'u48', when);
  };
  check(s, 'over the tables');
  await s.close();
  const s2 = await openFileStore(d);
  check(s2, 'from the next snapshot');
  await s2.close();
});

test('a catalog written before the anchor and join tables still opens with both', async (t) => {
  const d = await seeded();
  const g = await generation(d);
  const path = join(g, 'catalog.jsonl');
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const l of lines) if ('csLookups' in l) for (const f of [l['anchors'], l['joined']]) await rm(join(g, String(f)));
  await writeFile(path, lines.filter((l) => !('csLookups' in l)).map((l) => JSON.stringify(l)).join('\n') + '\n');
  const s = await openFileStore(d);
  t.is(anchorOf(s, 'A-u7'), 'u7');
  t.is(joinedOf(s, 'm7'), 'u7');
  t.is(joinedOf(s, 'm8'), undefined);
  await s.close();
});
