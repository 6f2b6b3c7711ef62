/** A snapshot keeps its value and DN indexes as table files: opening looks them up in place, and changes since override them. */
import test from 'ava';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { inlineRows } from '../helpers/catalog.ts';

const mv = (id: string, mail: string | string[]): MvObject => ({ id, objectType: 'person', attrs: { mail }, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null });
const cs = (id: string, dn: string, sam: string): CsObject => ({
  id, agent: 'dir', anchor: `A-${id}`, dn, objectType: 'user', state: 'connector', mvId: null, hologram: { sAMAccountName: sam }, pendingImport: null, pendingExport: null,
  unconfirmed: null, exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null,
});
const generation = async (d: string) => join(d, 'snapshot', (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim());
const catalogLines = async (d: string) => (await readFile(join(await generation(d), 'catalog.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function seeded() {
  const d = await mkdtemp(join(tmpdir(), 'idsync-store-'));
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const tx = s.begin();
  tx.putMv(mv('a', 'ann@x'));
  tx.putMv(mv('b', ['bob@x', 'shared@x']));
  tx.putMv(mv('c', 'shared@x'));
  tx.putCs(cs('u1', 'CN=Zoë,OU=People,DC=corp', 'zoe'));
  tx.putCs(cs('u2', 'CN=Bob,OU=People,DC=corp', 'bob'));
  await tx.commit();
  // The indexes a run built are the ones its snapshot keeps.
  s.mvFind('person', 'mail', 'ann@x');
  s.cs('dir').find('user', 'sAMAccountName', 'zoe');
  s.cs('dir').byDn('cn=bob,ou=people,dc=corp');
  await s.close();
  return d;
}

test('the catalog names a table file for each index built, and opening reads it', async (t) => {
  const d = await seeded();
  const lines = await catalogLines(d);
  const tables = lines.filter((l) => 'table' in l);
  t.deepEqual(tables.map((l) => l['mvRows'] === undefined ? l['csDn'] ?? l['csIndex'] ?? l['mvIndex'] : 'metaverse rows'), ['metaverse rows', 'dir', ['dir', 'user', 'sAMAccountName'], ['person', 'mail']]);
  t.false(lines.some((l) => 'rows' in l && !('cs' in l)), 'no index rows in the catalog');
  const g = await generation(d);
  // Each space's slots are looked up by id, anchor and metaverse id through three more (slot-map.ts).
  // And the metaverse's slots by id through one (mv-slot-map.ts).
  t.deepEqual(lines.filter((l) => 'csSlots' in l).map((l) => [l['csSlots'], l['tables']]), [['dir', ['index-2.bin', 'index-3.bin', 'index-4.bin']]]);
  const files = ['index-1.bin', 'index-2.bin', 'index-3.bin', 'index-4.bin', 'index-5.bin', 'index-6.bin', 'index-7.bin'];
  t.deepEqual((await readdir(g)).filter((f) => f.endsWith('.bin')).sort(), files);
  // Each table is read when opening: one missing stops the open, naming it.
  for (const f of files) {
    const bytes = await readFile(join(g, f));
    await rm(join(g, f));
    await t.throwsAsync(openFileStore(d), { message: new RegExp(f.replace('.', '\\.')) }, f);
    await writeFile(join(g, f), bytes);
  }
  // Tables are read ahead while the catalog is parsed: a stray file it does not name is no error, now or later.
  await writeFile(join(g, 'index-8.bin'), 'not a table');
  const s = await openFileStore(d);
  t.is(s.cs('dir').refByDn('CN=Bob,OU=People,DC=corp')?.id, 'u2');
  await new Promise((resolve) => setTimeout(resolve, 50));
  await s.close();
});

test('after reopening, lookups come from the tables, and what changed since overrides them', async (t) => {
  const d = await seeded();
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const ids = (v: string) => s.mvFind('person', 'mail', v).map((m) => m.id).sort().join(',');
  t.is(ids('ANN@x'), 'a');
  t.is(ids('shared@x'), 'b,c');
  t.deepEqual(s.cs('dir').find('user', 'sAMAccountName', 'ZOE').map((o) => o.id), ['u1']);
  t.is(s.cs('dir').refByDn('CN=ZOË,ou=people,DC=CORP')?.id, 'u1');
  const tx = s.begin();
  tx.putMv(mv('a', 'shared@x'));
  tx.deleteMv('c');
  tx.putMv({ ...mv('b', []), attrs: {} }); // no mail left: the table's values for b no longer count
  tx.putMv(mv('d', 'ann@x'));
  tx.putCs(cs('u1', 'CN=Zoe Renamed,OU=People,DC=corp', 'zoe2'));
  tx.putCs(cs('u3', 'CN=Zoë,OU=People,DC=corp', 'zoe'));
  tx.deleteCs('dir', 'u2');
  await tx.commit();
  const check = (when: string) => {
    t.is(ids('ann@x'), 'd', when);
    t.is(ids('shared@x'), 'a', when);
    t.is(ids('bob@x'), '', when);
    t.deepEqual(s.cs('dir').find('user', 'sAMAccountName', 'zoe').map((o) => o.id), ['u3'], when);
    t.deepEqual(s.cs('dir').find('user', 'sAMAccountName', 'zoe2').map((o) => o.id), ['u1'], when);
    t.is(s.cs('dir').refByDn('cn=zoë,ou=people,dc=corp')?.id, 'u3', when);
    t.is(s.cs('dir').refByDn('cn=zoe renamed,ou=people,dc=corp')?.id, 'u1', when);
    t.is(s.cs('dir').refByDn('CN=Bob,OU=People,DC=corp'), undefined, when);
  };
  check('after writes over the tables');
  await s.close();
  // The next snapshot holds the tables less what changed, and the changes.
  const s2 = await openFileStore(d);
  t.is(s2.mvFind('person', 'mail', 'shared@x').map((m) => m.id).sort().join(','), 'a');
  t.deepEqual(s2.mvFind('person', 'mail', 'bob@x'), []);
  t.deepEqual(s2.mvFind('person', 'mail', 'ann@x').map((m) => m.id), ['d']);
  t.deepEqual(s2.cs('dir').find('user', 'sAMAccountName', 'zoe').map((o) => o.id), ['u3']);
  t.is(s2.cs('dir').refByDn('CN=Zoë,OU=People,DC=corp')?.id, 'u3');
  t.is(s2.cs('dir').refByDn('CN=Bob,OU=People,DC=corp'), undefined);
  await s2.close();
});

test('a catalog written before the tables, with index rows, still opens with its indexes', async (t) => {
  const d = await seeded();
  // Before the tables there were no rows files either.
  await inlineRows(d);
  const catalog = join(await generation(d), 'catalog.jsonl');
  const lines = (await catalogLines(d)).filter((l) => !('csDn' in l) && !('csSlots' in l)).map((l) =>
    'mvIndex' in l ? { mvIndex: l['mvIndex'], rows: [['a', 'ann@x'], ['b', ['bob@x', 'shared@x']], ['c', 'shared@x']] }
      : 'csIndex' in l ? { csIndex: l['csIndex'], rows: [['u1', 'zoe'], ['u2', 'bob']] } : l);
  await writeFile(catalog, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  for (const f of await readdir(await generation(d))) if (f.endsWith('.bin')) await rm(join(await generation(d), f));
  const s = await openFileStore(d);
  t.deepEqual(s.mvFind('person', 'mail', 'shared@x').map((m) => m.id).sort(), ['b', 'c']);
  t.deepEqual(s.cs('dir').find('user', 'sAMAccountName', 'bob').map((o) => o.id), ['u2']);
  t.is(s.cs('dir').refByDn('cn=zoë,ou=people,dc=corp')?.id, 'u1', 'the DN index is built from the slots');
  await s.close();
});
