/** The journal's superseded versions are not parsed: each line's object is told from its text (keyOfText). */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyOfText, replayJournal, type Replayed } from '../../data/journal-replay.ts';

const head = (agent: string, id: string, n: number) => JSON.stringify(['slot', agent, 'user', [id, `A${n}`, `CN=${n}`, 0, 0, 0, null, null, null, 0]]);
const body = (agent: string, id: string, n: number) => JSON.stringify(['cs', agent, id, { anchor: `A${n}`, dn: `CN=${n}`, objectType: 'user', state: 'connector', hologram: { n } }]);
const mv = (id: string, n: number) => JSON.stringify(['mv', id, { id, objectType: 'person', attrs: { n }, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null }]);

test('the key read from a line\'s text is the one its parsed op gives, escapes and all; other lines have none', (t) => {
  for (const [agent, id] of [['dir', 'a'], ['d"ir', 'x\\y'], ['hr', 'Zoë \u2028 Ürban'], ['é', '\u00e9"']]) {
    t.deepEqual(keyOfText(head(agent!, id!, 1)), { key: `c\0${agent}\0${id}`, kind: 'slot' });
    t.deepEqual(keyOfText(mv(id!, 1)), { key: `m\0${id}`, kind: 'mv' });
    t.deepEqual(keyOfText(JSON.stringify(['mv~', id, [1, 2, 3], { set: {} }])), { key: `m\0${id}`, kind: 'mv~' });
  }
  for (const text of ['["slot","dir",', '["slot","dir","user",{}]', '["slot","dir","user"]', '["mv",1]', '["mv","m1"', '["meta","k",1]', '{"commit":true}', '["cs","dir","b",null]']) {
    t.is(keyOfText(text), null, text);
  }
});

test.serial('a journal of many versions parses only the last of each, and replays as parsing every one did', async (t) => {
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-journal-')), 'journal.jsonl');
  const lines: string[] = [];
  for (let n = 0; n < 40; n++) {
    for (const id of ['a', 'b', 'c']) lines.push(`${head('dir', id, n)}\t${body('dir', id, n)}`);
    lines.push(mv('m1', n), mv('m2', n), '{"commit":true}');
  }
  await writeFile(path, lines.join('\n') + '\n');
  const parse = JSON.parse;
  let parses = 0;
  // Only lines of this journal are counted (serial: no other test replays one meanwhile).
  const ours = new Set(lines);
  JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
    if (ours.has(text) || [...ours].some((l) => l.startsWith(`${text}\t`))) parses++;
    return parse(text, reviver);
  }) as typeof JSON.parse;
  const got: Replayed[] = [];
  try {
    const { ops, committed, last } = await replayJournal(path, (r) => got.push(r));
    t.deepEqual({ ops, committed }, { ops: 200, committed: Buffer.byteLength(lines.join('\n') + '\n') });
    const saved = last.map((line) => line.split('\t')).map(([kind, , , key]) => `${kind} ${(JSON.parse(key!) as string).replaceAll('\0', ' ')}`);
    t.deepEqual(saved, ['s c dir a', 's c dir b', 's c dir c', 'm m m1', 'm m m2'], 'what journal.last would save: each last version, in order');
  } finally {
    JSON.parse = parse;
  }
  // The 40 commit lines, and the last version of each of the five objects.
  t.is(parses, 45);
  t.deepEqual(got.map(([o]) => (o[0] === 'slot' ? `slot ${o[3][0]} ${o[3][1]}` : o[0] === 'mv' ? `mv ${o[1]} ${String(o[2]?.attrs['n'])}` : o[0])), ['slot a A39', 'slot b A39', 'slot c A39', 'mv m1 39', 'mv m2 39']);
});

test('a damaged line that is the last version of its object stops the open, naming its line', async (t) => {
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-journal-')), 'journal.jsonl');
  // Its key can be read, the rest of its head cannot be parsed.
  await writeFile(path, [`${head('dir', 'a', 1)}\t${body('dir', 'a', 1)}`, '{"commit":true}', `["slot","dir","user",["a",}\t${body('dir', 'a', 2)}`, '{"commit":true}'].join('\n') + '\n');
  await t.throwsAsync(replayJournal(path, () => undefined), { message: /is damaged at line 3 \(byte \d+\) and more lines follow/ });
});
