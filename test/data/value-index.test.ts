/** The metaverse value index against a plain reference, as objects' multi-values change by a few values and whole. */
import test from 'ava';
import { MvValueIndex } from '../../data/value-index.ts';
import type { MvObject } from '../../data/objects.ts';
import { FrozenTable } from '../../data/frozen-table.ts';
import { MemoryStore } from '../../data/store-state.ts';

const group = (id: string, member: string[]): MvObject => ({ id, objectType: 'group', attrs: { member }, lineage: {}, connectors: [], createdAt: '', deleteAt: null });

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

// With the default threshold these groups are short; with 8, most are long (asked at each lookup), and they cross it both ways.
for (const [seed, long] of [[1, undefined], [2, undefined], [3, undefined], [4, 8], [5, 8]] as const) {
  test(`lookups follow groups of many members changed by a few, whole, or emptied (seed ${seed}${long ? `, long from ${long} members` : ''})`, (t) => {
    const r = random(seed);
    const index = new MvValueIndex('group', 'member', long);
    const held = new Map<string, string[]>();
    const people = Array.from({ length: 60 }, (_, i) => `P${i}`);
    for (let round = 0; round < 300; round++) {
      const id = `g${Math.floor(r() * 5)}`;
      const before = held.get(id) ?? [];
      const op = r();
      let next: string[];
      if (op < 0.6) next = [...before.filter(() => r() > 0.1), ...people.filter(() => r() < 0.05)];
      else if (op < 0.8) next = people.filter(() => r() < 0.5);
      else if (op < 0.92) next = people.filter(() => r() < 0.08);
      else next = [];
      next = [...new Set(next)];
      held.set(id, next);
      index.update(id, group(id, next));
      // After every change, not only at the end: a wrong step is often undone by a later one.
      const expected = people.map((p) => `${p}: ${[...held].filter(([, ms]) => ms.includes(p)).map(([g]) => g).sort().join()}`);
      t.deepEqual(people.map((p) => `${p}: ${index.ids(p).sort().join()}`), expected, `after round ${round}`);
    }
  });
}

test('a long group\'s members are normalized when first asked for, not at each write of it, and a snapshot of the index holds them', (t) => {
  let made = 0;
  // A value that counts each time it is turned into a key (normalizeKey calls String on what is not a string).
  const member = (s: string) => ({ toString: () => { made++; return s; } }) as unknown as string;
  const index = new MvValueIndex('group', 'member', 8);
  const first = Array.from({ length: 10 }, (_, i) => member(`p${i}`));
  index.update('g', group('g', first));
  index.update('g', group('g', [...first.slice(1), member('p10')]));
  t.is(made, 0, 'two writes, no member normalized');
  t.deepEqual(index.ids('p10'), ['g']);
  t.deepEqual(index.ids('p0'), []);
  t.is(made, 10, 'the last version\'s members, once');
  index.update('g', group('g', [...first.slice(2), member('p11')]));
  const table = FrozenTable.of(index.frozen().toBuffer(), 'test', (why) => new Error(why));
  const reloaded = new MvValueIndex('group', 'member', 8);
  reloaded.load(table, (id) => id);
  t.deepEqual(['p1', 'p2', 'p11'].map((p) => reloaded.ids(p).join()), ['', 'g', 'g']);
});

test('a sync readying the member index of a long group does not make the set of its members; a lookup does, once', async (t) => {
  let made = 0;
  const member = (s: string) => ({ toString: () => { made++; return s; } }) as unknown as string;
  const members = Array.from({ length: 300 }, (_, i) => member(`p${i}`));
  const store = new MemoryStore();
  const write = async (m: MvObject) => { const tx = store.begin(); tx.putMv(m); await tx.commit(); };
  await write(group('g', members));
  store.mvIndexed('group', 'member');
  await write(group('g', [...members.slice(1), member('p300')]));
  // What each sync does before it writes (outbound-by-value.ts, join.ts): it looked up '', and made 300 keys each time.
  store.mvIndexed('group', 'member');
  t.is(made, 0, 'built, written and readied twice: no member made a key');
  t.deepEqual(store.mvFind('group', 'member', 'p300').map((m) => m.id), ['g']);
  t.deepEqual(store.mvFind('group', 'member', 'p0'), []);
  t.is(made, 300, 'the last version\'s members, once');
});
