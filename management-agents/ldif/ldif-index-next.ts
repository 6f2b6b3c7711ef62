/**
 * The next index of an LDIF directory's file after it is written: the saved
 * one carried with the rows that changed, or built afresh (ldif-index-file.ts
 * reads it).
 */
import { endianness } from 'node:os';
import { FrozenTableWriter, stringHash } from '../../data/frozen-table.ts';
import type { FileRange } from '../../data/file-ranges.ts';
import type { LdifEntry } from './ldif-format.ts';
import { entryBytes, FORMAT, type Head, type LdifIndex } from './ldif-index-file.ts';
import type { SpanOf } from './ldif-layout.ts';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * A directory slot as the index sees it: undefined, the index's row as it
 * was; null, removed. `over`: changed since the index was written, though
 * in place in the file (the index's overlay holds it).
 */
export type IndexSlot = { readonly entry: LdifEntry; readonly span: FileRange | null; readonly over?: boolean } | null | undefined;

/**
 * The index of a file just written from `slots`, each now at `spanOf(i)`:
 * `base` carried with the slots changed since, or built afresh once enough of
 * its rows changed. Also each slot's row in it (-1: none).
 */
export function nextIndex(base: LdifIndex | null, slots: readonly IndexSlot[], spanOf: SpanOf, anchorOf: (e: LdifEntry) => string, kept: ReadonlySet<string>, checked: ReadonlySet<string>): { writer: LdifIndexWriter; rowOf: Int32Array } {
  // An entry held in memory as the file has it (it has a place there) is the index's row, when there is one.
  const asIndexed = (s: IndexSlot, i: number) => s === undefined || (!!s?.span && !s.over && !!base && i < base.size);
  const changing = slots.reduce((n: number, s, i) => (asIndexed(s, i) ? n : n + 1), 0);
  const rowOf = new Int32Array(slots.length).fill(-1);
  const carried = base && LdifIndexWriter.carrying(base, kept, checked, changing);
  if (carried) {
    slots.forEach((s, i) => {
      const span = spanOf(i);
      if (span) rowOf[i] = i;
      if (asIndexed(s, i)) { if (span) carried.place(i, span); }
      else if (s && span) carried.put(i, s.entry, span, anchorOf(s.entry));
      // Removed: a row of the index still live, or one added since (rows keep their numbers).
      else if (i >= base.size || base.span(i)) carried.remove(i);
    });
    return { writer: carried, rowOf };
  }
  const w = LdifIndexWriter.fresh(kept, checked, base);
  // Rows of the last index taken as they are: their anchors and values follow by number.
  const moved = new Int32Array(base?.size ?? 0).fill(-1);
  slots.forEach((s, i) => {
    const span = spanOf(i);
    if (!span || s === null) return;
    rowOf[i] = w.size;
    if (asIndexed(s, i)) {
      moved[i] = w.size;
      w.move(base!, i, span);
    } else w.put(w.size, s!.entry, span, anchorOf(s!.entry));
  });
  if (base) w.carry(base, moved);
  return { writer: w, rowOf };
}

/** Builds the next index: afresh, row by row in order, or carrying an earlier one and changing its rows. */
export class LdifIndexWriter {
  /** Per row: first byte, end byte, generation. */
  private places: Float64Array;
  private readonly checkedValues = new Map<string, string[]>();
  readonly gen: number;
  private worn: number;

  private constructor(private readonly rows: FrozenTableWriter, private readonly anchors: FrozenTableWriter, private readonly values: FrozenTableWriter, private readonly kept: ReadonlySet<string>, private readonly checked: ReadonlySet<string>, last: LdifIndex | null, base: LdifIndex | null) {
    this.gen = (last?.head.gen ?? 0) + 1;
    this.worn = base?.head.worn ?? 0;
    this.places = new Float64Array(Math.max((base?.size ?? 0) * 3, 3 * 1024));
    base?.copyPlaces(this.places);
  }

  /** A writer building afresh; `last`, the index it follows, if any. */
  static fresh(kept: ReadonlySet<string>, checked: ReadonlySet<string>, last: LdifIndex | null): LdifIndexWriter {
    return new LdifIndexWriter(new FrozenTableWriter(), new FrozenTableWriter(), new FrozenTableWriter(), kept, checked, last, null);
  }

  /** A writer starting from `base`'s rows; null when enough of them changed since its tables were built that it is time to build afresh. */
  static carrying(base: LdifIndex, kept: ReadonlySet<string>, checked: ReadonlySet<string>, changing: number): LdifIndexWriter | null {
    if ((base.head.worn + changing) * 4 > base.size) return null;
    return new LdifIndexWriter(FrozenTableWriter.carrying(base.rows), FrozenTableWriter.carrying(base.anchors), FrozenTableWriter.carrying(base.values), kept, checked, base, base);
  }

  get size(): number { return this.rows.size; }

  /** Row `row` (an existing one, or the next) holds `e`, at `span` in the file. */
  put(row: number, e: LdifEntry, span: FileRange, anchor: string): void {
    this.set(row, e.dn.toLowerCase(), `${e.line} ${e.dn}`, span);
    const pair = `${row} ${this.gen}`;
    if (anchor) this.anchors.add(stringHash(anchor), anchor, pair);
    for (const [k, v] of Object.entries(e.attrs)) {
      const a = k.toLowerCase();
      if (!this.checked.has(a)) continue;
      for (const x of Array.isArray(v) ? v : [v]) this.value(`${a}\0${String(x).toLowerCase()}`, pair);
    }
  }

  /** Row `row` (an existing one, or the next) is an entry removed. */
  remove(row: number): void { this.set(row, '', '', null); }

  /** Row `row` of the carried index is unchanged but for its place. */
  place(row: number, span: FileRange): void {
    this.places[row * 3] = span.from;
    this.places[row * 3 + 1] = span.to;
  }

  /** The next row (built afresh) is `base`'s row `from`, unchanged; its anchor and values follow by `carry`. */
  move(base: LdifIndex, from: number, span: FileRange): void {
    this.set(this.size, base.rows.key(from), base.rows.value(from), span);
  }

  /** Adds `base`'s anchors and values of the rows `move` took, under their new numbers (`to`, -1: not taken). */
  carry(base: LdifIndex, to: Int32Array): void {
    for (const [anchor, list] of base.anchors.entries()) for (const row of base.live([list])) if ((to[row] ?? -1) >= 0) this.anchors.add(stringHash(anchor), anchor, `${to[row]} ${this.gen}`);
    for (const [key, list] of base.values.entries()) for (const row of base.live([list])) if ((to[row] ?? -1) >= 0) this.value(key, `${to[row]} ${this.gen}`);
  }

  private set(row: number, key: string, value: string, span: FileRange | null): void {
    // A removed row's hash is its own: removed rows sharing one would share a bucket chain.
    const hash = stringHash(key || `\0${row}`);
    if (row < this.rows.size) {
      this.rows.replace(row, hash, key, value);
      this.worn++;
    } else if (row === this.rows.size) this.rows.add(hash, key, value);
    else throw new Error(`index row ${row} written before row ${this.rows.size}`);
    if (row * 3 + 3 > this.places.length) {
      const grown = new Float64Array(this.places.length * 2);
      grown.set(this.places);
      this.places = grown;
    }
    this.places.set([span?.from ?? -1, span?.to ?? -1, this.gen], row * 3);
  }

  private value(key: string, pair: string): void {
    const list = this.checkedValues.get(key);
    if (list) list.push(pair);
    else this.checkedValues.set(key, [pair]);
  }

  /** The index for the file as `stamp` names it: its first line's fields, and its tables (a copy of each would double what a rewrite allocates). */
  toParts(stamp: string): { head: Head; tables: Buffer[] } {
    // One entry per value and generation: entries under one key share a bucket chain.
    for (const [key, list] of this.checkedValues) this.values.add(stringHash(key), key, list.join(','));
    this.checkedValues.clear();
    const n = this.rows.size * 3;
    const places = LITTLE_ENDIAN ? Buffer.from(this.places.buffer, 0, n * 8) : Buffer.alloc(n * 8);
    if (!LITTLE_ENDIAN) for (let i = 0; i < n; i++) places.writeDoubleLE(this.places[i]!, i * 8);
    const tables = [this.rows.toBuffer(), places, this.anchors.toBuffer(), this.values.toBuffer()];
    // Summed here where the places are at hand: a reader would read them all for it.
    const live = entryBytes(this.rows.size, (i) => this.places[i]!);
    return { head: { format: FORMAT, stamp, kept: [...this.kept], checked: [...this.checked], gen: this.gen, worn: this.worn, live, tables: tables.map((t) => t.length) }, tables };
  }
}
