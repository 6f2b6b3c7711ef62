/**
 * Parts of a file read back by byte range: an unchanged LDIF record copied
 * into a file target's rewrite, or read whole when it is used; the store's
 * saved metaverse lines read again when it opens (journal-replay.ts). Ranges
 * read in file order cost one read per block (blocks that grow to BLOCK), not
 * one per range; a range somewhere else costs a read of about its length.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Bytes [from, to) of a file: whole lines, the last one's line end included. */
export interface FileRange { readonly from: number; readonly to: number }

export const BLOCK = 4 * 2 ** 20;
/** What a read after a jump reads at least: a few records, where a target's edits each read one record somewhere. */
const FIRST = 64 * 1024;

export class RangeReader {
  #fd: number | null = null;
  readonly #ahead: Buffer;
  // What of the file is in #ahead: bytes [#from, #to).
  #from = 0;
  #to = 0;
  /** How much the next read reads at least: doubled while reads go on forward, up to BLOCK. */
  #size = FIRST;
  #reads = 0;
  #bytes = 0;

  /** @param block the most one read reads (BLOCK); a reader of a whole file in order reads it in smaller blocks, into one buffer used again (see writeFileDurably). */
  constructor(readonly path: string, private readonly block = BLOCK) {
    this.#ahead = Buffer.allocUnsafe(block);
  }

  /** Reads made of the file so far, and the bytes they read: what the ranges cost (file-ranges.test.ts). */
  get reads(): number { return this.#reads; }
  get bytesRead(): number { return this.#bytes; }

  /** Hands the range's bytes to `take`, in one piece or (past a block's end) several. */
  read(range: FileRange, take: (buf: Buffer, start: number, end: number) => void): void {
    this.#fd ??= openSync(this.path, 'r');
    for (let at = range.from; at < range.to; ) {
      if (at < this.#from || at >= this.#to) {
        // A rewrite copies the file forward, in reads that grow; an edit reads a record somewhere, in one that fits it. Each
        // read was BLOCK: a 100-person delta at 100,000 people read 62 MB of the directory's LDIF file for 3 MB of records.
        this.#size = at >= this.#to && at - this.#to < this.#size ? Math.min(this.block, 2 * this.#size) : Math.min(FIRST, this.block);
        this.#from = at;
        this.#to = at + readSync(this.#fd, this.#ahead, 0, Math.min(this.block, Math.max(this.#size, range.to - at)), at);
        this.#reads++;
        this.#bytes += this.#to - at;
        if (this.#to === at) throw new Error(`${this.path} changed while in use: it ends before byte ${at}`);
      }
      const end = Math.min(range.to, this.#to);
      take(this.#ahead, at - this.#from, end - this.#from);
      at = end;
    }
  }

  /** The range as text. */
  text(range: FileRange): string {
    const parts: string[] = [];
    this.read(range, (buf, start, end) => parts.push(buf.toString('utf8', start, end)));
    return parts.length === 1 ? parts[0]! : parts.join('');
  }

  /** Closes the file: the next read opens it again, as it then is. */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#from = this.#to = 0;
    this.#size = FIRST;
  }
}
