/** The journal read back as bytes: lines across read chunks, "\r\n" ends, a last line without one, multi-byte heads. */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayJournal, type Replayed } from '../../data/journal-replay.ts';

const head = (id: string, dn: string) => JSON.stringify(['slot', 'dir', 'user', [id, id.toUpperCase(), dn, 0, 0, 0, null, null, null, 0]]);
const op = (id: string, dn: string) => JSON.stringify(['cs', 'dir', id, { anchor: id.toUpperCase(), dn, objectType: 'user', state: 'connector', hologram: { cn: dn } }]);
const lines = [
  `${head('a', 'CN=Zoë Ürban,DC=corp')}\t${op('a', 'CN=Zoë Ürban,DC=corp')}`,
  '["mv","m1",{"id":"m1","objectType":"person","attrs":{"displayName":"Åsa"},"lineage":{},"connectors":[],"createdAt":"x","deleteAt":null}]',
  '{"commit":true}',
  '',
  `${head('b', 'CN=Bo,DC=corp')}\t${op('b', 'CN=Bo,DC=corp')}\r`,
  '{"commit":true}\r',
  `${head('c', 'CN=Cy,DC=corp')}\t${op('c', 'CN=Cy,DC=corp')}`,
  '{"commit":true}',
];

async function replay(path: string, chunk: number, needsObject = false) {
  const got: Replayed[][] = [];
  const r = await replayJournal(path, { needsObject: () => needsObject, commit: (ops) => got.push([...ops]) }, chunk);
  return { ...r, got };
}

test('every read chunk size gives the same ops, and each place names the op after the head', async (t) => {
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-journal-')), 'journal.jsonl');
  // The last commit line has no line end: written, then the process stopped before the "\n".
  const text = lines.join('\n');
  await writeFile(path, text);
  const bytes = await readFile(path);
  const whole = await replay(path, 1 << 20);
  t.is(whole.ops, 4);
  t.is(whole.committed, bytes.length + 1, 'past the last commit, as if its line end were there');
  t.deepEqual(whole.got.map((tx) => tx.map(([o]) => `${o[0]}:${o[1]}`)), [['slot:dir', 'mv:m1'], ['slot:dir'], ['slot:dir']]);
  for (const tx of whole.got) for (const [o, off, len] of tx) {
    if (o[0] !== 'slot') continue;
    // The slot's place is the op's bytes: a "\r" before the line end is whitespace to JSON.
    const body = JSON.parse(bytes.toString('utf8', off, off + len)) as unknown[];
    t.is(body[2], (o[3] as unknown[])[0]);
  }
  for (const chunk of [7, 64, 100, 333]) t.deepEqual(await replay(path, chunk), whole, `chunks of ${chunk} bytes`);
  const parsed = await replay(path, 64, true);
  t.deepEqual(parsed.got.map((tx) => tx.map(([o]) => `${o[0]}:${o[0] === 'mv' ? o[1] : o[2]}`)), [['cs:a', 'mv:m1'], ['cs:b'], ['cs:c']]);
});

test('a damaged head is a torn line: ignored at the end, an error naming its line when more follows', async (t) => {
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-journal-')), 'journal.jsonl');
  await writeFile(path, `${lines.slice(0, 3).join('\n')}\n["slot","dir",\t{}\n`);
  t.is((await replay(path, 50)).ops, 2);
  await writeFile(path, `${lines.slice(0, 3).join('\n')}\n["slot","dir",\t{}\n{"commit":true}\n`);
  await t.throwsAsync(replay(path, 50), { message: /is damaged at line 4 \(byte \d+\) and more lines follow/ });
});
