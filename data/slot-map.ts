/**
 * A connector space's slots by id, and the slot holding each anchor and each
 * metaverse id. Filling three Maps with every slot took 0.7 s of an open at
 * 100,000 people, for a delta cycle that looks up a few hundred of them (and
 * a group's members). A snapshot now freezes the three lookups as tables
 * (frozen-table.ts) naming catalog rows: opening reads them, and a lookup
 * reads only its entries. Slots set or removed since are held in Maps over
 * them, which answer first; a catalog without the tables fills the Maps.
 */
import { FrozenTableWriter, stringHash, type FrozenTable } from './frozen-table.ts';
import type { CsSlot } from './connector-space.ts';
import { RowList } from './catalog-rows.ts';

/** The three lookups of a snapshot's rows: id, anchor and metaverse id → row. */
export interface SlotTables<T> { readonly byId: T; readonly byAnchor: T; readonly byMv: T }

export class SlotMap {
  /** A snapshot's rows, in its order; looked up through `#tables` once adopted. */
  #rows = new RowList<CsSlot>();
  #tables: SlotTables<FrozenTable> | null = null;
  /** Whether the rows are looked up yet (through tables or the Maps): restoring ends at the first lookup. */
  #settled = false;
  /** Slots set since the rows (every one, without tables), in the order set; null: removed since. */
  readonly #ids = new Map<string, CsSlot | null>();
  readonly #anchors = new Map<string, CsSlot | null>();
  readonly #mvs = new Map<string, CsSlot | null>();
  #size = 0;
  /** Ids put back over a row or nothing (`putBack`): which, is asked when the size is. */
  readonly #unknown = new Set<string>();

  /** A snapshot's row (a catalog names each object once): looked up once `settle` says how. */
  restore(slot: CsSlot): void {
    if (this.#settled) { this.set(slot, true); return; }
    this.#rows.push(slot);
    this.#size++;
  }

  /**
   * A snapshot's `count` rows, each made by `decode` when first looked up
   * (catalog-rows.ts): a delta cycle looks up a few percent of them.
   */
  restoreLazy(count: number, decode: (row: number) => CsSlot): void {
    if (this.#settled || this.#rows.length) {
      for (let i = 0; i < count; i++) this.restore(decode(i));
      return;
    }
    this.#rows.lazy(count, decode);
    this.#size += count;
  }

  /** After a snapshot's rows: the tables it froze for them; without, every row goes into the Maps. */
  settle(tables: SlotTables<FrozenTable> | null = null): void {
    if (this.#settled) return;
    this.#settled = true;
    if (tables) {
      // Tables of other rows would answer with the wrong slots, or none: a damaged snapshot, said so.
      if (tables.byId.size !== this.#rows.length) throw new Error(`store: ${tables.byId.path} names ${tables.byId.size} rows where the catalog holds ${this.#rows.length}; the snapshot is damaged`);
      this.#tables = tables;
      return;
    }
    const rows = [...this.#rows];
    this.#rows = new RowList();
    this.#size -= rows.length;
    for (const s of rows) this.set(s, true);
  }

  get size(): number {
    // Each id put back over nothing is one slot more.
    for (const id of this.#unknown) if (!this.#rows.find(this.#tables?.byId, id, (r) => r.id)) this.#size++;
    this.#unknown.clear();
    return this.#size;
  }

  /** `size`, less or more by the ids put back over a row or nothing: nothing is looked up. */
  sizeRange(): { readonly min: number; readonly max: number } { return { min: this.#size, max: this.#size + this.#unknown.size }; }

  has(id: string): boolean { return this.get(id) !== undefined; }

  /** The slot the Maps hold for `id`: null when removed since the rows, undefined when they hold none (a row's, or none). */
  held(id: string): CsSlot | null | undefined {
    this.settle();
    return this.#ids.get(id);
  }

  // The tables answer only while no Map does, and only with a row whose id no Map holds: a row whose slot
  // was set again or removed since holds nothing of what the tables say (see `unset`).
  get(id: string): CsSlot | undefined {
    this.settle();
    const s = this.#ids.get(id);
    return s !== undefined ? s ?? undefined : this.#rows.find(this.#tables?.byId, id, (r) => r.id);
  }

  byAnchor(anchor: string): CsSlot | undefined {
    this.settle();
    const s = this.#anchors.get(anchor);
    return s !== undefined ? s ?? undefined : this.#rows.find(this.#tables?.byAnchor, anchor, (r) => (this.#ids.has(r.id) ? null : r.anchor));
  }

  byMv(mvId: string): CsSlot | undefined {
    this.settle();
    const s = this.#mvs.get(mvId);
    return s !== undefined ? s ?? undefined : this.#rows.find(this.#tables?.byMv, mvId, (r) => (this.#ids.has(r.id) ? null : r.mvId));
  }

  /** Sets the slot: it holds its anchor and metaverse id, and comes last in order (after `unset` of its id, unless `once`). */
  set(slot: CsSlot, once = false): void {
    if (!once) this.unset(slot.id);
    // A removal over tables left a null: taken out first, so that the slot comes last, as a Map's new key does.
    if (this.#tables) this.#ids.delete(slot.id);
    this.#ids.set(slot.id, slot);
    this.#size++;
    if (slot.anchor !== null) this.#anchors.set(slot.anchor, slot);
    if (slot.mvId !== null) this.#mvs.set(slot.mvId, slot);
  }

  /**
   * As `set`, for a slot the Maps hold nothing for (`held`), put back by a
   * replay over a snapshot's row or nothing: which, is not looked up here but
   * when the size is asked for. A row it replaces holds nothing of what the
   * tables say once its id is in a Map (see `get`). Opening a store after a
   * 1% delta at 100,000 people looked up and made 3,000 rows this way.
   */
  putBack(slot: CsSlot): void {
    if (!this.#tables || this.held(slot.id) !== undefined) { this.set(slot); return; }
    // Set without unsetting what it replaces, and counted when the size is asked for.
    this.set(slot, true);
    this.#size--;
    this.#unknown.add(slot.id);
  }

  /**
   * Removes the slot of `id`, and its anchor and metaverse id where a Map
   * gives them to it; returns it. Where the tables give them to its row,
   * they stop once its id is in a Map: nothing is looked up in them here
   * (the two lookups it made were a thousand page reads of the tables when
   * a store opened at 100,000 people, before replays used `putBack`).
   */
  unset(id: string): CsSlot | undefined {
    const old = this.get(id);
    if (!old) return undefined;
    this.#gone(this.#ids, id);
    if (old.anchor !== null && this.#anchors.get(old.anchor) === old) this.#gone(this.#anchors, old.anchor);
    if (old.mvId !== null && this.#mvs.get(old.mvId) === old) this.#gone(this.#mvs, old.mvId);
    this.#size--;
    return old;
  }

  /** Over tables a removal is remembered, so that they no longer answer for it. */
  #gone(m: Map<string, CsSlot | null>, key: string): void {
    if (this.#tables) m.set(key, null);
    else m.delete(key);
  }

  /** Every slot: the rows not set or removed since, then the others in the order set. */
  *[Symbol.iterator](): IterableIterator<[string, CsSlot]> {
    this.settle();
    if (this.#tables) for (const s of this.#rows) if (!this.#ids.has(s.id)) yield [s.id, s];
    for (const [id, s] of this.#ids) if (s) yield [id, s];
  }

  *keys(): IterableIterator<string> { for (const [id] of this) yield id; }
  *values(): IterableIterator<CsSlot> { for (const [, s] of this) yield s; }

  /**
   * The tables for a snapshot whose rows are the slots in this order. The
   * rows from tables keep their entries (hashes and all), renumbered past
   * the rows set or removed since: only the slots set since are hashed.
   */
  tables(): SlotTables<FrozenTableWriter> {
    const t = { byId: new FrozenTableWriter(), byAnchor: new FrozenTableWriter(), byMv: new FrozenTableWriter() };
    let row = 0;
    const base = this.#tables;
    if (base) {
      const renumbered = new Int32Array(this.#rows.length).fill(-1);
      for (let i = 0; i < this.#rows.length; i++) if (!this.#ids.has(this.#rows.at(i)!.id)) renumbered[i] = row++;
      const carry = (from: FrozenTable, to: FrozenTableWriter, holds: (s: CsSlot) => boolean) => {
        for (let e = 0; e < from.size; e++) {
          const r = from.numberValue(e);
          const n = renumbered[r] ?? -1;
          if (n >= 0 && holds(this.#rows.at(r)!)) to.add(from.hash(e), '', String(n));
        }
      };
      carry(base.byId, t.byId, () => true);
      // A row still holds what the table says it holds, unless a Map answers for that anchor or metaverse id now.
      carry(base.byAnchor, t.byAnchor, (s) => !this.#anchors.has(s.anchor!));
      carry(base.byMv, t.byMv, (s) => !this.#mvs.has(s.mvId!));
    }
    for (const [id, s] of this.#ids) {
      if (!s) continue;
      const r = String(row++);
      t.byId.add(stringHash(id), '', r);
      if (s.anchor !== null && this.#anchors.get(s.anchor) === s) t.byAnchor.add(stringHash(s.anchor), '', r);
      if (s.mvId !== null && this.#mvs.get(s.mvId) === s) t.byMv.add(stringHash(s.mvId), '', r);
    }
    return t;
  }
}
