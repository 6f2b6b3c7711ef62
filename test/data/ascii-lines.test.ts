/**
 * A long object line is journaled ASCII only (non-ASCII characters as \u
 * escapes), so that reading it back decodes fast; a short one is written as
 * UTF-8. Either reads back exactly, in this process, the next, and through a
 * snapshot, and its values are found by the indexes.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { newCsObject } from '../../engine/import/stage-object.ts';

// Latin-1, Greek, CJK and a character outside the BMP (a surrogate pair in JavaScript).
const names = ['Zoë Ünal', 'Οδυσσέας', '李小龍', '𐐀 Deseret', 'Straße'];
const members = (n: number) => Array.from({ length: n }, (_, i) => `CN=${names[i % names.length]} ${i},OU=People,DC=corp,DC=example,DC=com`);
const group = (member: string[]): CsObject => ({ ...newCsObject('dir', { dn: 'CN=Grüppe,DC=corp', objectType: 'group' }), id: 'g', anchor: 'G', hologram: { member, description: 'Équipe' } });
const mvGroup = (member: string[]): MvObject => ({ id: 'm', objectType: 'group', attrs: { member, code: 'Ü1' }, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null });
const small: CsObject = { ...newCsObject('dir', { dn: 'CN=Zoë,DC=corp', objectType: 'user' }), id: 'u', anchor: 'U', hologram: { cn: 'Zoë' } };

const lines = async (d: string) => (await readFile(join(d, 'journal.jsonl'), 'utf8')).split('\n').filter(Boolean);
const isAscii = (s: string) => !/[^\x00-\x7f]/.test(s);
/** The object's part of a line: a connector's line starts with its slot, and a tab (op-lines.ts), read only at open. */
const body = (l: string) => l.slice(l.indexOf('\t') + 1);

test('a long line is journaled ASCII only and reads back exactly; a short one stays UTF-8', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-ascii-'));
  const options = { compactAfterOps: 1e9, compactOnCloseAfterOps: 1e9 };
  let s = await openFileStore(d, options);
  const cs = group(members(1000));
  const mv = mvGroup(members(1000));
  const tx = s.begin();
  tx.putCs(cs);
  tx.putMv(mv);
  tx.putCs(small);
  await tx.commit();
  const written = await lines(d);
  const long = written.filter((l) => l.length > 16 * 1024);
  t.is(long.length, 2, 'the group, as a connector and as a metaverse object');
  for (const l of long) t.true(isAscii(body(l)), 'a long line\'s object holds no byte above 127');
  t.true(long.some((l) => l.includes('\\ud801\\udc00')), 'a character outside the BMP is written as its surrogate escapes');
  t.true(written.some((l) => l.length < 16 * 1024 && body(l).includes('"cn":"Zoë"')), 'a short line is written as UTF-8');
  t.deepEqual(s.cs('dir').get('g'), cs);
  await s.close();

  s = await openFileStore(d, options);
  t.deepEqual(s.cs('dir').get('g'), cs, 'connector object, next process');
  t.deepEqual(s.mv('m'), mv, 'metaverse object, next process');
  t.deepEqual(s.cs('dir').get('u'), small);
  t.deepEqual(s.mvFind('group', 'member', 'CN=李小龍 2,OU=People,DC=corp,DC=example,DC=com').map((m) => m.id), ['m'], 'an escaped value is found by the index');
  t.deepEqual(s.mvFind('group', 'code', 'Ü1').map((m) => m.id), ['m']);
  await s.close();
  // Closed with a snapshot: its objects file copies the lines as the journal holds them.
  s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  await s.close();
  const generation = (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim();
  const snapshotLong = (await readFile(join(d, 'snapshot', generation, 'objects.jsonl'), 'utf8')).split('\n').filter((l) => l.length > 16 * 1024);
  t.is(snapshotLong.length, 2);
  t.true(snapshotLong.every(isAscii), 'the snapshot\'s long lines hold no byte above 127');

  s = await openFileStore(d, options);
  t.deepEqual(s.cs('dir').get('g'), cs, 'connector object, through a snapshot');
  t.deepEqual(s.mv('m'), mv, 'metaverse object, through a snapshot');
  await s.close();
});
