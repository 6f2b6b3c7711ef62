/**
 * The export journal of a file target (LDIF directory, CSV app). Rewriting the
 * whole file after every export batch made an export quadratic in the file's
 * size; instead each batch's outcome is appended here and fsync'd before the
 * agent answers, and the file is rewritten once, when the step ends
 * (`endExport`). Entries are whole states keyed by name, so replaying an entry
 * that was already folded into the file (a crash between the rewrite and the
 * journal's removal) changes nothing.
 */
import { access, open, readFile, rename, unlink } from 'node:fs/promises';
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
    const text = await readFile(this.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw new AgentError(this.agent, `cannot read ${this.path}: ${err.message}`);
    });
    const lines = text.split('\n');
    const out: JournalEntry<T>[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as JournalEntry<T>);
      } catch {
        if (i === lines.length - 1) break;
        throw new AgentError(this.agent, `${this.path}:${i + 1}: damaged journal entry; the file it belongs to was not changed`);
      }
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

/** Writes `path` atomically and durably: temp file, fsync, rename. */
export async function writeFileDurably(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.write(text);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
