/**
 * A snapshot file read in pages (4 KB) as its bytes are asked for, into one buffer
 * of the file's size. Opening a store read every table and rows file whole:
 * 200 MB at 100,000 people (2 GB at 1,000,000) for a delta run that looks
 * up a few thousand of their entries. A page never asked for is never read,
 * and takes no memory: the buffer is allocated, not written, until then.
 *
 * `whole()` reads the pages not read yet, for a caller that goes over every
 * byte (a compaction carrying a table); the file is closed once every page
 * is in, or by `close()`.
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

export class PagedFile {
  /** The file's bytes: those of the pages read so far (see `need`). */
  readonly buf: Buffer;
  readonly size: number;
  #fd: number | null;
  /** Per page, whether it is read. */
  readonly #read: Uint8Array;
  #unread: number;

  private constructor(readonly path: string, fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
    // Not filled: each byte is written by a read before it is used.
    this.buf = Buffer.allocUnsafe(size);
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

  /** Pages not read yet. */
  get unread(): number { return this.#unread; }

  /** Every byte of the file, the pages missing read now. */
  whole(): Buffer {
    this.need(0, this.size);
    return this.buf;
  }

  /** Pages `first` to `last`, in one read. */
  #readPages(first: number, last: number): void {
    if (this.#fd === null) throw new Error(`${this.path} was closed before all of it was read`);
    const from = first * PAGE;
    const to = Math.min((last + 1) * PAGE, this.size);
    for (let at = from; at < to; ) {
      const n = readSync(this.#fd, this.buf, at, to - at, at);
      if (n === 0) throw new Error(`${this.path} is shorter than when it was opened`);
      at += n;
    }
    this.#read.fill(1, first, last + 1);
    this.#unread -= last - first + 1;
    if (this.#unread === 0) this.close();
  }

  /** Lets go of the file: pages not read by then cannot be read. */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
