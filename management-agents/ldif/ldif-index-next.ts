/**
 * The next index of an LDIF directory's file after it is written: the saved
 * one carried with the rows that changed, or built afresh (ldif-index-file.ts).
 */
import type { FileRange } from '../file-ranges.ts';
import type { LdifEntry } from './ldif-format.ts';
import { LdifIndexWriter, type LdifIndex } from './ldif-index-file.ts';
import type { SpanOf } from './ldif-layout.ts';

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
