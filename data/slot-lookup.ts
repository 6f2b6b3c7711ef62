/**
 * Connector slots by one of their fields (the anchor, or the metaverse id
 * they are joined to). Opening a store filled a map per field from every
 * catalog row: two of the three map entries per slot, about 0.35 s at
 * 100,000 people. A snapshot now keeps each as a frozen table of hashes and
 * catalog row numbers, read in place; the map holds what changed since, and
 * what a lookup found in the table.
 */
import { FrozenTableWriter, stringHash, type FrozenTable } from './frozen-table.ts';
import type { CsSlot } from './connector-space.ts';

export class SlotLookup {
  readonly #map = new Map<string, CsSlot>();
  /** The snapshot's table (hash → catalog row) and the catalog's slots in row order; checked against each slot now. */
  #base: { readonly table: FrozenTable; readonly rows: readonly CsSlot[] } | null = null;

  /**
   * @param field the field looked up by (null: not held)
   * @param current whether a slot is still the current one of its object
   */
  constructor(private readonly field: (s: CsSlot) => string | null, private readonly current: (s: CsSlot) => boolean) {}

  get(key: string): CsSlot | undefined {
    const held = this.#map.get(key);
    if (held || !this.#base) return held;
    const { table, rows } = this.#base;
    // The last added first, as the map keeps the last slot set.
    const found = table.get(stringHash(key), '');
    for (let i = found.length - 1; i >= 0; i--) {
      const slot = rows[Number(found[i])];
      if (slot && this.field(slot) === key && this.current(slot)) {
        this.#map.set(key, slot);
        return slot;
      }
    }
    return undefined;
  }

  set(slot: CsSlot): void {
    const key = this.field(slot);
    if (key !== null) this.#map.set(key, slot);
  }

  /** Forgets `slot`, unless another slot holds its key now. */
  delete(slot: CsSlot): void {
    const key = this.field(slot);
    if (key !== null && this.#map.get(key) === slot) this.#map.delete(key);
  }

  /** Takes the snapshot's table, `rows` being the catalog's slots in the order it numbered them. */
  load(table: FrozenTable, rows: readonly CsSlot[]): void { this.#base = { table, rows }; }

  /** The table a snapshot keeps of `slots`, numbered in the order given (the catalog's). */
  static table(slots: Iterable<CsSlot>, field: (s: CsSlot) => string | null): FrozenTableWriter {
    const w = new FrozenTableWriter();
    let row = 0;
    for (const s of slots) {
      const key = field(s);
      if (key !== null) w.add(stringHash(key), '', String(row));
      row++;
    }
    return w;
  }
}
