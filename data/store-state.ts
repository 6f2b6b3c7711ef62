/**
 * The state behind every store: a slot per object, the lookup indexes, and
 * transactions with an undo log of slots. Where an object's body lives
 * (memory, or a line in a file) is the subclass's business: it reads a slot
 * through `load` and writes transactions through the hooks it passes to
 * `transaction`.
 */
import type { CsObject, MvObject, RunRecord } from './objects.ts';
import { MvValueIndex, type IndexRow } from './value-index.ts';
import type { FrozenTable } from './frozen-table.ts';
import type { Scalar } from './model.ts';
import type { ConnectorSpaceView, StoreTransaction } from './store.ts';
import { ConnectorSpace, type CsSlot } from './connector-space.ts';
import { IN_MEMORY, type Slot } from './slot.ts';
import { MvSlotMap } from './mv-slot-map.ts';
import { OpKeyed, type Keyed } from './op-keyed.ts';
import { restoreSavedMv, savedMvText, UnchangedTexts } from './saved-index-values.ts';
import { objectOfKey } from './journal-last.ts';

export type Op =
  | readonly ['cs', string, string, CsObject | null]
  | readonly ['mv', string, MvObject | null]
  | readonly ['meta', string, unknown]
  | readonly ['run', RunRecord];

/**
 * A metaverse object's slot, with its type so that building a join index
 * reads only objects of that type, and its id, one string that connector
 * slots and indexes share rather than each holding a copy.
 */
export interface MvSlot extends Slot<MvObject> { readonly id: string; readonly type: string }

/** An op to write, and the slot that learns where it was written. */
export interface Write { readonly op: Op; readonly slot: Slot<unknown> | undefined }

export interface TxHooks {
  /** Writes part of a large transaction out before it commits, so memory holds a bounded part of it; not durable. */
  readonly spill?: (writes: Write[]) => void;
  readonly commit: (writes: Write[]) => Promise<void>;
  /** Forgets what `spill` wrote. */
  readonly abort?: () => Promise<void> | void;
}

type Undo =
  | readonly ['cs', string, string, CsSlot | undefined, boolean, boolean]
  | readonly ['mv', string, MvSlot | undefined]
  | readonly ['meta', string, unknown];

/** A metaverse object's slot while it is in memory only (written out at commit). */
const inMemory = (m: MvObject): MvSlot => ({ obj: m, file: IN_MEMORY, off: 0, len: 0, id: m.id, type: m.objectType });

export class StoreState {
  protected readonly spaces = new Map<string, ConnectorSpace>();
  protected readonly mvSlots = new MvSlotMap();
  /** objectType\0attribute → index; built on first use of each pair. */
  private readonly mvIndex = new Map<string, MvValueIndex>();
  private readonly unchanged = new UnchangedTexts(() => this.mvIndex.values(), true);
  protected readonly metaData = new Map<string, unknown>();
  protected runList: RunRecord[] = [];
  private readonly runIds = new Set<string>();
  /** Begun and neither committed nor rolled back: memory then holds changes the disk must not get. */
  protected openTransactions = 0;
  /** Objects read to build indexes no snapshot held: a store that keeps snapshots writes one before the next run reads them all again. */
  protected indexesBuilt = 0;

  /** Reads an object that is not in memory. Only a store that writes objects out has any. */
  protected load(slot: Slot<unknown>): unknown {
    throw new Error(`store: object at ${slot.file}:${slot.off} is not in memory`);
  }

  private readonly loadCs = (slot: Slot<CsObject>) => this.load(slot) as CsObject;

  /**
   * Whether `n` passes `limit`, or without one both 50,000 and `ofCount` of
   * the store's objects, counted only past 50,000: counting asks what each
   * object a replay put back replaced (SlotMap.putBack).
   */
  protected pastLimit(n: number, limit: number | undefined, ofCount: (objects: number) => number): boolean {
    return limit !== undefined ? n > limit : n > 50_000 && n > ofCount(this.objectCount());
  }

  /** Whether `n` ops, or indexes built, call for a snapshot at close: past `limit`, or 50,000 and a quarter of the objects. */
  protected pastClose(n: number, limit: number | undefined): boolean { return this.pastLimit(n, limit, (objects) => Math.floor(objects / 4)); }

  protected objectCount(): number {
    let n = this.mvSlots.size;
    for (const s of this.spaces.values()) n += s.size;
    return n;
  }

  protected space(agent: string): ConnectorSpace {
    let s = this.spaces.get(agent);
    if (!s) this.spaces.set(agent, (s = new ConnectorSpace(this.loadCs)));
    return s;
  }

  cs(agent: string): ConnectorSpaceView { return this.space(agent); }
  agents(): string[] { return [...this.spaces.keys()]; }
  mv(id: string): MvObject | undefined {
    const s = this.mvSlots.get(id);
    return s && (s.obj ?? (this.load(s) as MvObject));
  }
  *mvValues(): IterableIterator<MvObject> { for (const s of this.mvSlots.values()) yield s.obj ?? (this.load(s) as MvObject); }
  get mvCount() { return this.mvSlots.size; }
  meta<T>(key: string): T | undefined { return this.metaData.get(key) as T | undefined; }
  runs(): readonly RunRecord[] { return this.runList; }

  mvFind(objectType: string, attribute: string, value: Scalar): MvObject[] {
    return this.mvIndexOf(objectType, attribute).ids(value).map((id) => this.mv(id)!).filter(Boolean);
  }

  // Not a lookup of a value: that made the set of each long id's values (a department group's 10,000 members), at each sync.
  mvIndexed(objectType: string, attribute: string): void { this.mvIndexOf(objectType, attribute); }

  /**
   * The join index of one type and attribute. A new one is filled from the
   * snapshot's table (or rows) when opening, else from every object of the type.
   */
  private mvIndexOf(objectType: string, attribute: string, rows?: readonly IndexRow[] | FrozenTable): MvValueIndex {
    const key = `${objectType}\0${attribute}`;
    let index = this.mvIndex.get(key);
    if (!index) {
      this.mvIndex.set(key, (index = new MvValueIndex(objectType, attribute)));
      if (!rows) {
        for (const [id, s] of this.mvSlots) {
          if (s.type !== objectType) continue;
          index.update(id, s.obj ?? (this.load(s) as MvObject));
          this.indexesBuilt++;
        }
      }
    }
    if (rows) index.load(rows, (id) => this.mvSlots.get(id)?.id);
    return index;
  }

  /** The join indexes built so far, for a snapshot. */
  protected mvIndexes(): IterableIterator<MvValueIndex> { return this.mvIndex.values(); }

  /** Loads a join index kept by a snapshot; after every slot is restored. */
  protected loadMvIndex(objectType: string, attribute: string, rows: readonly IndexRow[] | FrozenTable): void {
    this.mvIndexOf(objectType, attribute, rows);
  }

  /** The metaverse's own copy of `id`, so that a million references share one string each. */
  protected readonly mvIdString = (id: string): string => this.mvSlots.get(id)?.id ?? id;

  /** Puts back a metaverse slot read from a checkpoint or kept for undo; `undefined` removes. */
  protected restoreMv(id: string, slot: MvSlot | undefined): void {
    if (slot) this.mvSlots.set(id, slot);
    else this.mvSlots.delete(id);
    if (this.mvIndex.size) {
      const obj = slot && (slot.obj ?? (this.load(slot) as MvObject));
      for (const index of this.mvIndex.values()) index.update(id, obj);
    }
  }

  /** What `journal.last` saves with an object's last version, by its key there: what its value indexes hold (saved-index-values.ts). */
  protected savedText(key: string): string {
    const o = objectOfKey(key);
    return !o ? '' : o.agent === null ? savedMvText(this.mvSlots.get(o.id), this.mvIndex.values()) : (this.spaces.get(o.agent)?.savedText(o.id) ?? '');
  }

  /** As `applyReplayed`, from the values saved for its indexes, unread, at `file`, `off`: undefined where they do not do. */
  protected restoreSavedMv(id: string, text: string, file: number, off: number, len: number): MvSlot | undefined {
    const type = this.unchanged.typeOf(text) ?? restoreSavedMv(id, text, this.mvIndex.values());
    return type === null ? undefined : this.mvSlots.putBack(id, { obj: undefined, file, off, len, id, type });
  }

  /** An object's slot `prev` (if any) was replaced by `slot`: a store that writes versions as changes notes it. */
  protected replaced(_prev: Slot<unknown> | undefined, _slot: Slot<unknown>): void {}
  private readonly onReplaced = (prev: Slot<unknown> | undefined, slot: Slot<unknown>): void => this.replaced(prev, slot);

  /** Applies one op, for live writes and journal replay; returns the slot of an object it put. */
  apply(op: Op): Slot<unknown> | undefined {
    switch (op[0]) {
      case 'cs':
        if (op[3]) return this.space(op[1]).put(op[3], this.onReplaced);
        this.space(op[1]).remove(op[2]);
        return undefined;
      case 'mv': {
        const m = op[2];
        const prev = this.mvSlots.get(op[1]);
        this.mvSlots.delete(op[1]);
        const slot = m ? inMemory(m) : undefined;
        if (slot) { this.mvSlots.set(op[1], slot); this.replaced(prev, slot); }
        for (const index of this.mvIndex.values()) index.update(op[1], m ?? undefined, prev?.obj);
        return slot;
      }
      case 'meta':
        if (op[2] === null || op[2] === undefined) this.metaData.delete(op[1]);
        else this.metaData.set(op[1], op[2]);
        return undefined;
      case 'run':
        // A journal replayed over a snapshot that already holds this run must not add it twice.
        if (this.runIds.has(op[1].id)) return undefined;
        this.runIds.add(op[1].id);
        this.runList.push(op[1]);
        return undefined;
    }
  }

  /**
   * One op of a journal replay, which gives each object's last version once:
   * as `apply`, but a metaverse object is put back without asking what it
   * replaces (MvSlotMap.putBack), nor noting it (a snapshot's row, not in memory).
   */
  protected applyReplayed(op: Op): Slot<unknown> | undefined {
    if (op[0] !== 'mv' || !op[2]) return this.apply(op);
    const m = op[2];
    const slot = inMemory(m);
    this.mvSlots.putBack(op[1], slot);
    for (const index of this.mvIndex.values()) index.update(op[1], m);
    return slot;
  }

  /** Keeps only the latest `max` run records (at a snapshot). */
  protected trimRuns(max: number): void {
    for (const r of this.runList.splice(0, Math.max(0, this.runList.length - max))) this.runIds.delete(r.id);
  }

  private undoOf(op: Op): Undo {
    if (op[0] === 'cs') {
      const s = this.spaces.get(op[1]);
      return ['cs', op[1], op[2], s?.slots.get(op[2]), !!s?.importing.has(op[2]), !!s?.exporting.has(op[2])];
    }
    if (op[0] === 'mv') return ['mv', op[1], this.mvSlots.get(op[1])];
    if (op[0] === 'meta') return ['meta', op[1], this.metaData.get(op[1])];
    throw new Error(`store: no undo for a ${op[0]} op`);
  }

  private undo(u: Undo): void {
    if (u[0] === 'cs') {
      if (u[3]) this.space(u[1]).restore(u[2], u[3], u[4], u[5]);
      else this.space(u[1]).remove(u[2]);
    } else if (u[0] === 'mv') this.restoreMv(u[1], u[2]);
    else this.apply(['meta', u[1], u[2] ?? null]);
  }

  /**
   * A transaction that applies at once in memory and persists through `hooks`
   * on commit. Only the last version of each object is kept for writing, and
   * for undo only the first slot: a slot is a few fields, so undoing a full
   * sync costs no copy of the store. Past `spillAfter` objects the pending
   * writes go out through `hooks.spill` when the caller says it is `settled`,
   * and past twice that at once.
   */
  protected transaction(hooks: TxHooks, spillAfter = Infinity): StoreTransaction {
    let latest = new OpKeyed<Write>();
    const undo = new OpKeyed<Undo>();
    const runs: RunRecord[] = [];
    let done = false;
    this.openTransactions++;
    const record = (op: Keyed) => {
      if (done) throw new Error('store: transaction already finished');
      // The state before the transaction's first write of the object: what a rollback puts back.
      undo.setFirst(op, () => this.undoOf(op));
      latest.set(op, { op, slot: this.apply(op) });
      // Twice the limit between two settled points: a caller that never says so is still bounded.
      spill(2 * spillAfter);
    };
    const spill = (after: number) => {
      if (latest.size < after || !hooks.spill) return;
      hooks.spill([...latest.values()]);
      latest = new OpKeyed();
    };
    return {
      putCs: (o) => record(['cs', o.agent, o.id, o]),
      deleteCs: (agent, id) => record(['cs', agent, id, null]),
      putMv: (m) => record(['mv', m.id, m]),
      deleteMv: (id) => record(['mv', id, null]),
      setMeta: (k, v) => record(['meta', k, v]),
      settled: () => spill(spillAfter),
      addRun: (r) => {
        if (done) throw new Error('store: transaction already finished');
        runs.push(r);
        this.apply(['run', r]);
      },
      commit: async () => {
        if (!done) this.openTransactions--;
        done = true;
        await hooks.commit([...latest.values(), ...runs.map((r): Write => ({ op: ['run', r], slot: undefined }))]);
      },
      rollback: async () => {
        if (done) return;
        done = true;
        this.openTransactions--;
        await hooks.abort?.();
        for (const u of undo.values()) this.undo(u);
        if (runs.length) for (const r of this.runList.splice(this.runList.length - runs.length, runs.length)) this.runIds.delete(r.id);
      },
    };
  }
}

/** A store that keeps nothing on disk: for tests and previews. */
export class MemoryStore extends StoreState {
  readonly location = ':memory:';
  begin(): StoreTransaction { return this.transaction({ commit: async () => {} }); }
  async close(): Promise<void> {}
}
