/**
 * A file target held in memory between export batches (the LDIF directory, the
 * CSV app's file): parsed once, re-read only when the file or its journal
 * changed behind our back, changed through a journal that is durable per
 * batch, and rewritten once per export step by `fold`; or, where the subclass
 * can say how (`patch`), changed in place: a few changed entries of a large
 * file cost their own bytes, not the file's.
 */
import { stat } from 'node:fs/promises';
import { readLineBatchesAt, type LineBatch } from '../data/line-reader.ts';
import { AgentError } from './errors.ts';
import { appendAtDurably, blankDurably, FileJournal, isAppended, isPatchMark, recoverPatch, writeFileDurably, type FilePatch, type FilePiece, type JournalEntry } from './file-journal.ts';

async function* none(): AsyncGenerator<LineBatch> {}

/** A file's size and modification time, which any rewrite changes; 'none' when there is no file. */
export async function fileStamp(path: string): Promise<string> {
  const s = await stat(path).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return null; throw err; });
  return s ? `${s.size}:${s.mtimeMs}` : 'none';
}

export abstract class JournaledFile<T, E = never> {
  private readonly journal: FileJournal<T, E>;
  private stamp = '';
  private checkedAt = 0;
  /** Changes since the last `commit`; whether the journal holds entries the file does not. */
  private queued: JournalEntry<T, E>[] = [];
  private journaled = false;

  /** @param agent the agent's name, for error messages. */
  constructor(readonly path: string, protected readonly agent: string) {
    this.journal = new FileJournal(`${path}.journal`, agent);
  }

  /** Failures of the file name the agent and the file, whatever raised them. */
  protected async named<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw err instanceof AgentError ? err : new AgentError(this.agent, `${this.path}: ${(err as Error).message}`, false, { cause: err });
    }
  }

  /**
   * Replaces the contents with the file's lines (none when there is no file).
   * `stamp` is the file's (see fileStamp), for a subclass that keeps what it
   * read beside the file: the lines are read only as they are iterated.
   */
  protected abstract parse(lines: AsyncIterable<LineBatch>, stamp: string): Promise<void>;
  /** The whole file's text for the current contents, in pieces: text, or bytes of the file as it is now. */
  protected abstract serialize(): Iterable<FilePiece>;
  /** Makes the next `load` read the file again, as for a change behind our back. */
  protected invalidate(): void {
    this.stamp = '';
  }

  /** Whether the file was loaded (and not invalidated since). */
  protected loaded(): boolean {
    return this.stamp !== '';
  }

  /** Whether the file and its journal are as last loaded (false before the first load). */
  protected async current(): Promise<boolean> {
    return this.loaded() && (await this.currentStamp()) === this.stamp;
  }

  /**
   * Instead of `serialize`, the changes to make to the file as it is, `size`
   * bytes long, in place; null to rewrite it. Called only with a journal to fold.
   */
  protected patch(_size: number): FilePatch | null {
    return null;
  }
  /** `length` bytes that a reader of the file skips, for `patch`'s blanked ranges. */
  protected filler(length: number): Buffer {
    throw new Error(`${this.path}: no filler for ${length} bytes (a file that is patched must say what a reader skips)`);
  }
  /** Called once `serialize`'s pieces (or the patch: `patched`) are durably the file, with the file's new stamp. */
  protected written(_stamp: string, _patched: boolean): void | Promise<void> {}
  /** Applies one journal entry; must be harmless when the file already holds it. */
  protected abstract replay(entry: JournalEntry<T, E>): void;

  private async currentStamp(): Promise<string> {
    const [file, journal] = await Promise.all([fileStamp(this.path), fileStamp(this.journal.path)]);
    return `${file}/${journal}`;
  }

  /**
   * Loads or re-validates. `lookup` calls (findObject, isValueInUse, one per
   * provisioned object) re-check the files at most once a second.
   */
  load(lookup = false): Promise<void> {
    return this.named(() => this.read(lookup));
  }

  private async read(lookup: boolean): Promise<void> {
    if (lookup && this.stamp && Date.now() - this.checkedAt < 1000) return;
    this.checkedAt = Date.now();
    let stamp = await this.currentStamp();
    if (stamp === this.stamp) return;
    // Exports answered before a crash, not yet folded into the file.
    const journal = await this.journal.read();
    // A patch a crash may have torn: finished, or undone, so that the entries before it replay onto the file (see PatchMark).
    for (const [i, mark] of journal.entries()) {
      if (!isPatchMark(mark)) continue;
      const next = journal.findIndex((e, j) => j > i && isPatchMark(e));
      recoverPatch(this.path, mark, journal.slice(i + 1, next < 0 ? undefined : next).some(isAppended), (n) => this.filler(n));
      stamp = await this.currentStamp();
    }
    const file = stamp.slice(0, stamp.indexOf('/'));
    await this.parse(file === 'none' ? none() : readLineBatchesAt(this.path), file);
    for (const entry of journal) if (!isPatchMark(entry) && !isAppended(entry)) this.replay(entry);
    this.journaled = journal.length > 0;
    this.queued = [];
    this.stamp = stamp;
  }

  /** Records a change already applied in memory, for the next `commit`. */
  protected queue(entry: JournalEntry<T, E>): void {
    this.queued.push(entry);
  }

  /** Makes the changes so far durable in the journal: call before answering an export. */
  commit(): Promise<void> {
    return this.named(() => this.append());
  }

  private async append(): Promise<void> {
    if (!this.queued.length) return;
    try {
      await this.journal.append(this.queued);
    } catch (err) {
      // Memory is ahead of the disk now: read both again before the next use.
      this.stamp = '';
      throw err;
    } finally {
      this.queued = [];
    }
    this.journaled = true;
    this.stamp = await this.currentStamp();
  }

  /** Rewrites the file with the journaled changes, then drops the journal; true when the file was rewritten. */
  fold(): Promise<boolean> {
    return this.named(async () => {
      await this.append();
      // Cheap when there is nothing to fold: the file is not read.
      if (!this.journaled && !(await this.journal.exists())) return false;
      await this.read(false);
      if (!this.journaled) return false;
      const size = (await stat(this.path).catch(() => null))?.size ?? 0;
      const patch = size > 0 ? this.patch(size) : null;
      if (patch) {
        // Appended, then blanked: until the blanks start the old entries are whole in the file, for the edits to replay onto.
        const bytes = Buffer.from(patch.append);
        const writes = patch.writes ?? [];
        await this.journal.append([{ patch: size, blank: patch.blank.map((r) => [r.from, r.to] as const), append: bytes.length, ...(writes.length ? { writes: writes.map((w) => [w.at, w.text] as const) } : {}) }]);
        appendAtDurably(this.path, size, bytes);
        await this.journal.append([{ appended: size }]);
        blankDurably(this.path, patch.blank, (n) => this.filler(n), writes);
      } else await writeFileDurably(this.path, this.serialize());
      await this.written(await fileStamp(this.path), !!patch);
      await this.journal.clear();
      this.journaled = false;
      this.stamp = await this.currentStamp();
      return true;
    });
  }
}
