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

async function replay(path: string, chunk: number, heldBytes?: number) {
  const got: Replayed[] = [];
  const r = await replayJournal(path, (op) => got.push(op), chunk, heldBytes);
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
  t.deepEqual(whole.got.map(([o]) => `${o[0]}:${o[0] === 'slot' ? o[3][0] : o[1]}`), ['slot:a', 'mv:m1', 'slot:b', 'slot:c']);
  for (const [o, off, len] of whole.got) {
    // The place is the op's bytes, after a slot's head: a "\r" before the line end is whitespace to JSON.
    const body = JSON.parse(bytes.toString('utf8', off, off + len)) as unknown[];
    t.is(body[o[0] === 'slot' ? 2 : 1], o[0] === 'slot' ? o[3][0] : o[1]);
  }
  for (const chunk of [7, 64, 100, 333]) t.deepEqual(await replay(path, chunk), whole, `chunks of ${chunk} bytes`);
});

test("each object's last committed version only, in the order of those versions; every run record; nothing uncommitted", async (t) => {
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-journal-')), 'journal.jsonl');
  const mv = (id: string, name: string) => JSON.stringify(['mv', id, { id, objectType: 'person', attrs: { displayName: name }, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null }]);
  const run = (id: string) => JSON.stringify(['run', { id }]);
  await writeFile(path, [
    `${head('a', 'CN=A1,DC=corp')}\t${op('a', 'CN=A1,DC=corp')}`, mv('m1', 'one'), mv('m"2', 'quoted'), run('r1'), JSON.stringify(['meta', 'k', 1]), '{"commit":true}',
    `${head('b', 'CN=B,DC=corp')}\t${op('b', 'CN=B,DC=corp')}`, `${head('a', 'CN=A2,DC=corp')}\t${op('a', 'CN=A2,DC=corp')}`, run('r2'), '{"commit":true}',
    JSON.stringify(['cs', 'dir', 'b', null]), mv('m1', 'two'), JSON.stringify(['meta', 'k', 2]), '{"commit":true}',
    // Not committed: a crash before its commit line.
    `${head('a', 'CN=A3,DC=corp')}\t${op('a', 'CN=A3,DC=corp')}`, mv('m1', 'three'),
  ].join('\n') + '\n');
  const bytes = await readFile(path);
  const show = ([o, off, len]: Replayed) => {
    if (o[0] === 'slot') return `slot ${o[3][0]} ${o[3][2]}`;
    // Parsed, or (past the bytes held parsed) named by its id and read again.
    if (o[0] === 'mvline') return `mv ${o[1]} ${(JSON.parse(bytes.toString('utf8', off, off + len)) as [string, string, { attrs: { displayName: string } }])[2].attrs.displayName} (read again)`;
    if (o[0] === 'mv') return `mv ${o[1]} ${String(o[2]?.attrs['displayName'])}`;
    if (o[0] === 'run') return `run ${o[1].id}`;
    return `${o[0]} ${o[1]} ${JSON.stringify(o[0] === 'cs' ? o[3] : o[2])}`;
  };
  const want = ['mv m"2 quoted', 'run r1', 'slot a CN=A2,DC=corp', 'run r2', 'cs dir null', 'mv m1 two', 'meta k 2'];
  const { got, ops } = await replay(path, 100);
  t.is(ops, 11);
  t.deepEqual(got.map(show), want);
  t.deepEqual((await replay(path, 100, 0)).got.map(show), want.map((w) => (w.startsWith('mv') ? `${w} (read again)` : w)));
});

test('a damaged head is a torn line: ignored at the end, an error naming its line when more follows', async (t) => {
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-journal-')), 'journal.jsonl');
  await writeFile(path, `${lines.slice(0, 3).join('\n')}\n["slot","dir",\t{}\n`);
  t.is((await replay(path, 50)).ops, 2);
  await writeFile(path, `${lines.slice(0, 3).join('\n')}\n["slot","dir",\t{}\n{"commit":true}\n`);
  await t.throwsAsync(replay(path, 50), { message: /is damaged at line 4 \(byte \d+\) and more lines follow/ });
});
