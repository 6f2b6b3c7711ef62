/**
 * The embedded store: a lowdb JSON snapshot plus an append-only journal.
 *
 * A transaction is one journal line written with a single write and fsync,
 * so a `kill -9` leaves either the whole transaction or a torn last line that
 * replay ignores. The snapshot is rewritten (atomically, by lowdb's temp file
 * and rename) only when the journal has grown, so a delta run costs what it
 * changed, not the size of the store.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { CsObject, MvObject, RunRecord } from './objects.ts';
import type { Store, StoreTransaction } from './store.ts';
import { StoreState, type Op } from './store-state.ts';
import { acquireLock, type Lock } from './lock.ts';

interface Snapshot {
  readonly version: 1;
  cs: Record<string, CsObject[]>;
  mv: MvObject[];
  meta: Record<string, unknown>;
  runs: RunRecord[];
}

const emptySnapshot = (): Snapshot => ({ version: 1, cs: {}, mv: [], meta: {}, runs: [] });
/** Keep this many step records; older ones are dropped at the next snapshot. */
const MAX_RUNS = 1000;

export interface OpenOptions {
  /** Wait this long for another run's lock before failing (default 0: fail at once). */
  readonly waitMs?: number;
  /** Rewrite the snapshot when the journal holds more ops than this (default 20,000 or a quarter of the store). */
  readonly compactAfterOps?: number;
}

export async function openFileStore(dir: string, options: OpenOptions = {}): Promise<Store> {
  await mkdir(dir, { recursive: true });
  const lock = await acquireLock(join(dir, 'lock'), options.waitMs ?? 0);
  try {
    const db = new Low<Snapshot>(new JSONFile<Snapshot>(join(dir, 'snapshot.json')), emptySnapshot());
    await db.read();
    const state = StoreState.fromSnapshot(db.data ?? emptySnapshot());
    const journalPath = join(dir, 'journal.jsonl');
    const replayed = await replay(journalPath, state);
    return new FileStore(dir, db, state, journalPath, lock, replayed, options.compactAfterOps);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function replay(path: string, state: StoreState): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return 0;
  }
  let ops = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    let tx: { ops: Op[] };
    try {
      tx = JSON.parse(line) as { ops: Op[] };
    } catch {
      break; // A torn last line: the transaction never committed.
    }
    for (const op of tx.ops) state.apply(op);
    ops += tx.ops.length;
  }
  return ops;
}

class FileStore extends StoreState implements Store {
  #journalOps: number;
  #fd: number | null = null;

  constructor(
    readonly location: string,
    private readonly db: Low<Snapshot>,
    state: StoreState,
    private readonly journalPath: string,
    private readonly lock: Lock,
    journalOps: number,
    private readonly compactAfterOps: number | undefined,
  ) {
    super(state);
    this.#journalOps = journalOps;
  }

  begin(): StoreTransaction {
    return this.transaction(async (ops) => {
      if (ops.length === 0) return;
      this.#fd ??= openSync(this.journalPath, 'a');
      writeSync(this.#fd, JSON.stringify({ ops }) + '\n');
      fsyncSync(this.#fd);
      this.#journalOps += ops.length;
      const limit = this.compactAfterOps ?? Math.max(20_000, Math.floor(this.objectCount() / 4));
      if (this.#journalOps > limit) await this.compact();
    });
  }

  /** Writes the snapshot, then empties the journal. A crash between the two replays ops that are already in the snapshot, which is harmless: every op is a whole-object put or delete. */
  async compact(): Promise<void> {
    const snap = this.toSnapshot();
    this.db.data = { version: 1, ...snap, runs: snap.runs.slice(-MAX_RUNS) };
    await this.db.write();
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    await rm(this.journalPath, { force: true });
    this.#journalOps = 0;
  }

  async close(): Promise<void> {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    await this.lock.release();
  }
}

/** Size of the store on disk, for benchmarks. */
export async function storeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of ['snapshot.json', 'journal.jsonl']) total += await stat(join(dir, f)).then((s) => s.size, () => 0);
  return total;
}
