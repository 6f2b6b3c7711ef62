/**
 * The embedded store: a sharded lowdb snapshot plus an append-only journal.
 *
 * A transaction is written as journal lines of at most CHUNK ops and a
 * commit line, then fsync'd: a `kill -9` leaves either the whole transaction
 * or lines without a commit, which replay ignores. The snapshot is a set of
 * parts (lowdb DataFiles of compact JSON) under a generation folder that a
 * pointer file names; it is rewritten only when the journal has grown, so a
 * delta run costs what it changed, not the size of the store.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFile, TextFile } from 'lowdb/node';
import type { Store, StoreTransaction } from './store.ts';
import { StoreState, type Op } from './store-state.ts';
import { acquireLock, type Lock } from './lock.ts';
import { decodeOp, encodeOp } from './op-codec.ts';
import { readLineBatches } from './line-reader.ts';

const CHUNK = 2000;
/** Keep this many step records; older ones are dropped at the next snapshot. */
const MAX_RUNS = 1000;
const part = (file: string) => new DataFile<Op[]>(file, { parse: (text) => (JSON.parse(text) as unknown[]).map(decodeOp), stringify: (d) => JSON.stringify(d.map(encodeOp)) });

export interface OpenOptions {
  /** Wait this long for another run's lock before failing (default 0: fail at once). */
  readonly waitMs?: number;
  /**
   * Rewrite the snapshot when the journal would hold more ops than this. By
   * default a run lets the journal grow to the store's own size (at least
   * 50,000 ops).
   */
  readonly compactAfterOps?: number;
  /** Closing rewrites the snapshot when the journal holds more ops than this (default 50,000 or a quarter of the store). */
  readonly compactOnCloseAfterOps?: number;
}

/** Reads the current snapshot generation and the committed journal. */
async function load(dir: string): Promise<{ state: StoreState; generation: number; replayed: number }> {
  const pointer = new TextFile(join(dir, 'snapshot', 'current'));
  const generation = Number((await pointer.read())?.trim() ?? 0);
  const state = new StoreState();
  if (generation > 0) {
    const genDir = join(dir, 'snapshot', String(generation));
    for (const f of (await readdir(genDir)).sort()) for (const op of (await part(join(genDir, f)).read()) ?? []) state.apply(op);
  }
  return { state, generation, replayed: await replay(join(dir, 'journal.jsonl'), state) };
}

export async function openFileStore(dir: string, options: OpenOptions = {}): Promise<Store> {
  await mkdir(join(dir, 'snapshot'), { recursive: true });
  const lock = await acquireLock(join(dir, 'lock'), options.waitMs ?? 0);
  try {
    const { state, generation, replayed } = await load(dir);
    return new FileStore(dir, state, join(dir, 'journal.jsonl'), lock, generation, replayed, options);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Transactions touching more objects than this keep no old versions; their rollback reloads from disk. */
const UNDO_LIMIT = 20_000;

async function replay(path: string, state: StoreState): Promise<number> {
  let ops = 0;
  let pending: Op[] = [];
  try {
    // Line by line: a journal may hold more than one string can.
    for await (const lines of readLineBatches(path)) {
      for (const line of lines) {
        if (!line) continue;
        let rec: { ops?: Op[]; commit?: boolean };
        try {
          rec = JSON.parse(line) as typeof rec;
        } catch {
          return ops; // A torn last line: that transaction never committed.
        }
        if (rec.ops) for (const op of rec.ops) pending.push(decodeOp(op));
        if (rec.commit) {
          for (const op of pending) state.apply(op);
          ops += pending.length;
          pending = [];
        }
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  return ops;
}

class FileStore extends StoreState implements Store {
  #journalOps: number;
  #fd: number | null = null;
  #generation: number;

  constructor(
    readonly location: string,
    state: StoreState,
    private readonly journalPath: string,
    private readonly lock: Lock,
    generation: number,
    journalOps: number,
    private readonly options: OpenOptions,
  ) {
    super(state);
    this.#generation = generation;
    this.#journalOps = journalOps;
  }

  begin(): StoreTransaction {
    return this.transaction(async (ops) => {
      if (ops.length === 0) return;
      // Each snapshot rewrites the whole store, so within a run the journal may grow as large as
      // the store: a full cycle's many large steps then cost a few snapshots, not one each. A
      // transaction past the limit goes straight into a new snapshot (journaling it first would
      // write it twice); the pointer switch keeps it atomic.
      const limit = this.options.compactAfterOps ?? Math.max(50_000, this.objectCount());
      if (this.#journalOps + ops.length > limit) return this.compact();
      this.#fd ??= openSync(this.journalPath, 'a');
      for (let i = 0; i < ops.length; i += CHUNK) writeSync(this.#fd, JSON.stringify({ ops: ops.slice(i, i + CHUNK).map(encodeOp) }) + '\n');
      writeSync(this.#fd, '{"commit":true}\n');
      fsyncSync(this.#fd);
      this.#journalOps += ops.length;
    }, async () => {
      // Nothing of this transaction reached the disk: what is there is the truth.
      if (this.#fd !== null) closeSync(this.#fd);
      this.#fd = null;
      const fresh = await load(this.location);
      this.adopt(fresh.state);
      this.#generation = fresh.generation;
      this.#journalOps = fresh.replayed;
    }, UNDO_LIMIT);
  }

  /**
   * Writes a new snapshot generation, points to it, then empties the journal.
   * A crash before the pointer moves keeps the old snapshot and the journal;
   * a crash after replays ops the snapshot already holds, which is harmless.
   */
  async compact(): Promise<void> {
    const next = this.#generation + 1;
    const genDir = join(this.location, 'snapshot', String(next));
    await rm(genDir, { recursive: true, force: true });
    await mkdir(genDir, { recursive: true });
    let buffer: Op[] = [];
    let n = 0;
    const flush = async () => {
      if (!buffer.length) return;
      await part(join(genDir, `part-${String(n++).padStart(5, '0')}.json`)).write(buffer);
      buffer = [];
    };
    for (const op of this.snapshotOps(MAX_RUNS)) {
      buffer.push(op);
      if (buffer.length >= CHUNK * 10) await flush();
    }
    await flush();
    await new TextFile(join(this.location, 'snapshot', 'current')).write(String(next));
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    await rm(this.journalPath, { force: true });
    await rm(join(this.location, 'snapshot', String(this.#generation)), { recursive: true, force: true });
    this.#generation = next;
    this.#journalOps = 0;
  }

  async close(): Promise<void> {
    // Leave a small journal to the next run: opening replays it, and a delta run opens often.
    // Not while a transaction is open (a step that threw): memory holds its uncommitted changes.
    if (this.openTransactions === 0 && this.#journalOps > (this.options.compactOnCloseAfterOps ?? Math.max(50_000, Math.floor(this.objectCount() / 4)))) await this.compact();
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    await this.lock.release();
  }
}
