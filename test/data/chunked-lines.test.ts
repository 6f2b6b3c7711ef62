/**
 * A line of 128 KB or more is journaled with its long lists cut into pieces
 * (chunked-json.ts): it reads back exactly in the next process and through a
 * snapshot, and its values are found by the indexes.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { newCsObject } from '../../engine/import/stage-object.ts';

const members = (n: number) => Array.from({ length: n }, (_, i) => `CN=Zoë "${i}" \\ Ünal,OU=People,DC=corp,DC=example,DC=com`);
const group = (member: string[]): CsObject => ({ ...newCsObject('dir', { dn: 'CN=G,DC=corp', objectType: 'group' }), id: 'g', anchor: 'G', hologram: { member, description: 'x' } });
const mvGroup = (member: string[]): MvObject => ({ id: 'm', objectType: 'group', attrs: { member, code: 'D1' }, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null });
const longLines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter((l) => l.length >= 128 * 1024);

test('a group of 3,000 members is journaled in pieces and reads back exactly, next process and through a snapshot', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'idsync-chunked-'));
  const options = { compactAfterOps: 1e9, compactOnCloseAfterOps: 1e9 };
  let s = await openFileStore(d, options);
  const cs = group(members(3000));
  const mv = mvGroup(members(3000));
  const tx = s.begin();
  tx.putCs(cs);
  tx.putMv(mv);
  await tx.commit();
  await s.close();
  const journaled = await longLines(join(d, 'journal.jsonl'));
  t.is(journaled.length, 2, 'the group, as a connector and as a metaverse object');
  for (const l of journaled) t.true(l.split('\r').length > 3, 'cut into pieces');

  s = await openFileStore(d, options);
  t.deepEqual(s.cs('dir').get('g'), cs, 'connector object, next process');
  t.deepEqual(s.mv('m'), mv, 'metaverse object, next process');
  t.deepEqual(s.mvFind('group', 'member', members(3000)[2999]!).map((m) => m.id), ['m'], 'found by the index');
  await s.close();
  s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  await s.close();
  const generation = (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim();
  t.is((await longLines(join(d, 'snapshot', generation, 'objects.jsonl'))).filter((l) => l.includes('\r')).length, 2, 'the snapshot keeps the pieces');
  s = await openFileStore(d, options);
  t.deepEqual(s.cs('dir').get('g'), cs, 'connector object, from the snapshot');
  t.deepEqual(s.mv('m'), mv, 'metaverse object, from the snapshot');
  await s.close();
});
