/** Replaying the journal reads connector slots from the head of their lines, and objects only where a value index needs them. */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { CsObject } from '../../data/objects.ts';

const base: Omit<CsObject, 'id'> = {
  agent: 'dir', anchor: null, dn: '', objectType: 'user', state: 'connector', mvId: null, hologram: {}, pendingImport: null, pendingExport: null, unconfirmed: null,
  exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null,
};
const members = Array.from({ length: 2000 }, (_, i) => `CN=Member ${i},OU=People,DC=corp`);
const group: CsObject = {
  ...base, id: 'g', anchor: 'G1', dn: 'CN=Staff,OU=Groups,DC=corp', objectType: 'group', mvId: 'm-g', hologram: { member: members },
  pendingExport: { op: 'update', changes: { member: { op: 'values', add: ['CN=New,DC=corp'], remove: [] } } } as CsObject['pendingExport'],
};
const user: CsObject = { ...base, id: 'u', anchor: 'U1', dn: 'CN=Ann,OU=People,DC=corp', mvId: 'm-u', hologram: { sAMAccountName: 'ann' } };

test('a replay takes a connector slot from its line\'s head and reads the object only for a value index of its type', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-store-'));
  const s = await openFileStore(d);
  const tx = s.begin();
  tx.putCs(group);
  tx.putCs(user);
  await tx.commit();
  await s.close();
  // A value index of users, kept by the snapshot that compaction writes.
  const compacted = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  t.deepEqual(compacted.cs('dir').find('user', 'sAMAccountName', 'ANN').map((o) => o.id), ['u']);
  await compacted.close();
  const again = await openFileStore(d, { compactOnCloseAfterOps: 1e9 });
  const tx2 = again.begin();
  tx2.putCs({ ...group, hologram: { member: [...members, 'CN=New,DC=corp'] }, pendingExport: null });
  tx2.putCs({ ...user, hologram: { sAMAccountName: 'ann2' } });
  await tx2.commit();
  await again.close();

  // Blank the group's object in the journal, keeping every offset: a replay that parsed it would fail.
  const journal = join(d, 'journal.jsonl');
  const lines = (await readFile(journal, 'utf8')).split('\n');
  const at = lines.findIndex((l) => l.includes('CN=Staff'));
  const tab = lines[at]!.indexOf('\t');
  t.true(tab > 0, 'the line starts with its slot');
  lines[at] = lines[at]!.slice(0, tab + 1) + ' '.repeat(lines[at]!.length - tab - 1);
  await writeFile(journal, lines.join('\n'));

  const replayed = await openFileStore(d, { compactOnCloseAfterOps: 1e9 });
  const space = replayed.cs('dir');
  t.like(space.refByAnchor('G1'), { id: 'g', mvId: 'm-g', dn: 'CN=Staff,OU=Groups,DC=corp' });
  t.deepEqual(space.pendingExportIds(), [], 'the pending lists come from the slot');
  t.throws(() => space.get('g'), { message: /cannot read the object at byte \d+ of .*journal\.jsonl/ });
  // The user's line was read whole: its new value is in the index.
  t.deepEqual(space.find('user', 'sAMAccountName', 'ann2').map((o) => o.id), ['u']);
  t.deepEqual(space.find('user', 'sAMAccountName', 'ann'), []);
  await replayed.close();
});

test('a snapshot\'s catalog is ASCII: other characters are escaped there, and every file reads back the same', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-store-'));
  const name = 'Zoë Ünal 😀 李';
  const cs: CsObject = { ...user, id: 'z', anchor: 'Z1', dn: `CN=${name},OU=People,DC=corp`, hologram: { displayName: name } };
  const s = await openFileStore(d);
  const tx = s.begin();
  tx.putCs(cs);
  tx.putMv({ id: 'm-z', objectType: 'person', attrs: { displayName: name }, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null });
  await tx.commit();
  await s.close();
  const compacting = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  await compacting.close();
  const generation = (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim();
  const catalog = await readFile(join(d, 'snapshot', generation, 'catalog.jsonl'));
  t.true(catalog.every((b) => b < 128), 'the catalog is ASCII');
  const rows = Buffer.concat(await Promise.all(['rows-1.jsonl', 'rows-2.jsonl'].map((f) => readFile(join(d, 'snapshot', generation, f)))));
  t.true(rows.includes('Zo\\u00eb') && rows.every((b) => b < 128), 'the rows files are ASCII');
  const again = await openFileStore(d);
  t.deepEqual(again.cs('dir').get('z'), cs);
  t.is(again.cs('dir').refByAnchor('Z1')?.dn, cs.dn);
  t.is(again.mv('m-z')?.attrs['displayName'], name);
  await again.close();
});

test('a snapshot keeps the op of a journal line, not the slot it starts with: its catalog holds the slots', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-store-'));
  const s = await openFileStore(d);
  const tx = s.begin();
  tx.putCs(user);
  await tx.commit();
  await s.close();
  t.true((await readFile(join(d, 'journal.jsonl'), 'utf8')).startsWith('["slot",'));
  const compacting = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  t.deepEqual(compacting.cs('dir').get('u'), user, 'read from the journal line, after its slot');
  await compacting.close();
  const generation = (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim();
  const objects = await readFile(join(d, 'snapshot', generation, 'objects.jsonl'), 'utf8');
  t.true(objects.startsWith('["cs","dir","u",'), objects.slice(0, 40));
  const again = await openFileStore(d);
  t.deepEqual(again.cs('dir').get('u'), user);
  t.like(again.cs('dir').refByAnchor('U1'), { dn: user.dn, mvId: 'm-u' });
  await again.close();
});

test('an object written in this process is read back from after its line\'s head', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-store-'));
  // A cache of one: the first object must be read back from the journal.
  const s = await openFileStore(d, { cacheObjects: 1 });
  const tx = s.begin();
  tx.putCs({ ...user, dn: 'CN=Zoë,OU=People,DC=corp' });
  tx.putCs(group);
  await tx.commit();
  t.deepEqual(s.cs('dir').get('g'), group);
  t.deepEqual(s.cs('dir').get('u'), { ...user, dn: 'CN=Zoë,OU=People,DC=corp' });
  await s.close();
});

test('a replay keeps a patched group it parsed, not the other objects: the next read of the group does not read its lines again', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-store-'));
  const person = { id: 'm-p', objectType: 'person', attrs: { displayName: 'Ann' }, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null };
  const staff = { ...person, id: 'm-g', objectType: 'group', attrs: { member: members } };
  const s = await openFileStore(d, { compactOnCloseAfterOps: 1e9 });
  for (const version of [[person, staff], [{ ...staff, attrs: { member: [...members, 'CN=New,DC=corp'] } }]]) {
    const tx = s.begin();
    for (const m of version) tx.putMv(m);
    await tx.commit();
  }
  await s.close();
  const journal = join(d, 'journal.jsonl');
  const text = await readFile(journal, 'utf8');
  t.true(text.includes('["mv~"'), 'the group\'s second version is a patch of its first');

  const replayed = await openFileStore(d, { compactOnCloseAfterOps: 1e9 });
  // Every metaverse line blanked, offsets kept: a read of one now would fail.
  await writeFile(journal, text.split('\n').map((l) => (l.startsWith('["mv') ? ' '.repeat(l.length) : l)).join('\n'));
  t.deepEqual(replayed.mv('m-g')?.attrs['member'], [...members, 'CN=New,DC=corp']);
  // A person's object is read from its line again: opening keeps slots, not the objects replayed (store-memory.test.ts).
  t.throws(() => replayed.mv('m-p'), { message: /cannot read the object/ });
  await replayed.close();
});
