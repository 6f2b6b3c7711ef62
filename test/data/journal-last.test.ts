/**
 * journal.last: closing saves each object's last version in the journal, and
 * the next open reads only the journal after the bytes it covers. It is a
 * cache: a file that does not match the journal (another snapshot, a journal
 * cut shorter or changed, the file itself damaged) is not used, and the open
 * scans the journal as before. Either way the store opened is the same.
 */
import test from 'ava';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore, type OpenOptions } from '../../data/json-file-store.ts';
import type { Store } from '../../data/store.ts';
import type { CsObject, MvObject, RunRecord } from '../../data/objects.ts';
import { newCsObject } from '../../engine/import/stage-object.ts';
import { LastTracker } from '../../data/journal-last.ts';
import { openedState, scannedState } from '../helpers/store-replay.ts';

// Never compacted by these tests' writes: every open replays the journal.
const options: OpenOptions = { compactAfterOps: 1e9, compactOnCloseAfterOps: 1e9 };
const dir = () => mkdtemp(join(tmpdir(), 'idsync-last-'));
const person = (id: string, title: string): MvObject => ({ id, objectType: 'person', attrs: { title, note: 'x'.repeat(600) }, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null });
const user = (id: string, dn: string, mvId: string | null): CsObject => ({ ...newCsObject('dir', { dn, objectType: 'user' }), id, anchor: `A-${id}`, mvId, state: mvId ? 'connector' : 'disconnector', hologram: { cn: dn } });

/** Twelve steps over 40 people, 40 users, settings and runs: each object changed several times, some deleted. */
async function steps(s: Store, from: number, to: number): Promise<void> {
  for (let step = from; step < to; step++) {
    const tx = s.begin();
    for (let i = step % 3; i < 40; i += 3) {
      tx.putMv(person(`p${i}`, `title ${step}`));
      if (i % 7 === step % 7) tx.deleteCs('dir', `u${i}`);
      else tx.putCs(user(`u${i}`, `CN=U${i} ${step % 2},DC=corp`, i % 4 ? `p${i}` : null));
    }
    if (step % 5 === 4) tx.deleteMv(`p${step}`);
    tx.setMeta('step', step);
    tx.addRun({ id: `run-${step}`, agent: 'dir', step: 'delta-sync', profile: null, startedAt: 'x', endedAt: 'x', status: 'success', counters: {} as RunRecord['counters'], errors: [], notes: [] });
    await tx.commit();
  }
}

/** What the engine asks a store, as text. */
function state(s: Store): string[] {
  const cs = s.cs('dir');
  const out = [`meta ${String(s.meta('step'))}`, `runs ${s.runs().map((r) => r.id).join(',')}`, `ids ${cs.ids().sort().join(',')}`];
  for (let i = 0; i < 40; i++) {
    const u = cs.get(`u${i}`);
    out.push(`u${i} ${u?.dn ?? '-'} ${u?.mvId ?? '-'} ${cs.byAnchor(`A-u${i}`)?.id ?? '-'} ${cs.joinedTo(`p${i}`)?.id ?? '-'}`);
    out.push(`p${i} ${s.mv(`p${i}`)?.attrs['title'] ?? '-'} ${s.mvFind('person', 'title', `title ${i % 12}`).length}`);
  }
  return out;
}

const opened = (d: string) => openedState(d, options, state);
const scanned = (d: string) => scannedState(d, options, state);

// The header is the file's last line.
/** A store after steps [0, n), closed: its journal.last saved. */
async function written(n: number): Promise<string> {
  const d = await dir();
  const s = await openFileStore(d, options);
  await steps(s, 0, n);
  await s.close();
  return d;
}

const header = async (d: string) => JSON.parse((await readFile(join(d, 'journal.last'), 'utf8')).trimEnd().split('\n').at(-1)!) as { committed: number; ops: number; count: number };

test('each close saves the last versions; each open after it reads on from there and opens the same store as a scan', async (t) => {
  const d = await dir();
  let s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  s.mvIndexed('person', 'title');
  await s.close(); // a snapshot, with a value index for the replay to keep
  for (let round = 0; round < 4; round++) {
    s = await openFileStore(d, options);
    await steps(s, round * 12, round * 12 + 12);
    const expected = state(s);
    await s.close();
    const h = await header(d);
    t.is(h.committed, (await stat(join(d, 'journal.jsonl'))).size, 'it covers the whole journal');
    const lines = (await readFile(join(d, 'journal.jsonl'), 'utf8')).split('\n').filter((l) => l && l !== '{"commit":true}');
    t.is(h.ops, lines.length, 'and counts its ops, as a scan does');
    t.deepEqual(await scanned(d), expected, `round ${round}: scanned`);
    t.deepEqual(await opened(d), expected, `round ${round}: read on from journal.last`);
  }
});

test('the open does not read the journal before the bytes journal.last covers', async (t) => {
  const d = await written(24);
  const journal = join(d, 'journal.jsonl');
  const text = await readFile(journal, 'utf8');
  t.true(text.length > 200 * 1024, 'longer than the 64 KB whose hash journal.last keeps');
  // The first line, a version that later ones replace, made unreadable: only a scan reads it.
  const damaged = text.replace('["mv","p0",', '["mv","p0"');
  t.is(damaged.length, text.length - 1);
  await writeFile(journal, damaged.replace('"title 0"', '"title 0 "'));
  const expected = await opened(d);
  t.true(expected.includes('meta 23'), 'opened, with every step');
  await t.throwsAsync(scanned(d), { message: /journal\.jsonl is damaged at line 1 \(byte \d+\) and more lines follow/ });
});

test('journal.last is not used when it does not match the journal or is damaged: the open scans, and the close saves it again', async (t) => {
  const last = (d: string) => readFile(join(d, 'journal.last'));
  const cases: [string, (d: string) => Promise<void>][] = [
    ['matching (nothing spoiled)', async () => undefined],
    ['its own entries changed', async (d) => { const b = await last(d); b.writeUInt8(b.readUInt8(20) ^ 1, 20); await writeFile(join(d, 'journal.last'), b); }],
    ['cut short', async (d) => { const b = await last(d); await writeFile(join(d, 'journal.last'), b.subarray(0, b.length - 40)); }],
    ['the journal shorter than it covers', async (d) => { const p = join(d, 'journal.jsonl'); const lines = (await readFile(p, 'utf8')).split('\n'); await writeFile(p, lines.slice(0, -6).join('\n') + '\n'); }],
    ['the journal changed in its last bytes', async (d) => { const p = join(d, 'journal.jsonl'); await writeFile(p, (await readFile(p, 'utf8')).replace(/"title 5"/g, '"title 9"')); }],
    // A crash after a snapshot was written and named, before the journal it holds was emptied.
    ['another snapshot generation', async (d) => {
      const [journal, kept] = [await readFile(join(d, 'journal.jsonl')), await last(d)];
      await (await openFileStore(d, { compactOnCloseAfterOps: 0 })).close();
      await writeFile(join(d, 'journal.jsonl'), journal);
      await writeFile(join(d, 'journal.last'), kept);
    }],
  ];
  for (const [name, spoil] of cases) {
    const d = await written(6);
    await spoil(d);
    const before = await last(d);
    t.deepEqual(await opened(d), await scanned(d), name);
    // Used, nothing new to save: left as it was. Not used: the open scanned, and the close saved what it found.
    t.is(Buffer.compare(await last(d), before) === 0, name.startsWith('matching'), `${name}: used only if it matches`);
  }
});

test('a rolled-back transaction, spilled or not, and an uncommitted tail after a crash are not saved as last versions', async (t) => {
  const d = await dir();
  let s = await openFileStore(d, { ...options, spillAfterObjects: 4 });
  await steps(s, 0, 3);
  for (const n of [2, 20]) {
    const tx = s.begin();
    for (let i = 0; i < n; i++) tx.putMv(person(`gone${i}`, 'never'));
    await tx.rollback();
  }
  await steps(s, 3, 5);
  const expected = state(s);
  await s.close();
  t.false((await readFile(join(d, 'journal.last'), 'utf8')).includes('gone'), 'nothing of the rolled-back transactions');
  // A crash after close: a transaction's lines without their commit.
  await appendFile(join(d, 'journal.jsonl'), `${JSON.stringify(['mv', 'p1', person('p1', 'uncommitted')])}\n`);
  t.deepEqual(await opened(d), expected);
  s = await openFileStore(d, options);
  t.is(s.mv('gone0'), undefined);
  t.is(s.mv('p1')?.attrs['title'], 'title 4', 'the last committed version');
  await s.close();
});

test('a transaction of more objects than are tracked stops the tracking before its commit, and closing saves nothing', async (t) => {
  const d = await dir();
  const journal = join(d, 'journal.jsonl');
  await writeFile(journal, '["meta","k",1]\n{"commit":true}\n');
  const saved = async (tracker: LastTracker) => {
    await rm(join(d, 'journal.last'), { force: true });
    await tracker.save(d, journal, 1, (await stat(journal)).size, 1);
    return readFile(join(d, 'journal.last')).then(() => true, () => false);
  };
  const small = new LastTracker();
  small.reset([]);
  small.put(['meta', 'k', 1], 0, '', '["meta","k",1]', 0, 14);
  small.commit();
  t.true(await saved(small), 'a few objects are saved');
  // A full sync's transaction, rolled back: its ops were never held until the commit that did not come.
  const big = new LastTracker();
  big.reset([]);
  for (let i = 0; i <= 2 ** 17; i++) big.put(['meta', `k${i}`, i], i, '', `["meta","k${i}",${i}]`, 0, 14);
  big.abort();
  big.put(['meta', 'k', 1], 0, '', '["meta","k",1]', 0, 14);
  big.commit();
  t.false(await saved(big), 'tracking stopped at the transaction that passed the limit');
});

test('a damaged line after the bytes journal.last covers stops the open, naming its byte', async (t) => {
  const d = await written(3);
  const journal = join(d, 'journal.jsonl');
  const at = (await stat(journal)).size;
  await appendFile(journal, `["mv","p1"\n${JSON.stringify(['meta', 'step', 99])}\n{"commit":true}\n`);
  await t.throwsAsync(openFileStore(d, options), { message: new RegExp(`journal\\.jsonl is damaged at byte ${at} and more lines follow; nothing was changed`) });
});

test('an object whose key is not ASCII, changed again after a close, is saved once', async (t) => {
  const d = await dir();
  for (const title of ['one', 'two', 'three']) {
    const s = await openFileStore(d, options);
    const tx = s.begin();
    tx.putMv(person('Zoë-1', title));
    tx.putCs(user('ü-1', `CN=Zoë ${title},DC=corp`, 'Zoë-1'));
    await tx.commit();
    await s.close();
  }
  t.is((await header(d)).count, 2, 'one line for each of the two objects');
  const s = await openFileStore(d, options);
  t.is(s.mv('Zoë-1')?.attrs['title'], 'three');
  t.is(s.cs('dir').get('ü-1')?.dn, 'CN=Zoë three,DC=corp');
  await s.close();
});
