/**
 * A record's text in pieces, each ending where a logical line ends (no piece
 * starts with a continuation line), so that a walk over its lines or a search
 * for a value goes a piece at a time.
 *
 * Why: as for the store's long lines (data/chunked-json.ts), a string of
 * 128 KB or more lands on large-object pages of its own, each first touched
 * at a page fault. At 100,000 people a department group's record is 1.1 MB;
 * read in pieces, and with only the changed ranges kept after an in-place
 * edit (ldif-directory.ts), the directory export of a 100-person delta took
 * 188-194 against 213-215 ms.
 */
import { CHUNK } from '../../data/chunked-json.ts';

/** The most a piece holds, but for a logical line longer than this: half a large string, as the store cuts its lines. */
export const PIECE = CHUNK;

/** Where the logical line at `at` ends (its last physical line's line end, or the text's end), and how many times it is folded. */
export function lineEnd(text: string, at: number): [number, number] {
  let folds = 0;
  let end = text.indexOf('\n', at);
  while (end >= 0 && text.charCodeAt(end + 1) === 32) { end = text.indexOf('\n', end + 1); folds++; }
  return [end < 0 ? text.length : end, folds];
}

export class RecordText {
  /** Where each piece starts in the whole. */
  readonly starts: readonly number[];
  readonly length: number;

  constructor(readonly pieces: readonly string[]) {
    const starts: number[] = [];
    let at = 0;
    for (const p of pieces) { starts.push(at); at += p.length; }
    this.starts = starts;
    this.length = at;
  }

  static of(text: string | RecordText): RecordText { return typeof text === 'string' ? new RecordText([text]) : text; }

  endsWith(s: string): boolean { return (this.pieces[this.pieces.length - 1] ?? '').endsWith(s); }

  /** The same text with `s` after it. */
  plus(s: string): RecordText { return new RecordText([...this.pieces.slice(0, -1), `${this.pieces[this.pieces.length - 1] ?? ''}${s}`]); }

  /** The piece holding offset `at` (the last one at the end). */
  private pieceAt(at: number): number {
    let lo = 0;
    let hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  charCodeAt(at: number): number {
    const k = this.pieceAt(at);
    return this.pieces[k]!.charCodeAt(at - this.starts[k]!);
  }

  /** Where `s` (found within one piece: a line end, say) next is from `from`, or -1. */
  indexOf(s: string, from: number): number {
    for (let k = this.pieceAt(from); k < this.pieces.length; k++) {
      const i = this.pieces[k]!.indexOf(s, Math.max(0, from - this.starts[k]!));
      if (i >= 0) return this.starts[k]! + i;
    }
    return -1;
  }

  /** Characters [a, b) as one string: the pieces' parts joined, which V8 keeps as pieces until the string is read. */
  slice(a: number, b = this.length): string {
    let out = '';
    for (let k = this.pieceAt(a); k < this.pieces.length && this.starts[k]! < b; k++) out += this.pieces[k]!.slice(Math.max(0, a - this.starts[k]!), b - this.starts[k]!);
    return out;
  }

  toString(): string { return this.slice(0); }
}

/**
 * The record a reader hands in parts (`read` calls `take` with each part's
 * bytes, in order: data/file-ranges.ts), cut after line ends into pieces of
 * about PIECE, each decoded alone.
 */
export function readRecord(read: (take: (buf: Buffer, start: number, end: number) => void) => void): RecordText {
  const pieces: string[] = [];
  // What of the last part followed its last cut: the start of the next piece.
  let carry = '';
  read((buf, start, end) => {
    let from = start;
    for (let nl = buf.indexOf(10, Math.min(from + PIECE - 1, end)); end - from > PIECE; nl = buf.indexOf(10, nl + 1)) {
      // Not where the part ends (its next byte, in the next part, may start a continuation line), nor before one.
      if (nl < 0 || nl + 1 >= end) break;
      if (buf[nl + 1] === 32) continue;
      pieces.push(carry + buf.toString('utf8', from, nl + 1));
      carry = '';
      from = nl + 1;
      nl = Math.min(from + PIECE - 1, end) - 1;
    }
    carry += buf.toString('utf8', from, end);
  });
  pieces.push(carry);
  return new RecordText(pieces);
}
