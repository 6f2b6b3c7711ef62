/**
 * The export journal of a file target (LDIF directory, CSV app). Rewriting the
 * whole file after every export batch made an export quadratic in the file's
 * size; instead each batch's outcome is appended here and fsync'd before the
 * agent answers, and the file is rewritten once, when the step ends
 * (`endExport`). Entries are whole states keyed by name, so replaying an entry
 * that was already folded into the file (a crash between the rewrite and the
 * journal's removal) changes nothing.
 */
import { access, open, rename, unlink } from 'node:fs/promises';
import { readLineBatches } from '../data/line-reader.ts';
import { AgentError } from './errors.ts';

/** `put`: the entry's whole new state, named `key`, formerly named `from` (a rename). `remove`: gone. */
export type JournalEntry<T> =
  | { readonly put: T; readonly key: string; readonly from?: string }
  | { readonly remove: string };

export class FileJournal<T> {
  /** @param agent the agent's name, for error messages. */
  constructor(readonly path: string, private readonly agent: string) {}

  /** Appends and fsyncs: once this resolves, the entries survive a crash. */
  async append(entries: readonly JournalEntry<T>[]): Promise<void> {
    if (!entries.length) return;
    const fh = await open(this.path, 'a');
    try {
      await fh.write(entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
      await fh.datasync();
    } finally {
      await fh.close();
    }
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

/** Writes `path` atomically and durably (temp file, fsync, rename), from chunks: the whole may exceed a string's limit. */
export async function writeFileDurably(path: string, chunks: Iterable<string>): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    let buffer: string[] = [];
    let size = 0;
    for (const chunk of chunks) {
      buffer.push(chunk);
      size += chunk.length;
      if (size >= 2 ** 20) {
        await fh.write(buffer.join(''));
        buffer = [];
        size = 0;
      }
    }
    if (buffer.length) await fh.write(buffer.join(''));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
