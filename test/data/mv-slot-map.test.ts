/** Metaverse slots over a snapshot's rows file and id table answer as a Map of every slot, and make only the rows they reach. */
import test from 'ava';
import { MvSlotMap, mvRowTable } from '../../data/mv-slot-map.ts';
import { FrozenTable } from '../../data/frozen-table.ts';
import type { MvSlot } from '../../data/store-state.ts';
import { prng } from '../../data/demo/people.ts';

const slot = (id: string, off = 0): MvSlot => ({ obj: undefined, file: 1, off, len: 1, id, type: 'person' });
const table = (ids: string[]) => FrozenTable.of(mvRowTable(ids).toBuffer(), 'test', (why) => new Error(why));

/** A map over `rows` made lazily, and the rows made so far. */
function lazy(rows: MvSlot[]): { map: MvSlotMap; made: number[] } {
  const made: number[] = [];
  const map = new MvSlotMap();
  map.restoreLazy(rows.length, (i) => { made.push(i); return { ...rows[i]! }; }, table(rows.map((r) => r.id)));
  return { map, made };
}

for (const seed of [1, 2, 3]) {
  test(`seed ${seed}: gets, sizes and the set of slots agree with a Map under sets and deletes`, (t) => {
    const rnd = prng(seed);
    const rows = Array.from({ length: 50 }, (_, i) => slot(`m${i}`));
    const { map } = lazy(rows);
    const ref = new Map(rows.map((r) => [r.id, r]));
    for (let step = 0; step < 300; step++) {
      const id = `m${Math.floor(rnd() * 70)}`;
      if (rnd() < 0.35) t.is(map.delete(id), ref.delete(id), `delete ${id}`);
      else { const s = slot(id, step); map.set(id, s); ref.set(id, s); }
      t.is(map.size, ref.size);
    }
    for (let i = 0; i < 70; i++) t.is(map.get(`m${i}`)?.off, ref.get(`m${i}`)?.off, `m${i}`);
    t.deepEqual([...map].map(([id]) => id).sort(), [...ref.keys()].sort());
    t.is([...map.values()].length, ref.size);
  });
}

test('a row is made when a lookup first reaches it, once; a walk makes the rest, in the rows\' order before slots set since', (t) => {
  const rows = Array.from({ length: 1000 }, (_, i) => slot(`m${i}`, i));
  const { map, made } = lazy(rows);
  t.is(map.size, 1000);
  t.deepEqual(made, [], 'opening makes no row');
  const s = map.get('m700');
  t.is(s?.off, 700);
  t.is(map.get('m700'), s, 'the same slot');
  t.is(map.row(3)?.id, 'm3', 'connector rows name a row by place');
  t.is(map.get('nobody'), undefined);
  t.deepEqual(made, [700, 3]);
  map.set('new', slot('new'));
  map.set('m5', slot('m5', -5));
  t.true(map.delete('m6'));
  const order = [...map].map(([id]) => id);
  t.is(made.length, 1000, 'a walk makes the rest');
  t.is(new Set(made).size, 1000);
  t.deepEqual(order.slice(0, 5), ['m0', 'm1', 'm2', 'm3', 'm4']);
  t.deepEqual(order.slice(-2), ['new', 'm5']);
  t.false(order.includes('m6'));
  t.is(order.length, 1000);
  t.is(map.size, 1000);
});

test('a table that does not name the catalog\'s rows is a damaged snapshot', (t) => {
  const map = new MvSlotMap();
  t.throws(() => map.restoreLazy(3, () => slot('x'), table(['a', 'b'])), { message: /names 2 rows where the catalog holds 3; the snapshot is damaged/ });
});

test('a replay puts slots back over rows or nothing without making a row; the size, gets and walk then agree with a Map', (t) => {
  const rnd = prng(9);
  const rows = Array.from({ length: 50 }, (_, i) => slot(`m${i}`));
  const { map, made } = lazy(rows);
  const ref = new Map(rows.map((r) => [r.id, r]));
  // Each id once, as a replay gives each object's last version: rows and ids new since.
  const ids = [...new Set(Array.from({ length: 60 }, () => `m${Math.floor(rnd() * 80)}`))];
  for (const [step, id] of ids.entries()) {
    const s = slot(id, 1000 + step);
    map.putBack(id, s);
    ref.set(id, s);
  }
  t.deepEqual(made, [], 'no row made, none looked up');
  t.is(map.size, ref.size, 'the size counts the new ones once asked for');
  // Then as a run goes on: sets, deletes, and puts back (of ids held already, which are sets).
  for (let step = 0; step < 200; step++) {
    const id = `m${Math.floor(rnd() * 90)}`;
    const r = rnd();
    if (r < 0.3) t.is(map.delete(id), ref.delete(id), `delete ${id}`);
    else { const s = slot(id, step); if (r < 0.5) map.putBack(id, s); else map.set(id, s); ref.set(id, s); }
    if (step % 7 === 0) t.is(map.size, ref.size, `size at ${step}`);
  }
  t.is(map.size, ref.size);
  for (let i = 0; i < 90; i++) t.is(map.get(`m${i}`)?.off, ref.get(`m${i}`)?.off, `m${i}`);
  t.deepEqual([...map].map(([id]) => id).sort(), [...ref.keys()].sort());
});
