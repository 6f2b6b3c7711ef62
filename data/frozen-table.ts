/**
 * A hash multimap frozen into one buffer: a snapshot writes it, and opening
 * looks values up in place, reading the file's pages as a lookup reaches
 * them (paged-file.ts). Filling a Map from 400,000 index rows took about
 * 0.9 s of every open at 100,000 people; a lookup reads only its entries.
 *
 * Layout, unsigned 32-bit little-endian words, then UTF-8 bytes:
 * - magic, version, entry count, table size (a power of two);
 * - the table: per bucket, 1 + the entry's number, or 0 for empty (linear probing);
 * - the entries: hash, key offset, key length, value offset, value length;
 * - the strings the entries point into.
 */
import { writeWhole } from './line-writer.ts';
import { endianness } from 'node:os';
import { PagedFile } from './paged-file.ts';

const MAGIC = 0x54464449; // "IDFT"
const VERSION = 1;
const HEAD = 4;
const ENTRY = 5;
const LITTLE_ENDIAN = endianness() === 'LE';

/** FNV-1a over UTF-16 units: the same string gives the same hash in the writer and the reader. */
export function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class FrozenTableWriter {
  /** The entries' words; `#count` of them in use. */
  #entries: Uint32Array = new Uint32Array(ENTRY * 1024);
  #count = 0;
  readonly #strings: string[] = [];
  /** Strings carried from a table as its bytes, before `#strings`. */
  #raw: Buffer | null = null;
  #bytes = 0;

  /**
   * A writer holding `table`'s entries, its strings copied as bytes: a caller
   * that changes a few entries of a large table neither decodes nor hashes the rest.
   */
  static carrying(table: FrozenTable): FrozenTableWriter {
    const w = new FrozenTableWriter();
    const { entries, strings } = table.parts();
    w.#entries = entries;
    w.#count = table.size;
    w.#raw = strings;
    w.#bytes = strings.length;
    return w;
  }

  /** `key` is compared on lookup; '' where the caller checks what it finds itself (the hash alone then selects). */
  add(hash: number, key: string, value: string): void {
    if ((this.#count + 1) * ENTRY > this.#entries.length) {
      const grown = new Uint32Array(Math.max(this.#entries.length * 2, ENTRY * 1024));
      grown.set(this.#entries);
      this.#entries = grown;
    }
    this.#put(this.#count++, hash, key, value);
  }

  /** Entry `e` (from 0) now holds this key and value; its old strings stay in the table, unused. */
  replace(e: number, hash: number, key: string, value: string): void {
    this.#put(e, hash, key, value);
  }

  #put(e: number, hash: number, key: string, value: string): void {
    const keyLen = Buffer.byteLength(key);
    const valueLen = Buffer.byteLength(value);
    const w = this.#entries;
    const at = e * ENTRY;
    w[at] = hash;
    w[at + 1] = this.#bytes;
    w[at + 2] = keyLen;
    w[at + 3] = this.#bytes + keyLen;
    w[at + 4] = valueLen;
    this.#bytes += keyLen + valueLen;
    this.#strings.push(key, value);
  }

  get size(): number { return this.#count; }

  toBuffer(): Buffer {
    const count = this.size;
    let buckets = 1;
    while (buckets < count * 2) buckets *= 2;
    // The words in a typed array, not a call per word: a snapshot writes tables of 100,000s of entries.
    const words = new Uint32Array(HEAD + buckets + count * ENTRY);
    words.set([MAGIC, VERSION, count, buckets]);
    words.set(this.#entries.subarray(0, count * ENTRY), HEAD + buckets);
    // Where the last entry of a hash with a long run went: buckets are never emptied, so its next entry
    // probes on from there, not over the whole run again (a manager's 10,000 reports, one key, took 0.5 s).
    const runs = new Map<number, number>();
    for (let e = 0; e < count; e++) {
      const hash = this.#entries[e * ENTRY]!;
      const after = runs.get(hash);
      let b = after === undefined ? hash & (buckets - 1) : (after + 1) & (buckets - 1);
      let probes = 0;
      while (words[HEAD + b] !== 0) { b = (b + 1) & (buckets - 1); probes++; }
      words[HEAD + b] = e + 1;
      if (after !== undefined || probes > 8) runs.set(hash, b);
    }
    // Every byte is written below.
    const buf = Buffer.allocUnsafe(words.length * 4 + this.#bytes);
    if (LITTLE_ENDIAN) Buffer.from(words.buffer, words.byteOffset, words.byteLength).copy(buf);
    else words.forEach((v, i) => buf.writeUInt32LE(v, i * 4));
    // The strings a few thousand at a time: one write per string was most of the time.
    let at = words.length * 4;
    if (this.#raw) at += this.#raw.copy(buf, at);
    for (let i = 0; i < this.#strings.length; i += 4096) at += buf.write(this.#strings.slice(i, i + 4096).join(''), at);
    return buf;
  }

  /** Writes the table to `path` and fsyncs it: a snapshot generation is durable before it is named. */
  writeFile(path: string): void { writeWhole(path, this.toBuffer()); }
}

const snapshotDamaged = (path: string) => (why: string) => new Error(`store: ${path} cannot be read (${why}); the snapshot is damaged`);

export class FrozenTable {
  /** The table's bytes where it is held whole (`of`), else null: read in its file's pages. */
  readonly #held: Buffer | null;
  /** The file the table is read from as it is used, from its byte `#at`; null for a table held whole. */
  readonly #pages: PagedFile | null;
  readonly #at: number;
  readonly #length: number;
  readonly #buckets: number;
  readonly #entries: number;
  readonly #strings: number;
  readonly size: number;

  /** @param damaged how a damaged table is reported: the store's snapshot, or a cache its caller can do without. */
  private constructor(held: Buffer | null, length: number, readonly path: string, private readonly damaged: (why: string) => Error, pages: PagedFile | null = null, at = 0) {
    this.#held = held;
    this.#pages = pages;
    this.#at = at;
    this.#length = length;
    if (length < HEAD * 4 || this.word(0) !== MAGIC) throw damaged('not an index table');
    if (this.word(1) !== VERSION) throw damaged(`version ${this.word(1)}`);
    this.size = this.word(2);
    this.#buckets = this.word(3);
    this.#entries = HEAD + this.#buckets;
    this.#strings = (this.#entries + this.size * ENTRY) * 4;
    if ((this.#buckets & (this.#buckets - 1)) !== 0 || this.#buckets < this.size || this.#strings > length) throw damaged('its header does not match its length');
  }

  /** The table at `path`, its pages read as lookups reach them (a snapshot's: a damaged one says so). */
  static async read(path: string): Promise<FrozenTable> { return FrozenTable.open(path); }

  /** As `read`, at once. */
  static open(path: string): FrozenTable {
    let pages: PagedFile;
    try {
      pages = PagedFile.open(path);
    } catch (err) {
      throw snapshotDamaged(path)((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    }
    try {
      return new FrozenTable(null, pages.size, path, snapshotDamaged(path), pages);
    } catch (err) {
      pages.close();
      throw err;
    }
  }

  /** Reads the pages not read yet and lets go of the file: its generation may then be removed. */
  readWhole(): void {
    this.#pages?.whole();
    this.#pages?.close();
  }

  /** Pages of its file not read yet: 0 for a table held whole. */
  get unreadPages(): number { return this.#pages?.unread ?? 0; }

  /** Lets go of the file: pages not read by then cannot be (the store is closing). */
  close(): void { this.#pages?.close(); }

  /** The table in bytes `at` to `at + length` of `pages`, read as lookups reach them (a part of an LDIF index file). */
  static in(pages: PagedFile, at: number, length: number, path: string, damaged: (why: string) => Error): FrozenTable {
    return new FrozenTable(null, length, path, damaged, pages, at);
  }

  /** A table held in `buf` (a part of a larger file, say); `damaged` makes the error for a damaged one. */
  static of(buf: Buffer, path: string, damaged: (why: string) => Error): FrozenTable {
    return new FrozenTable(buf, buf.length, path, damaged);
  }

  // A table read in pages is read through the file's shared pool (paged-file.ts), not its buffer.
  private word(i: number): number {
    return this.#held ? this.#held.readUInt32LE(i * 4) : this.#pages!.u32(this.#at + i * 4);
  }

  private text(off: number, len: number): string {
    const start = this.#strings + off;
    if (start + len > this.#length) throw this.damaged('an entry points past its end');
    return this.#held ? this.#held.toString('utf8', start, start + len) : this.#pages!.text(this.#at + start, this.#at + start + len, 'utf8');
  }

  /** The values under `hash` whose key is `key` (any key if `key` is ''), in the order they were added. */
  get(hash: number, key: string): string[] {
    return this.#find(hash, key, false).map((e) => this.value(e));
  }

  /** The number of the first entry added under `hash` whose key is `key`, or -1. */
  first(hash: number, key: string): number {
    return this.#find(hash, key, true)[0] ?? -1;
  }

  /** The first entry under `hash` that `accept` takes, or -1; nothing is allocated (one lookup per member of a group). */
  find(hash: number, accept: (e: number) => boolean): number {
    const h = hash >>> 0;
    for (let b = h & (this.#buckets - 1), n = 0; n < this.#buckets; b = (b + 1) & (this.#buckets - 1), n++) {
      const e = this.word(HEAD + b);
      if (e === 0) break;
      if (this.hash(e - 1) === h && accept(e - 1)) return e - 1;
    }
    return -1;
  }

  /** The hash of the `e`-th entry added (from 0). */
  hash(e: number): number { return this.word(this.#entries + e * ENTRY); }

  /** The value of the `e`-th entry as the whole number its digits spell (a row), read without making a string. */
  numberValue(e: number): number {
    const at = this.#entries + e * ENTRY;
    const start = this.#strings + this.word(at + 3);
    const end = start + this.word(at + 4);
    if (end > this.#length) throw this.damaged('an entry points past its end');
    let n = 0;
    for (let i = start; i < end; i++) n = n * 10 + (this.#held ? this.#held[i]! : this.#pages!.u8(this.#at + i)) - 48;
    return n;
  }

  #find(hash: number, key: string, one: boolean): number[] {
    const out: number[] = [];
    // Entries of one hash share a first bucket, and each was placed after those before it: this is their order.
    this.find(hash, (e) => {
      if (!key || this.key(e) === key) out.push(e);
      return one && out.length > 0;
    });
    return out;
  }

  /** The entries' words and the strings' bytes, for a writer that carries them. */
  parts(): { entries: Uint32Array; strings: Buffer } {
    const buf = this.#held ?? this.#pages!.whole().subarray(this.#at, this.#at + this.#length);
    const words = new Uint32Array(this.size * ENTRY);
    const from = this.#entries * 4;
    if (LITTLE_ENDIAN) Buffer.from(words.buffer).set(buf.subarray(from, from + words.length * 4));
    else for (let i = 0; i < words.length; i++) words[i] = buf.readUInt32LE((this.#entries + i) * 4);
    return { entries: words, strings: buf.subarray(this.#strings) };
  }

  /** Every entry as [key, value], in the order they were added. */
  *entries(): Generator<[string, string]> {
    this.#pages?.whole();
    for (let e = 0; e < this.size; e++) yield [this.key(e), this.value(e)];
  }

  /** The key of the `e`-th entry added (from 0). */
  key(e: number): string {
    const at = this.#entries + e * ENTRY;
    return this.text(this.word(at + 1), this.word(at + 2));
  }

  /** The value of the `e`-th entry added (from 0). */
  value(e: number): string {
    const at = this.#entries + e * ENTRY;
    return this.text(this.word(at + 3), this.word(at + 4));
  }
}
