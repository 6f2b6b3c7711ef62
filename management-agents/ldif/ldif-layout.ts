/**
 * How the LDIF directory's file is laid out when it is written: rewritten
 * whole from its entries, or patched in place. Each entry is a piece: where
 * it is in the file as it stands (bytes to keep), the text to write for it,
 * or null when it is gone.
 */
import type { FilePatch, FilePiece, FileWrite } from '../file-journal.ts';
import type { FileRange } from '../../data/file-ranges.ts';
import type { Dirty } from './ldif-edit.ts';

export type Piece = FileRange | string | null;

/** Where each slot's entry is in the file just written, by slot number; null where it is not. */
export type SpanOf = (i: number) => FileRange | null;

export const VERSION = 'version: 1\n';

/**
 * The whole file's pieces. Unchanged entries one blank line apart in the
 * file are copied as one range: a delta export copies a few runs, not
 * 100,000 ranges. `spans` receives each entry's place in the new file.
 */
export function* rewrite(count: number, pieceAt: (i: number) => Piece, spans: (FileRange | null)[]): Iterable<FilePiece> {
  let at = VERSION.length;
  yield VERSION;
  let run: { from: number; to: number } | null = null;
  for (let i = 0; i < count; i++) {
    const piece = pieceAt(i);
    if (!piece) { spans.push(null); continue; }
    const length = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.to - piece.from;
    spans.push({ from: at + 1, to: at + 1 + length });
    at += 1 + length;
    if (typeof piece !== 'string' && run && piece.from === run.to + 1) { run.to = piece.to; continue; }
    if (run) { yield '\n'; yield run; }
    run = null;
    if (typeof piece !== 'string') { run = { from: piece.from, to: piece.to }; continue; }
    yield '\n';
    yield piece;
  }
  if (run) { yield '\n'; yield run; }
}

/**
 * The file as it is, `size` bytes, with the old places of changed and
 * removed entries (`dead`) blanked and the changed entries' text appended:
 * an export that changes ten groups of a 66 MB directory writes those ten.
 * Null, to rewrite instead, once blanked bytes would pass a quarter of the
 * file: the rewrite drops them.
 *
 * `changed`: slots `rows`, in order, each as `pieceAt` gives it; every other
 * entry stays where it is, and `unchanged` counts its bytes (each with the
 * blank line before it). Only the changed are visited: at 100,000 people a
 * visit of every slot was 40 ms of each export. `moved`: their new places.
 */
export function patchOf(rows: readonly number[], pieceAt: (i: number) => Piece, unchanged: number, size: number, dead: readonly FileRange[]): { patch: FilePatch; moved: Map<number, FileRange | null> } | null {
  const moved = new Map<number, FileRange | null>();
  const append: string[] = [];
  let live = VERSION.length + unchanged;
  let at = size;
  for (const i of rows) {
    const piece = pieceAt(i);
    const span = typeof piece === 'string' ? { from: at + 1, to: (at += 1 + Buffer.byteLength(piece)) } : piece;
    if (typeof piece === 'string') append.push('\n', piece);
    moved.set(i, span);
    if (span) live += 1 + span.to - span.from;
  }
  if ((at - live) * 4 > at) return null;
  return { patch: { blank: dead, append: append.join('') }, moved };
}

/** A blank line of the usual length: 76 bytes. */
const LINE = `#${' '.repeat(74)}\n`;

/**
 * `length` bytes of comment lines ("#", spaces, a line end; 2 to 76 bytes
 * each): an LDIF reader skips them. 76-byte lines while more than 77 bytes
 * are left, then one or two shorter ones. Filled as bytes, not built line by
 * line: a delta at 100,000 people blanks ten 1 MB groups, and building the
 * lines one by one took 100 ms for them (measured).
 */
export function blank(length: number): Buffer {
  const out = Buffer.alloc(length, LINE);
  let at = length >= 78 ? (Math.floor((length - 78) / 76) + 1) * 76 : 0;
  for (let left = length - at; left > 0; ) {
    const n = left <= 76 ? left : 38;
    at += out.write(`#${' '.repeat(n - 2)}\n`, at, 'latin1');
    left -= n;
  }
  return out;
}

/**
 * What the entries edited in place change in the file: each one's changed
 * ranges, joined where they touch, at their places in it. Each range's text
 * is its own (ldif-edit.ts): the entry's whole text is not read for it.
 */
export function writesOf(slots: Iterable<{ span: FileRange | null; dirty?: readonly Dirty[] | undefined } | null | undefined>): FileWrite[] {
  const writes: FileWrite[] = [];
  for (const s of slots) {
    if (!s?.dirty || !s.span) continue;
    const ranges = [...s.dirty].sort((a, b) => a[0] - b[0]);
    for (let k = 0; k < ranges.length; ) {
      let [from, to, text] = ranges[k]!;
      // Ranges that overlap hold the same text where they do: each is cut from the entry's text as it is now.
      for (k++; k < ranges.length && ranges[k]![0] <= to; k++) {
        const [a, b, t] = ranges[k]!;
        if (b > to) { text += t.slice(to - a); to = b; }
      }
      writes.push({ at: s.span.from + from, text });
    }
  }
  return writes;
}
