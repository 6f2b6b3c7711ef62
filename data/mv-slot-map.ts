/**
 * The metaverse's slots by id. A snapshot's rows come from a rows file
 * (catalog-rows.ts) with a table of their ids (frozen-table.ts): a row is
 * made when a lookup or a walk first reaches it. Making 100,000 slots and a
 * Map of them at every open, and collecting them, was about 0.1 s at 100,000
 * people, for a delta cycle that reads a few thousand. Slots set or removed
 * since are held in a Map over the rows, which answers first; without a
 * table (an empty store, a catalog written before, the memory store) that
 * Map holds every slot.
 */
import { RowList } from './catalog-rows.ts';
import { FrozenTableWriter, stringHash, type FrozenTable } from './frozen-table.ts';
import type { MvSlot } from './store-state.ts';

export class MvSlotMap {
  /** A snapshot's rows, in its order: connector rows name metaverse objects by place. */
  #rows = new RowList<MvSlot>();
  #table: FrozenTable | null = null;
  /** Slots set since the rows (every one, without a table), in the order set; null: a row removed since. */
  readonly #changed = new Map<string, MvSlot | null>();
  #size = 0;
  /** Ids put back over a row or nothing (`putBack`): which, is asked when the size is. */
  readonly #unknown = new Set<string>();

  /** A snapshot's row, given whole (a catalog written before rows files): `settle` says how it is looked up. */
  restore(slot: MvSlot): void {
    this.#rows.push(slot);
    this.#changed.set(slot.id, slot);
    this.#size++;
  }

  /** A snapshot's `count` rows, each made by `decode` when first reached, looked up through `table` (ids to row numbers). */
  restoreLazy(count: number, decode: (row: number) => MvSlot, table: FrozenTable): void {
    if (this.#size) throw new Error('store: metaverse rows restored twice');
    if (table.size !== count) throw new Error(`store: ${table.path} names ${table.size} rows where the catalog holds ${count}; the snapshot is damaged`);
    this.#rows.lazy(count, decode);
    this.#table = table;
    this.#size = count;
  }

  /** The snapshot's row `i`. */
  row(i: number): MvSlot | undefined { return this.#rows.at(i); }

  get size(): number {
    // Each id put back over nothing is one slot more.
    for (const id of this.#unknown) if (!this.#fromRows(id)) this.#size++;
    this.#unknown.clear();
    return this.#size;
  }
  has(id: string): boolean { return this.get(id) !== undefined; }

  get(id: string): MvSlot | undefined {
    const s = this.#changed.get(id);
    return s !== undefined ? s ?? undefined : this.#fromRows(id);
  }

  /** The row the table names for `id`, while no slot set or removed since answers for it. */
  #fromRows(id: string): MvSlot | undefined { return this.#rows.find(this.#table, id, (r) => r.id); }

  set(id: string, slot: MvSlot): void {
    if (!this.has(id)) this.#size++;
    this.#changed.set(id, slot);
  }

  /**
   * As `set`, for a replay's last version of an object no slot set since
   * answers for: whether a snapshot's row had it is asked only when the size
   * is (after a 1% delta at 100,000 people, a thousand metaverse rows read
   * and made at every open). Returns `slot`.
   */
  putBack(id: string, slot: MvSlot): MvSlot {
    if (!this.#table || this.#changed.has(id)) this.set(id, slot);
    else {
      this.#changed.set(id, slot);
      this.#unknown.add(id);
    }
    return slot;
  }

  delete(id: string): boolean {
    const changed = this.#changed.get(id);
    if (changed === null || (changed === undefined && !this.#fromRows(id))) return false;
    this.#size--;
    // Over a row, the removal is remembered, so that the table no longer answers for it.
    if (changed === undefined || this.#fromRows(id)) this.#changed.set(id, null);
    else this.#changed.delete(id);
    return true;
  }

  /** Every slot: the rows not set or removed since, then the others in the order set. */
  *[Symbol.iterator](): IterableIterator<[string, MvSlot]> {
    if (this.#table) for (const s of this.#rows) if (!this.#changed.has(s.id)) yield [s.id, s];
    for (const [id, s] of this.#changed) if (s) yield [id, s];
  }

  *values(): IterableIterator<MvSlot> { for (const [, s] of this) yield s; }
}

/** The table of a snapshot's metaverse rows: each id to its row number. */
export function mvRowTable(ids: readonly string[]): FrozenTableWriter {
  const w = new FrozenTableWriter();
  ids.forEach((id, row) => w.add(stringHash(id), '', String(row)));
  return w;
}
