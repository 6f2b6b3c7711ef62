/**
 * Where each row of the csv agent's export file is, saved beside the file
 * when the agent writes it: the next process looks rows up there and copies
 * unchanged rows as bytes, instead of reading and splitting every line.
 *
 * Two files, so that a rewrite that changed a few rows writes a few bytes per row:
 * - `<file>.index.keys`: a hash table (data/frozen-table.ts) of the keys of
 *   rows 0 to `base - 1`, entry n being row n, read in pages as lookups
 *   reach it; written only when the rows are numbered afresh.
 * - `<file>.index`: a JSON head (the file's stamp, the keys file's id, the
 *   keys of rows from `base` on, added since) and each row's length in
 *   bytes (32-bit, little-endian), 0 for a row no longer in the file. The
 *   rows that are follow one another from `start`, in their numbers' order.
 *
 * Format 2 held every key and length as JSON: at 100,000 people (22,000 rows)
 * reading it, filling a Map of the keys and writing it again took about 30 ms
 * of each delta's app export, the same for one changed row as for all.
 *
 * A cache, never the truth: it names the file's stamp (size and time) as
 * written, and the delimiter and anchor columns its keys were made with; it
 * is not used when any of these differ, the keys file is not the one it
 * names, or either cannot be read whole, and the file is read instead.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { FrozenTable, FrozenTableWriter, stringHash } from '../../data/frozen-table.ts';
import { PagedFile } from '../../data/paged-file.ts';
import type { FileRange } from '../../data/file-ranges.ts';
import { writeFileDurably } from '../file-journal.ts';

const FORMAT = 3;
const LITTLE_ENDIAN = endianness() === 'LE';

export interface CsvIndexHead {
  readonly format: number;
  readonly stamp: string;
  readonly delimiter: string;
  readonly anchor: readonly string[];
  /** The header line as written (without its line end). */
  readonly header: string;
  /** Where the first row starts: the header's length in bytes, its line end included. */
  readonly start: number;
  /** The keys file's id, and how many rows it names. */
  readonly keys: string;
  readonly base: number;
  /** The keys of rows `base`, `base + 1`, …: added since the keys file was written. */
  readonly extra: readonly string[];
}

export const indexPath = (path: string) => `${path}.index`;
export const keysPath = (path: string) => `${path}.index.keys`;
const damaged = (path: string) => (why: string) => new Error(`${keysPath(path)} cannot be read (${why}); delete it and the next load reads ${path}`);

/** The rows as a saved index places them in the file. */
export class CsvRows {
  readonly #starts: Float64Array;
  readonly #extra: Map<string, number>;
  /** Rows still in the file. */
  readonly live: number;

  private constructor(readonly head: CsvIndexHead, readonly keys: FrozenTable, readonly lengths: Uint32Array) {
    this.#starts = new Float64Array(lengths.length);
    let at = head.start;
    let live = 0;
    for (let r = 0; r < lengths.length; r++) {
      this.#starts[r] = at;
      at += lengths[r]!;
      if (lengths[r]! > 0) live++;
    }
    this.live = live;
    // A later row of a key is its row now: the earlier was removed when it was added.
    this.#extra = new Map(head.extra.map((k, i) => [k, head.base + i]));
  }

  /** Rows added since the keys file was written, and places left empty: what numbering the rows afresh would clear. */
  get worn(): number { return this.size - this.head.base + this.size - this.live; }

  /** Rows numbered, removed ones included. */
  get size(): number { return this.lengths.length; }

  /** The row holding `key`, or -1. */
  rowOf(key: string): number {
    // `first` takes '' for any key of that hash: an empty key (a row without its anchor) is compared here.
    const r = this.#extra.get(key) ?? (key ? this.keys.first(stringHash(key), key) : this.keys.find(stringHash(key), (e) => this.keys.key(e) === ''));
    return r >= 0 && this.lengths[r]! > 0 ? r : -1;
  }

  isLive(r: number): boolean { return this.lengths[r]! > 0; }

  span(r: number): FileRange { return { from: this.#starts[r]!, to: this.#starts[r]! + this.lengths[r]! }; }

  /** Where the rows end: the last one's end, or the header's. */
  get end(): number { return this.size ? this.#starts[this.size - 1]! + this.lengths[this.size - 1]! : this.head.start; }

  key(r: number): string { return r < this.head.base ? this.keys.key(r) : this.head.extra[r - this.head.base]!; }

  close(): void { this.keys.close(); }

  /**
   * The index saved for the file as `stamp` names it, made with this delimiter
   * and these anchor columns; null otherwise (and for an index of another format).
   */
  static async read(path: string, stamp: string, delimiter: string, anchor: readonly string[]): Promise<CsvRows | null> {
    const bytes = await readFile(indexPath(path)).catch(() => null);
    if (!bytes) return null;
    let pages: PagedFile | null = null;
    try {
      const nl = bytes.indexOf(10);
      const h = JSON.parse(bytes.toString('utf8', 0, nl)) as Partial<CsvIndexHead>;
      const fits = h.format === FORMAT && h.stamp === stamp && h.delimiter === delimiter && JSON.stringify(h.anchor) === JSON.stringify(anchor);
      const shaped = typeof h.header === 'string' && Number.isSafeInteger(h.start) && typeof h.keys === 'string' && Number.isSafeInteger(h.base) && Array.isArray(h.extra) && h.extra.every((k) => typeof k === 'string');
      if (!fits || !shaped || bytes.length - nl - 1 !== 4 * (h.base! + h.extra!.length)) return null;
      const lengths = new Uint32Array(h.base! + h.extra!.length);
      // Copied as bytes: a call per row was 2 ms of each load at 22,000 rows.
      if (LITTLE_ENDIAN) Buffer.from(lengths.buffer).set(bytes.subarray(nl + 1));
      else for (let r = 0; r < lengths.length; r++) lengths[r] = bytes.readUInt32LE(nl + 1 + 4 * r);
      pages = PagedFile.open(keysPath(path));
      const keysHead = pages.text(0, Math.min(pages.size, 256), 'latin1');
      const knl = keysHead.indexOf('\n');
      if (knl < 0 || keysHead.slice(0, knl) !== JSON.stringify({ keys: h.keys })) throw new Error('another keys file');
      const keys = FrozenTable.in(pages, knl + 1, pages.size - knl - 1, keysPath(path), damaged(path));
      if (keys.size !== h.base) throw new Error('another keys file');
      return new CsvRows(h as CsvIndexHead, keys, lengths);
    } catch {
      // Only a cache: one missing, cut or damaged leaves the load to read the file.
      pages?.close();
      return null;
    }
  }

  /**
   * Saves the rows after a rewrite that kept this index's rows in their order,
   * less those `gone` (by number), and added `added` (keys and lengths) after
   * them; returns them as the next load would read them.
   */
  async next(path: string, stamp: string, gone: ReadonlySet<number>, added: { readonly keys: readonly string[]; readonly lengths: readonly number[] }): Promise<CsvRows> {
    const lengths = new Uint32Array(this.lengths.length + added.keys.length);
    lengths.set(this.lengths);
    for (const r of gone) lengths[r] = 0;
    lengths.set(added.lengths, this.lengths.length);
    const head: CsvIndexHead = { ...this.head, stamp, extra: [...this.head.extra, ...added.keys] };
    await writeIndex(path, head, lengths);
    return new CsvRows(head, this.keys, lengths);
  }

  /** Saves rows numbered afresh, `keys` with `lengths` in the file's order from `start`; returns them as the next load would read them. */
  static async fresh(path: string, h: Omit<CsvIndexHead, 'format' | 'keys' | 'base' | 'extra'>, keys: readonly string[], lengths: readonly number[]): Promise<CsvRows> {
    const w = new FrozenTableWriter();
    for (const k of keys) w.add(stringHash(k), k, '');
    const id = randomUUID();
    const table = w.toBuffer();
    await writeFileDurably(keysPath(path), [`${JSON.stringify({ keys: id })}\n`, table]);
    const head: CsvIndexHead = { format: FORMAT, ...h, keys: id, base: keys.length, extra: [] };
    const all = Uint32Array.from(lengths);
    await writeIndex(path, head, all);
    return new CsvRows(head, FrozenTable.of(table, keysPath(path), damaged(path)), all);
  }
}

/** The head as a line, then the lengths; renamed into place whole. */
async function writeIndex(path: string, head: CsvIndexHead, lengths: Uint32Array): Promise<void> {
  // The array's own bytes where they are little-endian: a call per row was 6 ms of each save at 22,000 rows.
  const bytes = LITTLE_ENDIAN ? Buffer.from(lengths.buffer, lengths.byteOffset, lengths.byteLength) : Buffer.alloc(lengths.length * 4);
  if (!LITTLE_ENDIAN) for (let r = 0; r < lengths.length; r++) bytes.writeUInt32LE(lengths[r]!, 4 * r);
  await writeFileDurably(indexPath(path), [`${JSON.stringify(head)}\n`, bytes]);
}
