/** The store's files read back object by object: a walk in write order reads blocks, whatever lies between the objects. */
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNAL, ObjectLog } from '../../data/object-log.ts';

/** Appends `n` lines as the store's journal holds them: a slot head before each object, and another object between. */
async function journal(n: number) {
  const log = new ObjectLog(join(await mkdtemp(join(tmpdir(), 'idsync-log-')), 'journal.jsonl'));
  const places: { off: number; len: number; text: string }[] = [];
  for (let i = 0; i < n; i++) {
    const head = `["slot","dir","user",["u${i}",${i}]]\t`;
    const text = JSON.stringify({ id: `u${i}`, hologram: { cn: `User ${i}`.padEnd(200 + (i % 7) * 100, '.') } });
    const off = log.append(head + text) + Buffer.byteLength(head);
    places.push({ off, len: Buffer.byteLength(text), text });
    log.append(JSON.stringify({ mv: `m${i}`, displayName: `Other ${i}`.padEnd(i % 3 === 0 ? 3000 : 100, '-') }));
  }
  log.flush();
  return { log, places };
}

test('a walk in write order reads a block at a time though each object starts after a head and another object', async (t) => {
  const { log, places } = await journal(3000);
  const before = log.reads;
  for (const p of places) t.is(log.read(JOURNAL, p.off, p.len), p.text);
  // About 4.6 MB in 256 KB blocks: one read per object before.
  t.true(log.reads - before < 40, `${log.reads - before} reads for ${places.length} objects`);
  log.close();
});

test('objects read out of order, and after more lines were appended, are read as written', async (t) => {
  const { log, places } = await journal(500);
  const order = places.map((_, i) => (i * 7919) % places.length);
  for (const i of order) t.is(log.read(JOURNAL, places[i]!.off, places[i]!.len), places[i]!.text);
  // A block read at the journal's end, then a line appended after it: the new line is read, not the block's stale end.
  const last = places.at(-1)!;
  t.is(log.read(JOURNAL, last.off, last.len), last.text);
  const off = log.append('{"late":true}');
  t.is(log.read(JOURNAL, off, 13), '{"late":true}');
  log.close();
});
