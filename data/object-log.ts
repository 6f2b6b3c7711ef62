/**
 * The embedded store's files as lines that can be read back one at a time:
 * the snapshot's object file of each generation, and the journal. Objects are
 * read where their slot says; a read that continues at or shortly after where
 * an earlier one ended (a full sync walking objects in the order they were
 * written) fills a block ahead, so walking a file costs a read per block, not
 * per object.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { LineWriter } from './line-writer.ts';
import { parseChunked } from './chunked-json.ts';

/** The journal's file number; a snapshot generation's object file is its generation number (1 and up). */
export const JOURNAL = 0;
const BLOCK = 256 * 1024;
/**
 * A read this close after where a stream ended still reads a block ahead. In
 * the journal each connector object's line starts with its slot, and a sync
 * writes a person's objects side by side: a walk in write order never starts
 * exactly where the last object ended. At 100,000 people the full cycle made
 * about a million one-object reads, one per object, where this makes 11,000.
 */
const GAP = 64 * 1024;

interface Stream { file: number; start: number; end: number; used: number; readonly buf: Buffer }

export class ObjectLog {
  readonly #fds = new Map<number, number>();
  readonly #paths = new Map<number, string>();
  readonly #streams: Stream[] = Array.from({ length: 8 }, () => ({ file: -1, start: 0, end: 0, used: 0, buf: Buffer.allocUnsafe(BLOCK) }));
  #scratch = Buffer.allocUnsafe(64 * 1024);
  #tick = 0;
  #reads = 0;
  readonly #journal: LineWriter;

  constructor(journalPath: string) {
    // a+: appends go to the end whatever the position; positional reads still work.
    const fd = openSync(journalPath, 'a+');
    this.#fds.set(JOURNAL, fd);
    this.#paths.set(JOURNAL, journalPath);
    this.#journal = new LineWriter(fd, fstatSync(fd).size);
  }

  /** Reads from a file so far: a walk in write order makes one per block, not one per object. */
  get reads(): number { return this.#reads; }

  /** The journal's length in bytes, lines not yet flushed included: where the next line goes. */
  get journalSize(): number { return this.#journal.size; }

  /** Makes `path` readable as file number `file`. */
  attach(file: number, path: string): void {
    this.detach(file);
    this.#fds.set(file, openSync(path, 'r'));
    this.#paths.set(file, path);
  }

  /** The path of file number `file`, for error messages. */
  pathOf(file: number): string { return this.#paths.get(file) ?? `file ${file}`; }

  detach(file: number): void {
    const fd = this.#fds.get(file);
    if (fd !== undefined) closeSync(fd);
    this.#fds.delete(file);
    this.#paths.delete(file);
    this.forget(file);
  }

  /** The line at `off`, `len` bytes long, without its line end. */
  read(file: number, off: number, len: number): string {
    const [buf, start] = this.bytes(file, off, len);
    return buf.toString('utf8', start, start + len);
  }

  /** The JSON value of the line at `off`: a long one read a piece at a time (chunked-json.ts). */
  parse(file: number, off: number, len: number): unknown {
    const [buf, start] = this.bytes(file, off, len);
    return parseChunked(buf, start, start + len);
  }

  /** Copies the line at `off` to `to` without decoding it; returns its new offset there. */
  copy(file: number, off: number, len: number, to: LineWriter): number {
    const [buf, start] = this.bytes(file, off, len);
    return to.addBytes(buf, start, start + len);
  }

  /** A buffer holding the line, and where in it the line starts. Valid until the next read. */
  private bytes(file: number, off: number, len: number): [Buffer, number] {
    let lru = this.#streams[0]!;
    for (const s of this.#streams) {
      if (s.file === file && off >= s.start && off + len <= s.end) {
        s.used = ++this.#tick;
        return [s.buf, off - s.start];
      }
      if (s.used < lru.used) lru = s;
    }
    if (file === JOURNAL) this.#journal.flush();
    const fd = this.#fds.get(file);
    if (fd === undefined) throw new Error(`store: ${this.pathOf(file)} is not open`);
    const next = this.#streams.find((s) => s.file === file && off >= s.end && off - s.end <= GAP);
    if (next && len <= BLOCK) {
      // Forward from a stream, as a walk in write order goes: read a block ahead.
      next.start = off;
      next.end = off + readSync(fd, next.buf, 0, BLOCK, off);
      this.#reads++;
      next.used = ++this.#tick;
      if (next.end < off + len) throw new Error(`store: ${this.pathOf(file)} ends before the object at byte ${off}`);
      return [next.buf, 0];
    }
    if (len > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(len);
    this.#reads++;
    if (readSync(fd, this.#scratch, 0, len, off) < len) throw new Error(`store: ${this.pathOf(file)} ends before the object at byte ${off}`);
    // Remember where the next line starts: if the next read asks for it, read ahead.
    Object.assign(lru, { file, start: off + len + 1, end: off + len + 1, used: ++this.#tick });
    return [this.#scratch, 0];
  }

  /** Appends a line, `line` then `rest`, to the journal (written out at the next flush, sync or read of the journal); returns its offset. */
  append(line: string, rest = ''): number { return this.#journal.add(line, rest); }

  flush(): void { this.#journal.flush(); }

  sync(): void {
    this.#journal.flush();
    fsyncSync(this.#fds.get(JOURNAL)!);
  }

  /** Cuts the journal back to `size` bytes: drops what a rolled-back transaction wrote, or a torn tail. */
  truncate(size: number): void {
    this.#journal.flush();
    ftruncateSync(this.#fds.get(JOURNAL)!, size);
    this.#journal.size = size;
    this.forget(JOURNAL);
  }

  close(): void {
    this.#journal.flush();
    for (const file of [...this.#fds.keys()]) this.detach(file);
  }

  private forget(file: number): void {
    for (const s of this.#streams) if (s.file === file) Object.assign(s, { file: -1, start: 0, end: 0 });
  }
}
