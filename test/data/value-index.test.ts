/** The metaverse value index against a plain reference, as objects' multi-values change by a few values and whole. */
import test from 'ava';
import { MvValueIndex } from '../../data/value-index.ts';
import type { MvObject } from '../../data/objects.ts';

const group = (id: string, member: string[]): MvObject => ({ id, objectType: 'group', attrs: { member }, lineage: {}, connectors: [], createdAt: '', deleteAt: null });

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

for (const seed of [1, 2, 3]) {
  test(`lookups follow groups of many members changed by a few, whole, or emptied (seed ${seed})`, (t) => {
    const r = random(seed);
    const index = new MvValueIndex('group', 'member');
    const held = new Map<string, string[]>();
    const people = Array.from({ length: 60 }, (_, i) => `P${i}`);
    for (let round = 0; round < 300; round++) {
      const id = `g${Math.floor(r() * 5)}`;
      const before = held.get(id) ?? [];
      const op = r();
      let next: string[];
      if (op < 0.6) next = [...before.filter(() => r() > 0.1), ...people.filter(() => r() < 0.05)];
      else if (op < 0.9) next = people.filter(() => r() < 0.5);
      else next = [];
      next = [...new Set(next)];
      held.set(id, next);
      index.update(id, group(id, next));
    }
    for (const p of people) {
      const expected = [...held].filter(([, ms]) => ms.includes(p)).map(([g]) => g).sort();
      t.deepEqual(index.ids(p).sort(), expected, p);
    }
  });
}
