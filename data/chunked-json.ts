/**
 * JSON text whose long lists of strings are cut into pieces by carriage
 * returns, and reading it back a piece at a time.
 *
 * Why: V8 puts a string of 128 KB or more in its large-object space, on pages
 * of its own that no earlier string used, and each first touch of a page is
 * a page fault (about 12 µs a page on the benchmark's machine). At 100,000
 * people a department group's directory connector is a 0.9 MB line, and
 * reading it as one string cost 3-4 ms before parsing began; a 100-person
 * delta reads eighteen such lines. Parsed a piece at a time (each under
 * 64 KB, in the young generation, whose pages are used again and again), the
 * same line took 6.1-6.4 ms against 9.4-13.7 ms whole (a scratch benchmark
 * on the benchmark's line, the objects kept).
 *
 * A carriage return between two tokens is JSON whitespace, and JSON.stringify
 * never writes one raw (inside a string it is `\r`), so the text is plain
 * JSON to any reader: only `parseChunked` reads the pieces. A list is cut as
 * `[\r"a","b"\r,"c"\r]`: a piece before the list ends with its `[`, each
 * piece of the list holds whole values, and the piece after it starts with `]`.
 */

/** The length from which V8 puts a string in its large-object space (measured: 131,000 bytes decoded in 0.019 ms, 140,000 in 0.85). */
export const LARGE_STRING = 128 * 1024;
/** Lists whose values come to this many characters or more are cut; so are the pieces of a list: half a large string. */
export const CHUNK = LARGE_STRING / 2;
const CR = 13;
/** What stands for a cut list while its object is written or read (a value of this text in the data turns the cutting off). */
const MARK = '\u0000idsync-chunk:';
/** The mark as JSON text holds it, less its first character's escape: a piece that holds it is read whole. */
const MARK_TEXT = 'idsync-chunk:';

/** A list of strings whose JSON would be CHUNK long or longer: its pieces' JSON, without brackets; null otherwise. */
function piecesOf(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length < 2) return null;
  let size = 0;
  for (const v of value) {
    if (typeof v !== 'string') return null;
    size += v.length + 3;
  }
  if (size < CHUNK) return null;
  const pieces: string[] = [];
  for (let from = 0; from < value.length; ) {
    let to = from;
    for (let n = 0; to < value.length && (n < CHUNK || to === from); to++) n += (value[to] as string).length + 3;
    pieces.push(JSON.stringify(value.slice(from, to)).slice(1, -1));
    from = to;
  }
  return pieces;
}

/** `value` with each long list of strings replaced by a mark, containers copied on the way (the value is someone's): the lists' pieces in `out`. */
function marked(value: unknown, out: string[][]): unknown {
  const pieces = piecesOf(value);
  if (pieces) return `${MARK}${out.push(pieces) - 1}`;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((v, i) => { const m = marked(v, out); if (m !== v) (copy ??= [...value])[i] = m; });
    return copy ?? value;
  }
  if (value === null || typeof value !== 'object') return value;
  let copy: Record<string, unknown> | null = null;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    const m = marked(v, out);
    // Without a prototype, as the record may hold a key named __proto__.
    if (m !== v) (copy ??= Object.assign(Object.create(null) as Record<string, unknown>, value))[k] = m;
  }
  return copy ?? value;
}

/** JSON.stringify(value), its long lists of strings cut into pieces (see above). */
export function chunkedJson(value: unknown): string {
  const lists: string[][] = [];
  const text = JSON.stringify(marked(value, lists));
  if (!lists.length) return text;
  let out = '';
  let from = 0;
  for (let k = 0; k < lists.length; k++) {
    const mark = JSON.stringify(`${MARK}${k}`);
    const at = text.indexOf(mark, from);
    // A value of the data that reads as a mark, before this one: written plainly.
    if (at < 0 || text.indexOf(mark, at + 1) >= 0) return JSON.stringify(value);
    out += `${text.slice(from, at)}[\r${lists[k]!.join('\r,')}\r]`;
    from = at + mark.length;
  }
  return out + text.slice(from);
}

/** The JSON value of bytes [start, end) of `buf`, text that `chunkedJson` may have cut: read a piece at a time. */
export function parseChunked(buf: Buffer, start: number, end: number): unknown {
  const first = end - start >= CHUNK ? buf.subarray(start, end).indexOf(CR) : -1;
  // Text of another shape (not cut, or cut by another writer) is read whole: carriage returns are whitespace.
  const read = first >= 0 ? inPieces(buf, start, start + first, end) : undefined;
  return read ? read.value : JSON.parse(buf.toString('utf8', start, end));
}

/**
 * For a list's piece: its bytes between brackets, decoded once. The piece as
 * a string and then that string between brackets cost two strings of up to
 * CHUNK each: about a third of what reading a department group's long lines
 * allocated.
 */
let bracketed = Buffer.alloc(0);

/** Bytes [from, to) of `buf` as a JSON list of what they hold (a leading comma dropped), parsed. */
function listPiece(buf: Buffer, from: number, to: number): unknown[] {
  if (buf[from] === 44) from++;
  const n = to - from + 2;
  if (bracketed.length < n) bracketed = Buffer.allocUnsafeSlow(Math.max(n, 2 * bracketed.length));
  bracketed[0] = 91;
  buf.copy(bracketed, 1, from, to);
  bracketed[n - 1] = 93;
  return JSON.parse(bracketed.toString('utf8', 0, n)) as unknown[];
}

/** The value read a piece at a time (`cr`: the first carriage return); undefined where the pieces are not as `chunkedJson` cuts them. */
function inPieces(buf: Buffer, start: number, cr: number, end: number): { readonly value: unknown } | undefined {
  let skeleton = '';
  const lists: unknown[][] = [];
  // The pieces of the list being read: joined once it ends, into a list of its length (pushing value by value grew it).
  let list: unknown[][] | null = null;
  for (let at = start; ; at = cr + 1, cr = lineCr(buf, at, end)) {
    // A list's piece, unless it starts with the list's `]` (an empty piece's first byte is not its own).
    if (list && (at < cr ? buf[at] : -1) !== 93) {
      list.push(listPiece(buf, at, cr));
    } else {
      const piece = buf.toString('utf8', at, cr);
      // The piece after a list (it starts with its `]`): the list stands in the skeleton as a mark.
      if (list) skeleton += JSON.stringify(`${MARK}${lists.push(list.length === 1 ? list[0]! : ([] as unknown[]).concat(...list)) - 1}`);
      if (piece.includes(MARK_TEXT)) return undefined;
      skeleton += piece;
      if (cr < end && !piece.endsWith('[')) return undefined;
      list = cr < end ? [] : null;
    }
    if (cr >= end) break;
  }
  if (list) return undefined;
  const value: unknown = JSON.parse(skeleton, (_k, v: unknown) => (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' && v[0].startsWith(MARK) ? lists[Number(v[0].slice(MARK.length))] : v));
  return { value };
}

/** Where the next carriage return is from `from`, or `end`. */
function lineCr(buf: Buffer, from: number, end: number): number {
  const i = from < end ? buf.indexOf(CR, from) : -1;
  return i < 0 || i > end ? end : i;
}
