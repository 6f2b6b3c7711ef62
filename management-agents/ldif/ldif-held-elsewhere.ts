/**
 * Which of some values a record holds in lines other than those an edit cuts
 * or finds as this agent writes them (ldif-edit.ts): written another way
 * (folded at another column, base64 where it writes plain, no space after the
 * colon, a carriage return, another attribute), which only a parse would see.
 *
 * Each such logical line is read as the parser reads it (ldif-format.ts: folds
 * joined, a carriage return before each line end dropped, comments skipped,
 * the value after the colon and one optional whitespace, `::` for base64),
 * but cut out and compared only where its value's length and a few characters
 * near its start are one of the values' forms' (the value, and its base64 as
 * the agent writes it): nothing is made for the other lines. A base64 line is
 * compared as text, with each value's base64.
 *
 * It replaced a regular expression of the forms over the record unfolded by
 * dropping "\n " alone, which missed a value another writer folded with CRLF
 * line ends (its '\r' stayed inside it). Warm it is faster (1.8-2.6 against
 * 2.3-3.8 ms per department group of 10,000 members with 4 to 60 values, a
 * scratch benchmark); in a delta's cold process no faster, the expression
 * having been native code (the thirty-seventh session in docs/benchmarks.md).
 */
import { isFill } from './ldif-format.ts';
import type { RecordText } from './ldif-record-text.ts';

/**
 * The places in a value whose characters go into its print with its length:
 * where a DN names its object, past `CN=` (every member of a department ends
 * alike). A line's print takes those its first physical line holds.
 */
const SAMPLED = [3, 6, 9, 12, 15, 18];

/** A number from a value's form (base64 or not), its length, and its characters at the first `n` of SAMPLED (`at`: where the value starts in `s`). */
function valuePrint(base64: boolean, length: number, n: number, s: string, at: number): number {
  let h = (length * 2 + (base64 ? 1 : 0)) * 8 + n;
  for (let k = 0; k < n; k++) h = (h * 31 + s.charCodeAt(at + SAMPLED[k]!)) | 0;
  return h;
}

/** How many of SAMPLED fall in a value of `length` whose first `shown` characters can be read. */
function sampled(length: number, shown: number): number {
  let n = 0;
  while (n < SAMPLED.length && SAMPLED[n]! < length && SAMPLED[n]! < shown) n++;
  return n;
}

interface Form { readonly text: string; readonly base64: boolean; readonly value: string }

/** Lines of one record, read as an edit walks them (`line`), and the values they hold some other way (`holds`). */
export class Elsewhere {
  readonly #forms = new Map<number, Form[]>();
  readonly #lengths = new Set<number>();
  readonly #found = new Set<string>();
  /** Whether the record has a carriage return: then each line is read the slow way, its physical lines each less one. */
  readonly #returns: boolean;

  constructor(values: Iterable<string>, text: RecordText) {
    for (const value of values) {
      for (const form of [{ text: value, base64: false, value }, { text: Buffer.from(value, 'utf8').toString('base64'), base64: true, value }]) {
        this.#lengths.add(form.text.length * 2 + (form.base64 ? 1 : 0));
        // One print per number of sampled characters a line's first physical line may show.
        for (let n = 0; n <= sampled(form.text.length, form.text.length); n++) {
          const p = valuePrint(form.base64, form.text.length, n, form.text, 0);
          // Pushed, not copied: every value of one length shares the print of no sampled characters, and a
          // group's edit of a few hundred members copied that list once per value.
          const list = this.#forms.get(p);
          if (list) list.push(form);
          else this.#forms.set(p, [form]);
        }
      }
    }
    this.#returns = text.pieces.some((p) => p.includes('\r'));
  }

  /** Whether a line read so far holds `value`. */
  holds(value: string): boolean {
    return this.#found.has(value);
  }

  /** The logical line [at, end) of `piece`, folded `folds` times: one an edit neither cuts nor finds as the agent writes it. */
  line(piece: string, at: number, end: number, folds: number): void {
    if (end === at || piece.charCodeAt(at) === 35 /* # */) return;
    if (this.#returns) { this.#slow(piece, at, end, folds); return; }
    const first = folds ? piece.indexOf('\n', at) : end;
    const colon = piece.indexOf(':', at);
    if (colon < 0 || colon >= end) return;
    // The name, the colon and what follows it read from the first physical line, or the line unfolded.
    if (colon + 2 >= first) { this.#slow(piece, at, end, folds); return; }
    const v = valueAt(piece, colon);
    if (v >= 0) this.#match(piece, v >> 1, end, folds, first, (v & 1) === 1);
  }

  /** The line unfolded as the parser does, each physical line less a carriage return before its line end, and read whole. */
  #slow(piece: string, at: number, end: number, folds: number): void {
    let line = '';
    for (let k = 0, from = at; k <= folds; k++) {
      const nl = k === folds ? end : piece.indexOf('\n', from);
      line += piece.slice(from, nl > from && piece.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      from = nl + 2;
    }
    const colon = line.indexOf(':');
    const v = colon > 0 ? valueAt(line, colon) : -1;
    if (v >= 0) this.#match(line, v >> 1, line.length, 0, line.length, (v & 1) === 1);
  }

  /** The value in [start, end) of `s`, folded `folds` times, `s` readable as it is up to `shown`: compared where its length and print are a form's. */
  #match(s: string, start: number, end: number, folds: number, shown: number, base64: boolean): void {
    const length = end - start - 2 * folds;
    if (!this.#lengths.has(length * 2 + (base64 ? 1 : 0))) return;
    const forms = this.#forms.get(valuePrint(base64, length, sampled(length, shown - start), s, start));
    if (!forms) return;
    const text = folds ? s.slice(start, end).replaceAll('\n ', '') : s.slice(start, end);
    for (const f of forms) if (f.base64 === base64 && f.text === text) this.#found.add(f.value);
  }
}

/**
 * Where the value after the colon at `colon` of `s` starts (past `::` for
 * base64 and one optional whitespace, as attributeHead reads it), times two,
 * plus one for base64; -1 for a URL value (`:<`), which a parse refuses.
 */
function valueAt(s: string, colon: number): number {
  const kind = s.charCodeAt(colon + 1);
  if (kind === 60 /* < */) return -1;
  let start = colon + (kind === 58 /* : */ ? 2 : 1);
  if (isFill(s, start)) start++;
  return start * 2 + (kind === 58 ? 1 : 0);
}
