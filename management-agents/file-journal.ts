/**
 * The export journal of a file target (LDIF directory, CSV app). Rewriting the
 * whole file after every export batch made an export quadratic in the file's
 * size; instead each batch's outcome is appended here and fsync'd before the
 * agent answers, and the file is rewritten (or patched in place, see
 * PatchMark) once, when the step ends (`endExport`). Entries are whole states
 * keyed by name, or changes that hold whatever they are applied to again, so
 * replaying an entry that was already folded into the file (a crash between
 * the rewrite and the journal's removal) changes nothing.
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { access, open, rename, unlink } from 'node:fs/promises';
import { readLineBatches } from '../data/line-reader.ts';
import { AgentError } from './errors.ts';
import { RangeReader, type FileRange } from '../data/file-ranges.ts';

/**
 * `put`: the entry's whole new state, named `key`, formerly named `from` (a rename).
 * `edit`: changes to the entry whose anchor is `anchor`, named `key` after them: the few values an
 * export changed in a large entry (a group of 10,000 members), not its whole state. Applied to the
 * file as folded already, it changes nothing; where the entry is gone from it, a later entry removed it.
 * `remove`: gone.
 */
export type JournalEntry<T, E = never> =
  | { readonly put: T; readonly key: string; readonly from?: string }
  | ([E] extends [never] ? never : { readonly edit: E; readonly key: string; readonly anchor: string })
  | { readonly remove: string };

/**
 * Written before the file is changed in place (see JournaledFile.fold): its
 * size then, the ranges the patch blanks, and how many bytes it appends.
 * The ranges are blanked only once the appended text is durable and an
 * `Appended` entry says so. A load that finds the mark with its `Appended`
 * blanks the ranges again (the patch is finished); without one it cuts the
 * file back to that size (the patch is undone: nothing was blanked yet).
 * The journal's entries then replay onto the file either way.
 *
 * `writes`: text written over the file's bytes at those places, as the
 * blanks are, once the `Appended` entry is written: entries edited in place.
 *
 * A mark without `append` was written by an earlier idsync, which blanked
 * and appended at once and journaled whole entries: the file is cut back
 * and the ranges blanked again.
 */
export interface PatchMark { readonly patch: number; readonly blank: readonly (readonly [number, number])[]; readonly append?: number; readonly writes?: readonly (readonly [number, string])[] }
/** The text a patch appended at `appended` (its mark's size) is durable: its blanks may start. */
export interface Appended { readonly appended: number }
export const isPatchMark = (e: object): e is PatchMark => 'patch' in e;
export const isAppended = (e: object): e is Appended => 'appended' in e;
type Line<T, E> = JournalEntry<T, E> | PatchMark | Appended;

export class FileJournal<T, E = never> {
  /** @param agent the agent's name, for error messages. */
  constructor(readonly path: string, private readonly agent: string) {}

  /** Appends and fsyncs: once this resolves, the entries survive a crash. */
  async append(entries: readonly Line<T, E>[]): Promise<void> {
    if (entries.length) await appendDurably(this.path, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  /**
   * The journal's entries, oldest first. A torn last line (a crash during an
   * append, before the agent answered) is dropped: the engine sends that batch
   * again. A bad line anywhere else is damage, reported with file and line.
   */
  async read(): Promise<Line<T, E>[]> {
    const out: Line<T, E>[] = [];
    let n = 0;
    let torn: number | null = null;
    try {
      for await (const lines of readLineBatches(this.path)) {
        for (const line of lines) {
          n++;
          if (!line) continue;
          if (torn !== null) throw new AgentError(this.agent, `${this.path}:${torn}: damaged journal entry; the file it belongs to was not changed`);
          try {
            out.push(JSON.parse(line) as Line<T, E>);
          } catch {
            torn = n;
          }
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      if (err instanceof AgentError) throw err;
      throw new AgentError(this.agent, `cannot read ${this.path}: ${(err as Error).message}`);
    }
    return out;
  }

  async exists(): Promise<boolean> {
    return access(this.path).then(() => true, () => false);
  }

  /** Forgets the entries: call only after the file holding them is durable. */
  async clear(): Promise<void> {
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

/** Appends `text` to `path` and fsyncs: once this resolves, it survives a crash. */
export async function appendDurably(path: string, text: string): Promise<void> {
  const fh = await open(path, 'a');
  try {
    await fh.write(text);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** Text, bytes written as they are, or a range of the file being replaced. */
export type FilePiece = string | Buffer | FileRange;

/** Text written over a file's bytes from `at`, as many bytes as it has (ASCII: one per character). */
export interface FileWrite { readonly at: number; readonly text: string }

/** Changes to a file in place: ranges blanked (overwritten with as many bytes of filler), text appended, and text written over. */
export interface FilePatch {
  readonly blank: readonly FileRange[];
  readonly append: string;
  readonly writes?: readonly FileWrite[];
}

/** Cuts `path` to `size` bytes if longer, writes `bytes` there, and fsyncs. */
export function appendAtDurably(path: string, size: number, bytes: Buffer): void {
  withFile(path, (fd) => {
    // Only ever shorter: a file cut back already is not padded.
    if (fstatSync(fd).size > size) ftruncateSync(fd, size);
    writeAt(fd, bytes, size);
  });
}

/**
 * Overwrites each range of `path` with as many bytes of `filler`, then writes
 * `writes` over its bytes (either past its end is left), and fsyncs.
 */
export function blankDurably(path: string, blank: readonly FileRange[], filler: (length: number) => Buffer, writes: readonly FileWrite[] = []): void {
  withFile(path, (fd) => {
    const size = fstatSync(fd).size;
    for (const r of blank) if (r.to <= size) writeAt(fd, filler(r.to - r.from), r.from);
    for (const w of writes) if (w.at + w.text.length <= size) writeAt(fd, Buffer.from(w.text, 'latin1'), w.at);
  });
}

/** Finishes or undoes a patch that a crash may have torn (see PatchMark); `appended`: its Appended entry was found. */
export function recoverPatch(path: string, mark: PatchMark, appended: boolean, filler: (length: number) => Buffer): void {
  const blank = mark.blank.map(([from, to]) => ({ from, to }));
  if (!appended || mark.append === undefined) appendAtDurably(path, mark.patch, Buffer.alloc(0));
  if (appended || mark.append === undefined) blankDurably(path, blank, filler, (mark.writes ?? []).map(([at, text]) => ({ at, text })));
}

function withFile(path: string, fn: (fd: number) => void): void {
  const fd = openSync(path, 'r+');
  try {
    fn(fd);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAt(fd: number, buf: Buffer, at: number): void {
  for (let done = 0; done < buf.length; ) done += writeSync(fd, buf, done, buf.length - done, at + done);
}

/**
 * What writeFileDurably reads and writes at a time, through buffers used
 * again: each page of memory touched the first time costs a page fault (about
 * 12 us on the benchmark's machine), and 4 MB buffers filled by one read made
 * rewriting the app's 3 MB file at 100,000 people touch 6 MB afresh.
 */
const OUT = 256 * 1024;

/**
 * Writes `path` atomically and durably (temp file, fsync, rename), from pieces:
 * the whole may exceed a string's limit. A range copies bytes of the file
 * being replaced, so unchanged parts are not serialised again. A cache read
 * in pages (an index) is written so too: zeros a crash left past its head
 * would read as entries missing, which nothing checks at load.
 */
export async function writeFileDurably(path: string, pieces: Iterable<FilePiece>): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  const old = new RangeReader(path, OUT);
  const out = Buffer.allocUnsafe(OUT);
  let used = 0;
  const flush = () => {
    for (let done = 0; done < used; ) done += writeSync(fd, out, done, used - done);
    used = 0;
  };
  const copy = (buf: Buffer, start: number, end: number) => {
    if (used + end - start > OUT) flush();
    used += buf.copy(out, used, start, end);
  };
  try {
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        // At most three bytes per UTF-16 unit: a piece that fits is never cut.
        if (used + piece.length * 3 > OUT) flush();
        if (piece.length * 3 > OUT) writeSync(fd, piece);
        else used += out.write(piece, used);
        continue;
      }
      if (Buffer.isBuffer(piece)) {
        if (piece.length > OUT) { flush(); for (let done = 0; done < piece.length; ) done += writeSync(fd, piece, done, piece.length - done); }
        else copy(piece, 0, piece.length);
        continue;
      }
      old.read(piece, copy);
      // The file's last line may have had no line end.
      if (piece.to > piece.from && out[used - 1] !== 10) { if (used === OUT) flush(); out[used++] = 10; }
    }
    flush();
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
    old.close();
  }
  await rename(tmp, path);
}
