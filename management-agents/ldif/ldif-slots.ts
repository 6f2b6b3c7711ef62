/**
 * The LDIF directory's entries as slots, one per row of the file's saved
 * index: each undefined while the index holds it as it is, else set (changed,
 * added, or from the index's overlay) or null (removed). The DN and anchor
 * maps and the value counts cover the set slots; the index answers for the
 * rest. The directory (ldif-directory.ts) reads and writes the file.
 */
import type { Attributes } from '../../data/model.ts';
import type { AttrChange } from '../../data/objects.ts';
import type { FileRange } from '../../data/file-ranges.ts';
import { JournaledFile } from '../journaled-file.ts';
import type { LdifEntry } from './ldif-format.ts';
import type { LdifIndex } from './ldif-index-file.ts';
import { overlayEntry, type OverlayRow } from './ldif-index-overlay.ts';
import type { Dirty } from './ldif-edit.ts';
import { ValueCounts } from './ldif-value-counts.ts';

export type Saved = { readonly dn: string; readonly attrs: Attributes };
/** An update's changes to an entry, journaled instead of its whole state (see JournalEntry). */
export type Edit = Readonly<Record<string, AttrChange>>;

/**
 * Where the entry is in the file while it is unchanged there, or its text
 * serialised for the next rewrite. `over`: the saved index's overlay holds it.
 * `dirty`: the entry was edited in place (ldif-edit.ts): its text, held
 * only as these ranges (`text` null), is the file's bytes at `span` with
 * each range holding its text.
 */
export interface Slot { entry: LdifEntry; span: FileRange | null; text: string | null; over?: boolean; dirty?: Dirty[] | undefined }

export abstract class LdifSlots extends JournaledFile<Saved, Edit> {
  /**
   * The index saved at the last rewrite, read in place: its rows are the
   * first slots, each as the index holds it while its slot is undefined.
   * Slots set since (changed, added, null when removed) and the maps below
   * override it; without an index every slot is set.
   */
  protected base: LdifIndex | null = null;
  protected slots: (Slot | null | undefined)[] = [];
  protected byDn = new Map<string, number>();
  protected byAnchor = new Map<string, number>();
  /** Values of the set slots' entries. */
  protected readonly values = new ValueCounts();
  /** Places in the file of entries changed or removed since it was written: a patch blanks them. */
  protected dead: FileRange[] = [];

  /** @param anchorOf the entry's anchor, from the attributes a load keeps. */
  constructor(path: string, protected readonly anchorOf: (e: LdifEntry) => string, agent: string) {
    super(path, agent);
  }

  /** The overlay's rows become the slots they name: partial entries at their places, or removed. */
  protected restore(rows: readonly OverlayRow[]): void {
    for (const r of rows) {
      // Rows past the index's end that the overlay does not name were added and removed since.
      while (this.slots.length < r[0]) this.slots.push(null);
      const e = overlayEntry(r);
      this.values.add(e ?? undefined, 1);
      if (e) this.hold(r[0], e, e.span ?? null, true);
      else this.slots[r[0]] = null;
    }
  }

  /** Starts over from `index` (its rows the only slots), or from nothing. */
  protected adopt(index: LdifIndex | null): void {
    this.replaceBase(index);
    this.slots = new Array<undefined>(index?.size ?? 0).fill(undefined);
    this.byDn.clear();
    this.byAnchor.clear();
    this.values.clear();
    this.dead = [];
  }

  /** `index` becomes the base; the one before lets go of its file: it is read no more, and may be replaced. */
  protected replaceBase(index: LdifIndex | null): void {
    if (this.base !== index) this.base?.close();
    this.base = index;
  }

  /** Where slot `i`'s entry is in the file; null when it is not there as it now is. */
  protected spanAt(i: number): FileRange | null {
    const s = this.slots[i];
    if (s !== undefined) return s?.span ?? null;
    return this.base && i < this.base.size ? this.base.span(i) : null;
  }

  /** The slot at `i`: as set, or as the index gives it; null when removed or out of range. */
  protected slotAt(i: number): Slot | null {
    const s = this.slots[i];
    if (s !== undefined) return s;
    const entry = this.base && i < this.base.size ? this.base.entry(i) : null;
    return entry && { entry, span: entry.span ?? null, text: null };
  }

  protected indexOfDn(lowerDn: string): number | undefined { return this.indexOf(this.byDn, lowerDn, (b) => b.rowOfDn(lowerDn)); }
  protected indexOfAnchor(anchor: string): number | undefined { return this.indexOf(this.byAnchor, anchor, (b) => b.rowOfAnchor(anchor)); }

  /** A set slot's place from `map`, else the index's row while its slot is not set. */
  protected indexOf(map: Map<string, number>, key: string, rowIn: (base: LdifIndex) => number): number | undefined {
    const i = map.get(key);
    if (i !== undefined || !this.base) return i;
    const row = rowIn(this.base);
    return row >= 0 && this.slots[row] === undefined ? row : undefined;
  }

  /**
   * The set slots' entries. Walked by index: a generator's for-of over the
   * slots (110,000 at 100,000 people, 1,009 set after a 1% delta) cost 4 ms
   * more in a delta's process (scratch benchmark), at its first check of a value.
   */
  protected setEntries(): LdifEntry[] {
    const out: LdifEntry[] = [];
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s) out.push(s.entry);
    }
    return out;
  }

  /** The numbers of the slots set since the index was written (changed, added or removed), in order. */
  protected setRows(): number[] {
    const rows: number[] = [];
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i] !== undefined) rows.push(i);
    return rows;
  }

  protected put(e: LdifEntry, previousDn: string | null): void {
    // A journal replayed over a file it was already folded into finds the entry under its new DN.
    const at = previousDn !== null ? (this.indexOfDn(previousDn.toLowerCase()) ?? this.indexOfDn(e.dn.toLowerCase())) : undefined;
    if (at !== undefined) {
      this.values.add(this.slots[at]?.entry, -1);
      this.bury(at);
    }
    this.values.add(e, 1);
    if (at !== undefined && previousDn !== null) this.byDn.delete(previousDn.toLowerCase());
    this.hold(at ?? this.slots.length, e, e.span ?? null);
  }

  /** Sets slot `i` to `e`, at `span` in the file (null: not written there yet); `over`, as the index's overlay has it. */
  protected hold(i: number, e: LdifEntry, span: FileRange | null, over = false): void {
    this.slots[i] = { entry: e, span, text: null, over };
    this.byDn.set(e.dn.toLowerCase(), i);
    const anchor = this.anchorOf(e);
    if (anchor) this.byAnchor.set(anchor, i);
  }

  protected remove(dn: string): void {
    const i = this.indexOfDn(dn.toLowerCase());
    if (i === undefined) return;
    const e = this.slots[i]?.entry;
    if (e) {
      this.values.add(e, -1);
      this.byAnchor.delete(this.anchorOf(e));
    }
    this.byDn.delete(dn.toLowerCase());
    this.bury(i);
    this.slots[i] = null;
  }

  /** Slot `i`'s entry is about to change or go: its place in the file, if any, becomes dead. */
  protected bury(i: number): void {
    const span = this.spanAt(i);
    if (span) this.dead.push(span);
  }
}
