/**
 * The embedded store: objects live in its files, and memory holds their slots
 * (where each object's line is, and the fields lookups need), the indexes,
 * and a bounded cache of parsed objects. So memory follows the number of
 * objects, not their size, and opening reads the catalog, not the objects.
 *
 * A transaction is written as one journal line per op and a commit line, then
 * fsync'd: a `kill -9` leaves either the whole transaction or lines without a
 * commit, which replay ignores and opening cuts off. A large transaction
 * writes its ops out every SPILL objects before it commits; a rollback cuts
 * them off. Snapshots (snapshot-files.ts) are written only when the journal
 * has grown, so a delta run costs what it changed, not the size of the store.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFile, TextFile } from 'lowdb/node';
import type { Store, StoreTransaction } from './store.ts';
import { StoreState, type Op, type Write } from './store-state.ts';
import { acquireLock, type Lock } from './lock.ts';
import { decodeOp } from './op-codec.ts';
import { opBody, opHead } from './op-lines.ts';
import { PatchLines, startsPatch } from './patch-lines.ts';
import { replayJournal } from './journal-replay.ts';
import { LastTracker, readLast, removeLast } from './journal-last.ts';
import { JOURNAL, ObjectLog } from './object-log.ts';
import { IN_MEMORY, SlotCache, type Slot } from './slot.ts';
import type { CsSlot } from './connector-space.ts';
import { CACHE, SPILL, type OpenOptions } from './store-options.ts';
import { isIndexLine, objectsPath, readCatalog, slotOfRow, SnapshotWriter, type CatalogLine, type CsRow, type IndexLine, type MvRow, type RowsLine, type SnapshotState, type TableReads } from './snapshot-files.ts';

/** Where a restored connector row is, when not where its row says, and whether it can be in its space already. */
interface RowPlace { readonly objectType?: string; readonly off?: number; readonly len?: number; readonly once?: boolean; readonly saved?: string | undefined }
/** A catalog row: at its own place, and named once in the catalog. */
const CATALOG_ROW: RowPlace = { once: true };

/** Keep this many step records; older ones are dropped at the next snapshot. */
const MAX_RUNS = 1000;
const json = { parse: JSON.parse, stringify: JSON.stringify };
const stateFile = (dir: string) => new DataFile<SnapshotState>(join(dir, 'state.json'), json);

export type { OpenOptions } from './store-options.ts';

export async function openFileStore(dir: string, options: OpenOptions = {}): Promise<Store> {
  await mkdir(join(dir, 'snapshot'), { recursive: true });
  const lock = await acquireLock(join(dir, 'lock'), options.waitMs ?? 0);
  let store: FileStore | undefined;
  try {
    store = new FileStore(dir, lock, options);
    await store.open();
    return store;
  } catch (err) {
    store?.closeFiles();
    await lock.release();
    throw err;
  }
}

class FileStore extends StoreState implements Store {
  readonly #log: ObjectLog;
  readonly #cache: SlotCache;
  readonly #patches = new PatchLines();
  /** Each object's last version in the journal, saved at close so that the next open reads only what follows. */
  readonly #last = new LastTracker();
  #generation = 0;
  #journalOps = 0;
  /** The tables and rows files of the generation opened, read as they are used; read whole when a compaction replaces it. */
  #tables: TableReads | null = null;

  constructor(readonly location: string, private readonly lock: Lock, private readonly options: OpenOptions) {
    super();
    this.#cache = new SlotCache(options.cacheObjects ?? CACHE);
    this.#log = new ObjectLog(this.journalPath);
  }

  private get journalPath() { return join(this.location, 'journal.jsonl'); }
  private get pointer() { return new TextFile(join(this.location, 'snapshot', 'current')); }
  private genDir(g: number) { return join(this.location, 'snapshot', String(g)); }

  /** The op of the line at `off` in file `file`, its patches followed (patch-lines.ts). */
  private opAt(file: number, off: number, len: number): Op {
    try {
      return this.#patches.op(this.#log.parse(file, off, len) as unknown[], (f, o, l) => this.#log.parse(f, o, l) as unknown[]);
    } catch (err) {
      // A damaged store file: say which, and where, rather than a bare JSON error.
      throw new Error(`store: cannot read the object at byte ${off} of ${this.#log.pathOf(file)}: ${(err as Error).message}`);
    }
  }

  protected override load(slot: Slot<unknown>): unknown {
    const op = this.opAt(slot.file, slot.off, slot.len);
    const obj = op[0] === 'cs' ? op[3] : op[0] === 'mv' ? op[2] : null;
    if (!obj) throw new Error(`store: the line at byte ${slot.off} of ${this.#log.pathOf(slot.file)} holds no object`);
    slot.obj = obj;
    this.#cache.keep(slot);
    return obj;
  }

  /** Reads the current snapshot generation's catalog and replays the committed journal. */
  async open(): Promise<void> {
    const g = Number((await this.pointer.read())?.trim() ?? 0);
    this.#generation = g;
    const dir = this.genDir(g);
    // Indexes after every slot is restored, before the journal's changes: their tables are read meanwhile.
    const indexes: IndexLine[] = [];
    const rowFiles: RowsLine[] = [];
    const tables = g > 0 && (await readCatalog(dir, (l) => (isIndexLine(l) ? indexes.push(l) : 'csRows' in l || 'mvRows' in l ? rowFiles.push(l) : this.restoreCatalog(l, g, dir))));
    if (tables) {
      this.#tables = tables;
      for (const line of rowFiles) {
        if ('mvRows' in line) {
          const rows = tables.rows<MvRow>(line.mvRows, line.count);
          this.mvSlots.restoreLazy(rows.count, (i) => { const [id, type, off, len] = rows.row(i); return { obj: undefined, file: g, off, len, id, type }; }, tables.table(line.table));
          continue;
        }
        const rows = tables.rows<CsRow>(line.file, line.count);
        this.space(line.csRows).restoreRows(rows.count, (i) => slotOfRow(rows.row(i), g, this.mvRef).slot, line.importing, line.exporting);
      }
      // The slots' lookups before any other index, whose restore may look a slot up.
      for (const line of indexes) if ('csSlots' in line) this.restoreIndex(line, tables);
      for (const space of this.spaces.values()) space.settle();
      for (const line of indexes) if (!('csSlots' in line)) this.restoreIndex(line, tables);
      const state = await stateFile(dir).read();
      for (const [k, v] of state?.meta ?? []) this.metaData.set(k, v);
      for (const r of state?.runs ?? []) this.apply(['run', r]);
      this.#log.attach(g, objectsPath(dir));
    } else if (g > 0) {
      // An earlier store's snapshot: whole ops in DataFiles, held in memory until the next snapshot.
      for (const f of (await readdir(dir)).sort()) for (const op of (await new DataFile<unknown[]>(join(dir, f), json).read()) ?? []) this.apply(decodeOp(op));
    }
    this.#journalOps = await this.replay();
  }

  private restoreIndex(line: IndexLine, tables: TableReads): void {
    if ('csIndex' in line) this.space(line.csIndex[0]).loadIndex(line.csIndex[1], line.csIndex[2], tables.source(line));
    else if ('mvIndex' in line) this.loadMvIndex(line.mvIndex[0], line.mvIndex[1], tables.source(line));
    else if ('csSlots' in line) {
      const [byId, byAnchor, byMv] = line.tables.map((t) => tables.table(t));
      this.space(line.csSlots).settle({ byId: byId!, byAnchor: byAnchor!, byMv: byMv! });
    } else this.space(line.csDn).loadDnTable(tables.table(line.table));
  }

  private restoreCatalog(line: CatalogLine, file: number, dir: string): void {
    if ('cs' in line) for (const row of line.rows) this.restoreRow(line.cs, row, file);
    else if ('mv' in line) for (const [id, type, off, len] of line.mv) this.mvSlots.restore({ obj: undefined, file, off, len, id, type });
    // Before, any other line was read as metaverse rows and failed on a missing field.
    else throw new Error(`store: ${join(dir, 'catalog.jsonl')} holds a line this version does not know (${Object.keys(line).join(', ')}): written by a newer idsync, or damaged`);
  }

  private async replay(): Promise<number> {
    const seed = await readLast(this.location, this.journalPath, this.#generation);
    const { ops, committed, last } = await replayJournal(this.journalPath, ([op, o, l]) => {
      // A connector slot reads its object only if a value index covers its type; a metaverse object, unless its indexes' values were saved.
      const slot = op[0] === 'slot' ? this.restoreRow(op[1], op[3], JOURNAL, { objectType: op[2], off: o, len: l, saved: op[4] }) : (op[0] === 'mvsaved' && this.restoreSavedMv(op[1], op[2], JOURNAL, o, l))
        || this.applyReplayed(op[0] === 'mvline' || op[0] === 'mvsaved' ? this.opAt(JOURNAL, o, l) : op);
      // Dropped: few are read by this run. Not a patched one (a group of 16 KB or more): its next sync read 1 MB of JSON again at 100,000 people.
      if (slot && o >= 0) this.placed(slot, JOURNAL, o, l, op[0] === 'mvline' && op[2]);
    }, undefined, this.options.replayHeldBytes, seed);
    this.#last.reset(last, committed === seed?.committed ? committed : -1);
    // Cut off a torn or uncommitted tail, so that the next transaction's lines do not run on from it.
    if (committed < this.#log.journalSize) this.#log.truncate(committed);
    else if (committed > this.#log.journalSize) {
      this.#log.append(''); // a last commit line without its line end
      this.#log.flush();
    }
    return ops;
  }

  /**
   * Puts back a connector slot from a catalog row (`once`: a catalog names
   * each object once), or from a journal line's head (with the object's
   * type, and the line's place).
   */
  private restoreRow(agent: string, row: CsRow, file: number, at: RowPlace = CATALOG_ROW): Slot<unknown> {
    // A journal head names its metaverse object by id: that string is kept, rather than the metaverse's looked up for it.
    const { slot, importing, exporting } = slotOfRow(row, file, file === JOURNAL ? this.mvRefAsIs : this.mvRef, at.off ?? row[4], at.len ?? row[5]);
    this.space(agent).restore(slot.id, slot, importing, exporting, at.objectType, at.once, at.saved);
    return slot;
  }

  private readonly mvRefAsIs = (ref: string | number): string => (typeof ref === 'string' ? ref : this.mvRef(ref));
  private readonly mvRef = (ref: string | number): string => {
    if (typeof ref === 'string') return this.mvIdString(ref);
    const id = this.mvSlots.row(ref)?.id;
    if (id === undefined) throw new Error(`store: the catalog of ${this.genDir(this.#generation)} names metaverse row ${ref}, which it does not hold; the snapshot is damaged`);
    return id;
  };

  /** The slot's object is now also on disk: it may leave memory, at once unless `cache`; 'as-is' leaves the cache alone. */
  private placed(slot: Slot<unknown>, file: number, off: number, len: number, cache: boolean | 'as-is' = true): void {
    slot.file = file; slot.off = off; slot.len = len;
    if (cache === true) this.#cache.keep(slot);
    else if (!cache) slot.obj = undefined;
  }

  /** The version each write replaces, for a patch of it (patch-lines.ts). */
  protected override replaced(prev: Slot<unknown> | undefined, slot: Slot<unknown>): void { this.#patches.track(prev, slot); }

  private write(writes: readonly Write[], commit: boolean): void {
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      // A connector object's slot as put() made it (apply returned it for this op), not made again.
      const head = opHead(w.op, w.op[0] === 'cs' ? (w.slot as CsSlot | undefined) : undefined);
      const body = this.#patches.body(w.op, w.slot);
      // The slot names the op after the head: reading or copying the object skips it.
      const off = this.#log.append(head, body) + (head ? Buffer.byteLength(head) : 0);
      const len = this.#log.journalSize - off - 1;
      if (w.slot?.file === IN_MEMORY) this.placed(w.slot, JOURNAL, off, len);
      this.#last.put(w.op, this.#journalOps + i, head, body, off, len);
    }
    this.#journalOps += writes.length;
    // Closing will write a snapshot (ops only add up): tracking the last versions, as every op of a 10,000-person full cycle was, is wasted.
    if (this.snapshotAtClose(this.#journalOps)) this.#last.stop();
    if (commit) {
      this.#log.append('{"commit":true}');
      this.#log.sync();
      this.#last.commit();
    } else this.#log.flush();
  }

  begin(): StoreTransaction {
    // One journal, one tail to cut off on rollback: transactions follow one another.
    if (this.openTransactions > 0) throw new Error(`store ${this.location}: a transaction is already open; commit or roll it back first`);
    const start = this.#log.journalSize;
    const opsAtStart = this.#journalOps;
    let spilled = false;
    return this.transaction({
      spill: (writes) => { spilled = true; this.write(writes, false); },
      commit: async (writes) => {
        if (!writes.length && !spilled) return;
        this.write(writes, true);
        if (this.pastLimit(this.#journalOps, this.options.compactAfterOps, (objects) => 4 * objects)) await this.compact();
      },
      abort: () => {
        this.#last.abort();
        this.#log.truncate(start);
        this.#journalOps = opsAtStart;
      },
    }, this.options.spillAfterObjects ?? SPILL);
  }

  /**
   * Writes a new snapshot generation, points to it, then empties the journal.
   * A crash before the pointer moves keeps the old snapshot and the journal;
   * a crash after replays ops the snapshot already holds, which is harmless.
   */
  async compact(): Promise<void> {
    const next = this.#generation + 1;
    const dir = this.genDir(next);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const w = new SnapshotWriter(dir);
    // New places are taken only once the pointer names the new generation.
    const moved: Slot<unknown>[] = [];
    const offs: number[] = [];
    const copy = (slot: Slot<unknown>, op: () => Op): [number, number] => {
      // A patch line names places the old generation's files hold: the new one holds the object whole.
      const whole = slot.file === IN_MEMORY || startsPatch(this.#log.read(slot.file, slot.off, Math.min(6, slot.len)));
      if (whole && slot.obj === undefined) this.load(slot);
      const off = whole ? w.objects.add(opBody(op())) : this.#log.copy(slot.file, slot.off, slot.len, w.objects);
      // A line on disk is copied as it is: a slot names a journal line's op, not the head before it.
      const len = w.objects.size - off - 1;
      moved.push(slot);
      offs.push(off, len);
      return [off, len];
    };
    w.objectRows(this.mvSlots, this.spaces, copy);
    w.indexes(this.spaces, this.mvIndexes());
    this.trimRuns(MAX_RUNS);
    w.finish();
    await stateFile(dir).write({ meta: [...this.metaData], runs: this.runList });
    await this.pointer.write(String(next));
    this.#log.attach(next, objectsPath(dir));
    // A moved object is the same bytes at a new place: what the cache held stays held. Putting every
    // slot through the cache here dropped the working set, and the next step read it all back.
    moved.forEach((slot, i) => this.placed(slot, next, offs[2 * i]!, offs[2 * i + 1]!, slot.file === IN_MEMORY ? true : 'as-is'));
    if (this.#generation > 0) this.#log.detach(this.#generation);
    // What the lookups hold of the old generation is read before it goes (Windows would not remove a file still open).
    this.#tables?.readWhole();
    this.#log.truncate(0);
    this.#last.reset([]);
    await removeLast(this.location);
    await rm(this.genDir(this.#generation), { recursive: true, force: true });
    this.#generation = next;
    this.#journalOps = 0;
    this.indexesBuilt = 0;
  }

  private snapshotAtClose(n: number): boolean { return this.pastClose(n, this.options.compactOnCloseAfterOps); }

  closeFiles(): void { this.#log.close(); this.#tables?.close(); }

  async close(): Promise<void> {
    // Leave a small journal to the next run (opening replays it; a delta run opens often), but not an index built from
    // every object, which the next run would build again. Not while a transaction is open: memory holds its changes.
    if (this.openTransactions === 0 && (this.snapshotAtClose(this.#journalOps) || this.snapshotAtClose(this.indexesBuilt))) await this.compact();
    else if (this.openTransactions === 0) await this.#last.save(this.location, this.journalPath, this.#generation, this.#log.journalSize, this.#journalOps, (key) => this.savedText(key));
    this.closeFiles();
    await this.lock.release();
  }
}
