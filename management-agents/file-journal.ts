/**
 * The export journal of a file target (LDIF directory, CSV app). Rewriting the
 * whole file after every export batch made an export quadratic in the file's
 * size; instead each batch's outcome is appended here and fsync'd before the
 * agent answers, and the file is rewritten once, when the step ends
 * (`endExport`). Entries are whole states keyed by name, so replaying an entry
 * that was already folded into the file (a crash between the rewrite and the
 * journal's removal) changes nothing.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { access, open, rename, unlink } from 'node:fs/promises';
import { readLineBatches } from '../data/line-reader.ts';
import { AgentError } from './errors.ts';
import { BLOCK, RangeReader, type FileRange } from './file-ranges.ts';

/** `put`: the entry's whole new state, named `key`, formerly named `from` (a rename). `remove`: gone. */
export type JournalEntry<T> =
  | { readonly put: T; readonly key: string; readonly from?: string }
  | { readonly remove: string };

export class FileJournal<T> {
  /** @param agent the agent's name, for error messages. */
  constructor(readonly path: string, private readonly agent: string) {}

  /** Appends and fsyncs: once this resolves, the entries survive a crash. */
  async append(entries: readonly JournalEntry<T>[]): Promise<void> {
    if (entries.length) await appendDurably(this.path, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  /**
   * The journal's entries, oldest first. A torn last line (a crash during an
   * append, before the agent answered) is dropped: the engine sends that batch
   * again. A bad line anywhere else is damage, reported with file and line.
   */
  async read(): Promise<JournalEntry<T>[]> {
    const out: JournalEntry<T>[] = [];
    let n = 0;
    let torn: number | null = null;
    try {
      for await (const lines of readLineBatches(this.path)) {
        for (const line of lines) {
          n++;
          if (!line) continue;
          if (torn !== null) throw new AgentError(this.agent, `${this.path}:${torn}: damaged journal entry; the file it belongs to was not changed`);
          try {
            out.push(JSON.parse(line) as JournalEntry<T>);
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

export type FilePiece = string | FileRange;

/**
 * Writes `path` atomically and durably (temp file, fsync, rename), from pieces:
 * the whole may exceed a string's limit. A range copies bytes of the file
 * being replaced, so unchanged parts are not serialised again.
 */
export async function writeFileDurably(path: string, pieces: Iterable<FilePiece>): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  const old = new RangeReader(path);
  const out = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  const flush = () => {
    for (let done = 0; done < used; ) done += writeSync(fd, out, done, used - done);
    used = 0;
  };
  const copy = (buf: Buffer, start: number, end: number) => {
    if (used + end - start > BLOCK) flush();
    used += buf.copy(out, used, start, end);
  };
  try {
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        // At most three bytes per UTF-16 unit: a piece that fits is never cut.
        if (used + piece.length * 3 > BLOCK) flush();
        if (piece.length * 3 > BLOCK) writeSync(fd, piece);
        else used += out.write(piece, used);
        continue;
      }
      old.read(piece, copy);
      // The file's last line may have had no line end.
      if (piece.to > piece.from && out[used - 1] !== 10) { if (used === BLOCK) flush(); out[used++] = 10; }
    }
    flush();
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
    old.close();
  }
  await rename(tmp, path);
}
