/** Slots over a snapshot's frozen lookups answer as the three Maps they replace, under any sequence of changes. */
import test from 'ava';
import { SlotMap } from '../../data/slot-map.ts';
import { FrozenTable } from '../../data/frozen-table.ts';
import type { CsSlot } from '../../data/connector-space.ts';
import { prng } from '../../data/demo/people.ts';

const slot = (id: string, anchor: string | null, mvId: string | null): CsSlot => ({
  obj: undefined, file: 0, off: 0, len: 0, id, anchor, dn: `cn=${id}`, mvId, newDn: null, pendingAdd: false, placeholder: false, cleanDigest: null, pendingDelete: false,
});

/** The Maps as the connector space kept them: the last slot set holds an anchor or metaverse id; a removal frees only what it holds. */
class Reference {
  ids = new Map<string, CsSlot>();
  anchors = new Map<string, CsSlot>();
  mvs = new Map<string, CsSlot>();
  set(s: CsSlot) {
    this.unset(s.id);
    this.ids.set(s.id, s);
    if (s.anchor !== null) this.anchors.set(s.anchor, s);
    if (s.mvId !== null) this.mvs.set(s.mvId, s);
  }
  unset(id: string) {
    const old = this.ids.get(id);
    if (!old) return;
    this.ids.delete(id);
    if (old.anchor !== null && this.anchors.get(old.anchor) === old) this.anchors.delete(old.anchor);
    if (old.mvId !== null && this.mvs.get(old.mvId) === old) this.mvs.delete(old.mvId);
  }
}

const frozen = (m: SlotMap) => {
  const t = m.tables();
  const of = (w: typeof t.byId) => FrozenTable.of(w.toBuffer(), 'test', (why) => new Error(why));
  return { byId: of(t.byId), byAnchor: of(t.byAnchor), byMv: of(t.byMv) };
};

/** A map over `before`'s rows and tables, as a store opens a snapshot; `made` lists the rows made since. */
const reopened = (before: SlotMap) => {
  const tables = frozen(before);
  const rows = [...before.values()];
  const made: number[] = [];
  const map = new SlotMap();
  map.restoreLazy(rows.length, (i) => { made.push(i); return rows[i]!; });
  map.settle(tables);
  return { map, made };
};

for (const seed of [1, 2, 3, 4, 5]) {
  test(`seed ${seed}: lookups, order and size agree with the Maps, before and after a snapshot's tables`, (t) => {
    const rnd = prng(seed);
    const pick = (n: number) => Math.floor(rnd() * n);
    const ref = new Reference();
    let map = new SlotMap();
    // Few anchors and metaverse ids for many ids: slots take them from each other.
    const step = () => {
      const id = `id${pick(40)}`;
      if (rnd() < 0.3) { ref.unset(id); map.unset(id); return; }
      const s = slot(id, rnd() < 0.2 ? null : `a${pick(25)}`, rnd() < 0.3 ? null : `m${pick(25)}`);
      ref.set(s);
      map.set(s);
    };
    const agree = (when: string) => {
      t.deepEqual([...map.keys()], [...ref.ids.keys()], `${when}: order`);
      t.is(map.size, ref.ids.size, `${when}: size`);
      for (let i = 0; i < 40; i++) t.is(map.get(`id${i}`), ref.ids.get(`id${i}`), `${when}: id${i}`);
      for (let i = 0; i < 25; i++) {
        t.is(map.byAnchor(`a${i}`), ref.anchors.get(`a${i}`), `${when}: a${i}`);
        t.is(map.byMv(`m${i}`), ref.mvs.get(`m${i}`), `${when}: m${i}`);
      }
    };
    for (let i = 0; i < 200; i++) step();
    agree('maps');
    // A few changes between snapshots leave most rows to the tables; many leave few.
    for (const [round, changes] of [5, 150, 8, 3].entries()) {
      // A snapshot of the slots in their order, reopened over its tables.
      const tables = frozen(map);
      const rows = [...map.values()];
      map = new SlotMap();
      // Every other round from rows made only when looked up, as a rows file gives them.
      if (round % 2) map.restoreLazy(rows.length, (i) => rows[i]!);
      else for (const s of rows) map.restore(s);
      map.settle(tables);
      agree(`reopened ${round}`);
      for (let i = 0; i < changes; i++) step();
      agree(`changed over tables ${round}`);
    }
  });
}

test('rows restored without tables are looked up through the Maps, filled at the first lookup', (t) => {
  const map = new SlotMap();
  map.restore(slot('x', 'a', 'm'));
  map.restore(slot('y', 'b', null));
  t.is(map.byAnchor('b')?.id, 'y');
  t.is(map.byMv('m')?.id, 'x');
  t.deepEqual([...map.keys()], ['x', 'y']);
  // Restored after that (not from a catalog): set as any slot.
  map.restore(slot('z', 'a', null));
  t.is(map.byAnchor('a')?.id, 'z');
  t.is(map.size, 3);
});

test('tables that do not name the catalog\'s rows are a damaged snapshot, not wrong answers', (t) => {
  const before = new SlotMap();
  for (const id of ['x', 'y', 'z']) before.set(slot(id, id, null));
  const tables = frozen(before);
  const map = new SlotMap();
  map.restore(slot('x', 'x', null));
  map.restore(slot('y', 'y', null));
  t.throws(() => map.settle(tables), { message: /names 3 rows where the catalog holds 2; the snapshot is damaged/ });
});

test('rows restored lazily are made only when a lookup reaches them, each once, and all of them by a walk', (t) => {
  const before = new SlotMap();
  const rows = Array.from({ length: 1000 }, (_, i) => slot(`id${i}`, `a${i}`, i % 2 ? `m${i}` : null));
  for (const s of rows) before.set(s);
  const tables = frozen(before);
  const made: number[] = [];
  const map = new SlotMap();
  map.restoreLazy(rows.length, (i) => { made.push(i); return { ...rows[i]! }; });
  map.settle(tables);
  t.is(map.size, 1000);
  t.deepEqual(made, [], 'opening makes no row');
  const x = map.get('id500');
  t.is(x?.anchor, 'a500');
  t.is(map.byAnchor('a500'), x, 'the same slot, not made again');
  t.is(map.byMv('m7')?.id, 'id7');
  t.is(map.get('nobody'), undefined);
  t.deepEqual(made, [500, 7]);
  map.set(slot('id7', 'a7b', null));
  t.is(map.byMv('m7'), undefined, 'a row set again gives up what it held');
  t.deepEqual([...map.keys()].length, 1000);
  t.is(made.length, 1000, 'a walk makes the rest');
  t.is(new Set(made).size, 1000);
  const again = frozen(map);
  t.is(again.byId.size, 1000);
});

test('a replay puts slots back over rows or nothing without making a row; size, order and lookups then agree with the Maps', (t) => {
  const rnd = prng(12);
  const pick = (n: number) => Math.floor(rnd() * n);
  const ref = new Reference();
  const before = new SlotMap();
  for (let i = 0; i < 50; i++) {
    const s = slot(`id${i}`, `a${pick(40)}`, rnd() < 0.5 ? `m${pick(40)}` : null);
    ref.set(s);
    before.set(s);
  }
  const { map, made } = reopened(before);
  const fresh = (id: string) => slot(id, rnd() < 0.2 ? null : `a${pick(40)}`, rnd() < 0.4 ? null : `m${pick(40)}`);
  // Each id once, as a replay gives each object's last version: rows and ids new since.
  for (const id of new Set(Array.from({ length: 60 }, () => `id${pick(80)}`))) {
    const s = fresh(id);
    map.putBack(s);
    ref.set(s);
  }
  t.deepEqual(made, [], 'no row made, none looked up');
  const agree = (when: string) => {
    t.is(map.size, ref.ids.size, `${when}: size`);
    for (let i = 0; i < 80; i++) t.is(map.get(`id${i}`), ref.ids.get(`id${i}`), `${when}: id${i}`);
    for (let i = 0; i < 40; i++) {
      t.is(map.byAnchor(`a${i}`), ref.anchors.get(`a${i}`), `${when}: a${i}`);
      t.is(map.byMv(`m${i}`), ref.mvs.get(`m${i}`), `${when}: m${i}`);
    }
    t.deepEqual([...map.keys()], [...ref.ids.keys()], `${when}: order`);
  };
  agree('put back');
  // Then as a run goes on: sets, removals, and puts back (of ids held already, which are sets).
  for (let step = 0; step < 150; step++) {
    const id = `id${pick(90)}`;
    const r = rnd();
    if (r < 0.3) { map.unset(id); ref.unset(id); continue; }
    const s = fresh(id);
    if (r < 0.5 && map.held(id) === undefined) map.putBack(s);
    else map.set(s);
    ref.set(s);
  }
  agree('changed');
});

test('the bounds of the size after slots put back look nothing up, and hold the size', (t) => {
  const before = new SlotMap();
  for (let i = 0; i < 30; i++) before.set(slot(`id${i}`, `a${i}`, null));
  const { map, made } = reopened(before);
  // Ten over rows, five over nothing.
  for (let i = 20; i < 35; i++) map.putBack(slot(`id${i}`, `b${i}`, null));
  t.deepEqual(map.sizeRange(), { min: 30, max: 45 });
  t.deepEqual(made, [], 'no row made, none looked up');
  t.is(map.size, 35);
  t.true(made.length > 0, 'the size looks the ids up');
  t.deepEqual(map.sizeRange(), { min: 35, max: 35 }, 'known once the size was read');
});
