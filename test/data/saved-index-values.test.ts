/**
 * journal.last saves, with the last version of each metaverse object and
 * connector slot, the values the value indexes hold for it, and the next open
 * gives them back to the indexes without reading the object
 * (saved-index-values.ts). The store opened must be the one a scan of the
 * whole journal opens.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore, type OpenOptions } from '../../data/json-file-store.ts';
import type { Store } from '../../data/store.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { restoreSaved, restoreSavedMv, savedMvText, savedTriples, UnchangedTexts } from '../../data/saved-index-values.ts';
import { CsValueIndex, MvValueIndex, type IndexRow } from '../../data/value-index.ts';
import { FrozenTable, FrozenTableWriter, stringHash } from '../../data/frozen-table.ts';
import { newCsObject } from '../../engine/import/stage-object.ts';
import { seeded } from '../helpers/random.ts';
import { openedState, scannedState } from '../helpers/store-replay.ts';

// Never compacted by the writes: every open replays the journal.
const options: OpenOptions = { compactAfterOps: 1e9, compactOnCloseAfterOps: 1e9 };
const dir = () => mkdtemp(join(tmpdir(), 'idsync-saved-'));

const mv = (id: string, objectType: string, attrs: MvObject['attrs']): MvObject => ({ id, objectType, attrs, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null });
const person = (id: string, mail: string, aliases: string[], dept = 'D0', note = 'x'.repeat(200)) => mv(id, 'person', { mail, aliases, dept, note });
const user = (i: number, sam: string, note = ''): CsObject => ({ ...newCsObject('dir', { dn: `CN=U${i},DC=corp`, objectType: 'user' }), id: `u${i}`, anchor: `A${i}`, hologram: { sam, note } });
const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const POOL = 30;
const IDS = [...range(60, (i) => `p${i}`), ...range(8, (i) => `g${i}`)];

/** What the engine asks a store: every object, and every lookup of each value the objects draw from. */
function state(s: Store): string[] {
  const find = (type: string, attribute: string, v: string) => `${attribute} ${v}: ${s.mvFind(type, attribute, v).map((m) => m.id).sort().join(',')}`;
  const out = IDS.map((id) => `${id} ${JSON.stringify(s.mv(id)?.attrs ?? null)}`);
  for (let i = 0; i < POOL; i++) out.push(find('person', 'mail', `M${i}@X`), find('person', 'aliases', `a${i}`), find('group', 'code', `G${i}`), find('group', 'member', `p${i}`));
  for (let i = 0; i < 60; i++) out.push(`u${i} ${JSON.stringify(s.cs('dir').get(`u${i}`)?.hologram ?? null)}`);
  for (let i = 0; i < POOL; i++) out.push(`sam S${i}: ${s.cs('dir').find('user', 'sam', `s${i}`).map((u) => u.id).sort().join(',')}`);
  return out;
}

const opened = (d: string) => openedState(d, options, state);
const scanned = (d: string) => scannedState(d, options, state);

test('opening from the values saved with each metaverse object opens the store a scan of the journal opens', async (t) => {
  const random = seeded(7);
  const pick = (n: number) => Math.floor(random() * n);
  // A long list (300 values) now and then: its index holds it apart, unsaved, and the object is read.
  const list = (prefix: string) => (random() < 0.1 ? range(300, (i) => `${prefix}${i}`) : range(pick(4), () => `${prefix}${pick(POOL)}`));
  const somePerson = (i: number) => person(`p${i}`, `M${pick(POOL)}@x`, list('a'), `D${pick(4)}`);
  const someGroup = (i: number) => mv(`g${i}`, 'group', { code: `G${random() < 0.7 ? i : pick(POOL)}`, member: list('p') });
  const someUser = (i: number) => user(i, `S${pick(POOL)}`);
  const d = await dir();
  // A snapshot whose index tables are the indexes' base.
  let s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  let tx = s.begin();
  for (let i = 0; i < 40; i++) tx.putMv(somePerson(i));
  for (let i = 0; i < 5; i++) tx.putMv(someGroup(i));
  for (let i = 0; i < 40; i++) tx.putCs(someUser(i));
  await tx.commit();
  for (const [type, attribute] of [['person', 'mail'], ['person', 'aliases'], ['group', 'code'], ['group', 'member']] as const) s.mvIndexed(type, attribute);
  s.cs('dir').find('user', 'sam', '');
  await s.close();
  for (let round = 0; round < 5; round++) {
    s = await openFileStore(d, options);
    // Built during a run, not in the snapshot: the next open does not have it.
    if (round === 2) s.mvIndexed('person', 'dept');
    for (let step = 0; step < 4; step++) {
      tx = s.begin();
      for (let k = 0; k < 12; k++) {
        const r = random();
        // p0 to p4 are left as the snapshot holds them until the last round.
        const i = 5 + pick(55);
        const m = s.mv(`p${i}`);
        const u = s.cs('dir').get(`u${i}`);
        if (k % 2) {
          // A connector: deleted, given another account name, or its other values only.
          if (r < 0.1) tx.deleteCs('dir', `u${i}`);
          else if (r < 0.4 && u) tx.putCs({ ...u, hologram: { ...u.hologram, note: `n${round}.${step}` } });
          else tx.putCs(someUser(i));
          continue;
        }
        if (r < 0.1) tx.deleteMv(`p${i}`);
        // Its indexed values as the snapshot holds them, or as an earlier run left them.
        else if (r < 0.3 && m) tx.putMv({ ...m, attrs: { ...m.attrs, note: `n${round}.${step}` } });
        else if (r < 0.85) tx.putMv(somePerson(i));
        else tx.putMv(someGroup(pick(8)));
      }
      await tx.commit();
    }
    if (round === 4) {
      // Written with the values the snapshot's index tables hold for them: nothing indexed since, saved as such.
      tx = s.begin();
      for (let i = 0; i < 5; i++) tx.putMv({ ...s.mv(`p${i}`)!, attrs: { ...s.mv(`p${i}`)!.attrs, note: 'last' } });
      for (let i = 0; i < 5; i++) tx.putCs({ ...s.cs('dir').get(`u${i}`)!, hologram: { ...s.cs('dir').get(`u${i}`)!.hologram, note: 'last' } });
      await tx.commit();
    }
    const expected = state(s);
    await s.close();
    t.deepEqual(await scanned(d), expected, `round ${round}: scanned`);
    t.deepEqual(await opened(d), expected, `round ${round}: from journal.last`);
  }
  const lines = (await readFile(join(d, 'journal.last'), 'utf8')).split('\n');
  const texts = lines.filter((l) => l.startsWith('m\t')).map((l) => l.split('\t')[4]!);
  t.true(texts.filter((x) => x.startsWith('["person",')).length > 20, 'people saved with their values');
  t.true(texts.some((x) => x.startsWith('["group",')), 'groups too');
  const users = lines.filter((l) => l.startsWith('s\t')).map((l) => l.split('\t')[5]);
  t.true(users.filter((x) => x?.startsWith('[["user","sam",')).length > 20, 'users saved with their values, after their heads');
  t.true(users.some((x) => x === '[["user","sam",null]]'), 'a user\'s index left to its base');
  t.true(texts.some((x) => x.includes(',null]')), 'an index left to its base');
  t.true(texts.some((x) => x === ''), 'an object read at open: a long list, or gone');
  t.false(texts.some((x) => x.length > 2000), 'no long list saved');
});

test('an object put back from its saved values is not read until asked for', async (t) => {
  const d = await dir();
  let s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  let tx = s.begin();
  tx.putMv(person('seed', 'seed@x', []));
  tx.putCs(user(999, 'seed'));
  await tx.commit();
  s.mvIndexed('person', 'mail');
  s.cs('dir').find('user', 'sam', '');
  await s.close(); // a snapshot, with the indexes for the open to load
  s = await openFileStore(d, options);
  tx = s.begin();
  tx.putMv(person('p0', 'first@x', ['zero']));
  tx.putCs(user(0, 'First'));
  await tx.commit();
  // More than the 64 KB at the journal's end whose hash journal.last keeps.
  for (let i = 1; i <= 300; i++) {
    tx = s.begin();
    tx.putMv(person(`p${i}`, `M${i}@x`, [], 'D0', 'y'.repeat(600)));
    tx.putCs(user(i, `S${i}`));
    await tx.commit();
  }
  await s.close();
  const journal = join(d, 'journal.jsonl');
  const text = await readFile(journal, 'utf8');
  const at = text.indexOf('["mv","p0",{');
  const atUser = text.indexOf('["cs","dir","u0",{');
  t.true(at >= 0 && atUser > at && text.length - atUser > 100 * 1024);
  // The only versions of p0 and u0 made unreadable, their lengths kept: a scan stops at them; journal.last does not read them.
  await writeFile(journal, `${text.slice(0, at)}["mv","p0",[${text.slice(at + 12, atUser)}["cs","dir","u0",[${text.slice(atUser + 18)}`);
  s = await openFileStore(d, options);
  try {
    t.deepEqual(s.mvFind('person', 'mail', 'M7@x').map((m) => m.id), ['p7']);
    t.deepEqual(s.cs('dir').find('user', 'sam', 'S7').map((u) => u.id), ['u7']);
    const byte = (i: number) => Buffer.byteLength(text.slice(0, i));
    t.throws(() => s.mvFind('person', 'mail', 'FIRST@x'), { message: new RegExp(`cannot read the object at byte ${byte(at)} of .*journal\\.jsonl`) });
    t.throws(() => s.cs('dir').find('user', 'sam', 'first'), { message: new RegExp(`cannot read the object at byte ${byte(atUser)} of .*journal\\.jsonl`) });
  } finally {
    await s.close();
  }
  await rm(join(d, 'journal.last'));
  await t.throwsAsync(openFileStore(d, options), { message: /journal\.jsonl (is damaged at line \d+ .*and more lines follow|: Expected)/ });
});

test('saved values are given back only where they cover every index of the object\'s type', (t) => {
  const indexes = () => [new MvValueIndex('person', 'mail'), new MvValueIndex('person', 'aliases'), new MvValueIndex('group', 'code')];
  const slot = (id: string) => ({ id, type: 'person' });
  const [mail, aliases, code] = indexes();
  for (const index of [mail!, aliases!, code!]) index.update('p1', person('p1', 'Ann@X', ['a1', 'a2']));
  const text = savedMvText(slot('p1'), [mail!, aliases!, code!]);
  t.deepEqual(JSON.parse(text), ['person', [['person', 'mail', ['ann@x']], ['person', 'aliases', ['a1', 'a2']]]]);
  const fresh = indexes();
  t.is(restoreSavedMv('p1', text, fresh), 'person');
  t.deepEqual([fresh[0]!.ids('ANN@x'), fresh[1]!.ids('a2'), fresh[2]!.ids('p1')], [['p1'], ['p1'], []]);
  // An index of its type the text does not name: nothing is given back, and the object is read instead.
  const other = [new MvValueIndex('person', 'mail'), new MvValueIndex('person', 'dept')];
  t.is(restoreSavedMv('p1', text, other), null);
  t.deepEqual(other[0]!.ids('ann@x'), []);
  for (const bad of ['', '{', '["person",[["person","mail",[1]]]]', '["person"]', '[1,[]]', '["person",[["person","mail"]]]']) t.is(restoreSavedMv('p1', bad, indexes()), null, bad);
  // A long list left to be made, and a gone object: nothing saved.
  aliases!.update('p2', person('p2', 'b@x', range(300, (i) => `a${i}`)));
  t.is(savedMvText(slot('p2'), [mail!, aliases!]), '');
  t.is(savedMvText(undefined, [mail!]), '');
  // Over a snapshot's table: an id indexed since is said, one not is left to the table.
  const table = new FrozenTableWriter();
  table.add(stringHash('old@x'), 'old@x', 'p3');
  const based = new MvValueIndex('person', 'mail');
  based.load(FrozenTable.of(table.toBuffer(), 'mem', (why) => new Error(why)), (id) => id);
  t.deepEqual(JSON.parse(savedMvText(slot('p3'), [based])), ['person', [['person', 'mail', null]]], 'nothing indexed since: the table answers');
  // Without one (rows an older catalog gave): an id that holds no value any more says so, or the rows would give it back.
  const rows: IndexRow[] = [['p4', 'gone@x'], ['p5', 'kept@x']];
  const before = new MvValueIndex('person', 'mail');
  before.load(rows, (id) => id);
  before.update('p4', mv('p4', 'person', {}));
  const gone = savedMvText(slot('p4'), [before]);
  t.deepEqual(JSON.parse(gone), ['person', [['person', 'mail', []]]]);
  const after = new MvValueIndex('person', 'mail');
  after.load(rows, (id) => id);
  t.is(restoreSavedMv('p4', gone, [after]), 'person');
  t.deepEqual([after.ids('gone@x'), after.ids('kept@x')], [[], ['p5']]);
  // A connector's: every index of its space, its type's given back.
  const sam = new CsValueIndex('user', 'sam');
  const group = new CsValueIndex('group', 'cn');
  sam.update('u1', user(1, 'Ann'));
  const triples = savedTriples('u1', [sam, group]);
  t.deepEqual(triples, [['user', 'sam', ['ann']], ['group', 'cn', []]], 'no table under either: what each holds');
  const again = new CsValueIndex('user', 'sam');
  t.true(restoreSaved('u1', 'user', triples, [again, new CsValueIndex('group', 'cn')]));
  t.deepEqual(again.ids('ANN'), ['u1']);
  t.false(restoreSaved('u1', 'user', triples, [new CsValueIndex('user', 'mail')]), 'an index the triples do not name');
});

test('a text saying nothing was indexed since the snapshot is known whole, for the indexes as they are', (t) => {
  const table = new FrozenTableWriter();
  table.add(stringHash('old@x'), 'old@x', 'p1');
  const based = (type: string, attribute: string) => {
    const index = new MvValueIndex(type, attribute);
    index.load(FrozenTable.of(table.toBuffer(), 'mem', (why) => new Error(why)), (id) => id);
    return index;
  };
  const indexes = [based('person', 'mail'), based('group', 'code'), based('person', 'aliases')];
  const known = new UnchangedTexts(() => indexes.values(), true);
  const person = savedMvText({ id: 'p1', type: 'person' }, indexes);
  const group = savedMvText({ id: 'g1', type: 'group' }, indexes);
  t.deepEqual([known.typeOf(person), known.typeOf(group)], ['person', 'group']);
  // Values indexed since, or an index of the type it does not name (one built after it was saved): parsed, as before.
  indexes[0]!.update('p2', mv('p2', 'person', { mail: 'new@x' }));
  const changed = savedMvText({ id: 'p2', type: 'person' }, indexes);
  t.is(known.typeOf(changed), undefined);
  t.is(restoreSavedMv('p2', changed, [based('person', 'mail'), based('person', 'aliases')]), 'person');
  indexes.push(based('person', 'sn'));
  t.deepEqual([known.typeOf(person), known.typeOf(group)], [undefined, 'group']);
  t.is(known.typeOf(savedMvText({ id: 'p1', type: 'person' }, indexes)), 'person');
  t.is(known.typeOf(person.replace('null', '[]')), undefined, 'an index that now holds nothing for it');
  // A connector's names every index of its space: one text, of no type.
  const space = [new CsValueIndex('user', 'sam'), new CsValueIndex('group', 'cn')];
  for (const index of space) index.load(FrozenTable.of(table.toBuffer(), 'mem', (why) => new Error(why)), (id) => id);
  const connector = new UnchangedTexts(() => space.values(), false);
  t.is(connector.typeOf(JSON.stringify(savedTriples('u1', space))), '');
  t.is(connector.typeOf(JSON.stringify(savedTriples('u1', space.slice(0, 1)))), undefined);
  space[0]!.update('u1', user(1, 'Ann'));
  t.is(connector.typeOf(JSON.stringify(savedTriples('u1', space))), undefined);
});

test('a journal.last of format 1, saved before the values were, is still read', async (t) => {
  const d = await dir();
  const s = await openFileStore(d, options);
  for (let round = 0; round < 2; round++) {
    const tx = s.begin();
    for (let i = 0; i < 150; i++) {
      tx.putMv(person(`p${i}`, `M${i}.${round}@x`, [], 'D0', 'y'.repeat(600)));
      tx.putCs(user(i, `S${i}.${round}`));
    }
    await tx.commit();
  }
  s.mvIndexed('person', 'mail');
  const expected = state(s);
  await s.close();
  // As format 1 wrote it: no values after a slot's head, none for a metaverse object.
  const path = join(d, 'journal.last');
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  const body = lines.slice(0, -1).map((l) => l.split('\t')).map((f) => `${[...f.slice(0, 4), f[0] === 'm' ? '' : f[4]].join('\t')}\n`).join('');
  const head = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
  await writeFile(path, `${body}${JSON.stringify({ ...head, format: 1, sha1: createHash('sha1').update(body).digest('hex') })}\n`);
  // A version every object replaced later made unreadable: a scan stops at it, journal.last does not.
  const journal = join(d, 'journal.jsonl');
  const text = await readFile(journal, 'utf8');
  await writeFile(journal, text.replace('["mv","p0",{', '["mv","p0" {'));
  t.deepEqual(await opened(d), expected);
  await rm(path);
  await t.throwsAsync(openFileStore(d, options), { message: /journal\.jsonl is damaged at line 1 / });
});
