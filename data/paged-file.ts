/**
 * A snapshot file read in pages (4 KB) as its bytes are asked for. Opening a
 * store read every table and rows file whole: 200 MB at 100,000 people
 * (2 GB at 1,000,000) for a delta run that looks up a few thousand of their
 * entries. A page never asked for is never read.
 *
 * Two ways in. `need` and `buf`: one buffer of the file's size, allocated,
 * not written, until a page is read into it, each page read once; `whole()`
 * reads the pages not read yet, for a caller that goes over every byte (a
 * compaction carrying a table). And the lookups' way, `u8`, `u32`, `f64` and
 * `text`: pages held in a pool of a few thousand that every file shares and
 * reuses, the oldest read again if asked for after. A read into memory the
 * process never touched costs the kernel a page fault per page: 25.8 µs per
 * random 4 KB read of an LDIF index into the file-sized buffer, against
 * 8.6 µs into pages used before (3,600 reads, measured), and a 1% delta at
 * 100,000 people reads some 20,000 pages scattered over its tables.
 *
 * The file is closed once every page is in `buf`, or by `close()`.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * 4 KB. Into memory not touched yet a read of 4 KB from the page cache took 6 µs, one of 16 KB 10 µs
 * (measured): mostly the kernel mapping the pages. A store's lookups are scattered, so the smaller page.
 * Pages are counted by division, not shifts: past 2 GiB (a rows file at some millions of people) a
 * shift's 32 bits turned page numbers negative.
 */
const PAGE = 4096;
const pageOf = (byte: number) => Math.floor(byte / PAGE);

/** Pages in the shared pool: 16 MB, in slabs of 64 pages allocated as they are first needed. */
export const POOL_PAGES = 4096;
let poolPages = POOL_PAGES;
const SLAB = 64;

export class PagedFile {
  static #slabs: Buffer[] = [];
  /** Per slot of the pool: the file and page it holds. */
  static #owners: (PagedFile | null)[] = [];
  static #ownerPage: number[] = [];
  /** The slot taken next: the pool is a ring, its oldest page given up first. */
  static #next = 0;
  /** For a cut across pages: grown to the longest asked for, and used again. */
  static #scratch = Buffer.alloc(0);

  /** Sets the pool's size in pages (tests); the pool starts over empty. */
  static setPoolPages(n: number): void {
    for (const o of PagedFile.#owners) if (o) o.#slot.clear();
    poolPages = n;
    PagedFile.#slabs = [];
    PagedFile.#owners = [];
    PagedFile.#ownerPage = [];
    PagedFile.#next = 0;
  }

  /** Pages of this file held in the pool, by page number: their slot. */
  readonly #slot = new Map<number, number>();

  /**
   * The file's bytes: those of the pages read so far (see `need`). Allocated
   * when first asked for: at 100,000 people opening a store allocated 200 MB
   * of them for tables that lookups read through the pool, and V8 counts such
   * memory towards its next collection (opening spent about 90 ms in GC).
   */
  get buf(): Buffer {
    return (this.#buf ??= Buffer.allocUnsafe(this.size));
  }
  #buf: Buffer | null = null;
  readonly size: number;
  #fd: number | null;
  /** Per page, whether it is read. */
  readonly #read: Uint8Array;
  #unread: number;

  private constructor(readonly path: string, fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
    this.#read = new Uint8Array(Math.ceil(size / PAGE));
    this.#unread = this.#read.length;
    if (this.#unread === 0) this.close();
  }

  /** Opens `path`: nothing is read yet. Throws the system's error (ENOENT, say) for the caller to name. */
  static open(path: string): PagedFile {
    const fd = openSync(path, 'r');
    try {
      return new PagedFile(path, fd, fstatSync(fd).size);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Makes bytes [start, end) of the file (cut at its end) hold what the file holds, reading the pages missing. */
  need(start: number, end: number): void {
    const first = pageOf(start);
    const last = pageOf(Math.min(end, this.size) - 1);
    // Most asks fall in one page already read.
    if (first === last && this.#read[first] === 1) return;
    for (let p = first; p <= last; p++) {
      if (this.#read[p] === 1) continue;
      let q = p;
      while (q < last && this.#read[q + 1] === 0) q++;
      this.#readPages(p, q);
      p = q;
    }
  }

  /** Byte `at` of the file. */
  u8(at: number): number {
    const b = this.#holding(at, 1);
    return b[this.#in + at]!;
  }

  /** The unsigned 32-bit little-endian word at byte `at`. */
  u32(at: number): number {
    const b = this.#holding(at, 4);
    return b.readUInt32LE(this.#in + at);
  }

  /** The little-endian double at byte `at`. */
  f64(at: number): number {
    const b = this.#holding(at, 8);
    return b.readDoubleLE(this.#in + at);
  }

  /** Bytes [start, end) decoded. */
  text(start: number, end: number, encoding: BufferEncoding): string {
    if (end <= start) return '';
    const b = this.#holding(start, end - start);
    return b.toString(encoding, this.#in + start, this.#in + end);
  }

  /** Set with what `#holding` returns: byte `at` of the file is at `#in + at` in it. */
  #in = 0;

  /**
   * A buffer holding bytes [at, at + n): `buf` where `need` read them, else the
   * pool's page, else (across pages) the scratch buffer read now.
   */
  #holding(at: number, n: number): Buffer {
    // A pool's page holds what another file left past this one's end: never hand that out.
    if (at < 0 || at + n > this.size) throw new Error(`${this.path}: bytes ${at} to ${at + n} are past its end (${this.size} bytes)`);
    const p = pageOf(at);
    const last = pageOf(at + n - 1);
    if (this.#inBuf(p, last)) {
      this.#in = 0;
      return this.buf;
    }
    if (last !== p) {
      this.#in = -at;
      return this.#cut(at, at + n);
    }
    const slot = this.#slotOf(p);
    this.#in = (slot % SLAB) * PAGE - p * PAGE;
    return PagedFile.#slabs[Math.floor(slot / SLAB)]!;
  }

  /** Whether pages `first` to `last` are in `buf` (read by `need`): then nothing is read again. */
  #inBuf(first: number, last: number): boolean {
    for (let q = first; q <= last; q++) if (this.#read[q] !== 1) return false;
    return true;
  }

  /** The pool's slot holding page `p`, read into it now if it is not there. */
  #slotOf(p: number): number {
    const held = this.#slot.get(p);
    if (held !== undefined) return held;
    const slot = PagedFile.#next;
    PagedFile.#next = (slot + 1) % poolPages;
    const before = PagedFile.#owners[slot];
    if (before) before.#slot.delete(PagedFile.#ownerPage[slot]!);
    PagedFile.#owners[slot] = this;
    PagedFile.#ownerPage[slot] = p;
    const slab = PagedFile.#slabs[Math.floor(slot / SLAB)] ??= Buffer.allocUnsafeSlow(SLAB * PAGE);
    this.#readInto(slab, (slot % SLAB) * PAGE, p * PAGE, Math.min(PAGE, this.size - p * PAGE));
    this.#slot.set(p, slot);
    return slot;
  }

  /** Bytes [start, end) read in one go into the shared scratch buffer, from its start: a range across pages. */
  #cut(start: number, end: number): Buffer {
    const length = Math.min(end, this.size) - start;
    if (PagedFile.#scratch.length < length) PagedFile.#scratch = Buffer.allocUnsafeSlow(Math.max(length, 2 * PagedFile.#scratch.length, PAGE));
    this.#readInto(PagedFile.#scratch, 0, start, length);
    return PagedFile.#scratch;
  }

  #readInto(to: Buffer, offset: number, from: number, length: number): void {
    if (this.#fd === null) throw new Error(`${this.path} was closed before all of it was read`);
    for (let n = 0; n < length; ) {
      const got = readSync(this.#fd, to, offset + n, length - n, from + n);
      if (got === 0) throw new Error(`${this.path} is shorter than when it was opened`);
      n += got;
    }
  }

  /** Pages not read yet. */
  get unread(): number { return this.#unread; }

  /** Every byte of the file, the pages missing read now. */
  whole(): Buffer {
    this.need(0, this.size);
    return this.buf;
  }

  /** Pages `first` to `last`, in one read. */
  #readPages(first: number, last: number): void {
    const from = first * PAGE;
    this.#readInto(this.buf, from, from, Math.min((last + 1) * PAGE, this.size) - from);
    this.#read.fill(1, first, last + 1);
    this.#unread -= last - first + 1;
    if (this.#unread === 0) this.close();
  }

  /** Lets go of the file: pages not read by then cannot be read. */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    // Its slots are free for others, and the pool holds nothing that keeps this file's buffer alive.
    for (const slot of this.#slot.values()) PagedFile.#owners[slot] = null;
    this.#slot.clear();
  }
}
