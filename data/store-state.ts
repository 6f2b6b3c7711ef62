/**
 * The in-memory state behind every store: objects, lookup indexes, and
 * transactions with an undo log. Persistence is the subclass's business.
 */
import type { CsObject, MvObject, RunRecord } from './objects.ts';
import { CsValueIndex } from './value-index.ts';
import { asArray, type Scalar } from './model.ts';
import { normalizeKey, type ConnectorSpaceView, type StoreTransaction } from './store.ts';

export type Op =
  | readonly ['cs', string, string, CsObject | null]
  | readonly ['mv', string, MvObject | null]
  | readonly ['meta', string, unknown]
  | readonly ['run', RunRecord];

interface MvIndex { readonly type: string; readonly attribute: string; readonly values: Map<string, Set<string>> }

class ConnectorSpace implements ConnectorSpaceView {
  readonly byId = new Map<string, CsObject>();
  readonly anchors = new Map<string, string>();
  readonly dns = new Map<string, string>();
  private readonly importing = new Set<string>();
  private readonly exporting = new Set<string>();
  /** objectType\0attribute → values held, for SelectUniqueValue; built on first `find`. */
  private readonly valueIndexes = new Map<string, CsValueIndex>();

  get(id: string) { return this.byId.get(id); }
  byAnchor(anchor: string) { const id = this.anchors.get(anchor); return id === undefined ? undefined : this.byId.get(id); }
  byDn(dn: string) { const id = this.dns.get(dn.toLowerCase()); return id === undefined ? undefined : this.byId.get(id); }
  values() { return this.byId.values(); }
  ids() { return [...this.byId.keys()]; }

  find(objectType: string, attribute: string, value: string): CsObject[] {
    const key = `${objectType}\0${attribute}`;
    let index = this.valueIndexes.get(key);
    if (!index) {
      index = new CsValueIndex(objectType, attribute);
      for (const o of this.byId.values()) index.update(o.id, o);
      this.valueIndexes.set(key, index);
    }
    return index.ids(value).map((id) => this.byId.get(id)!).filter(Boolean);
  }
  withPendingImport() { return [...this.importing].map((id) => this.byId.get(id)!); }
  withPendingExport() { return [...this.exporting].map((id) => this.byId.get(id)!); }
  get size() { return this.byId.size; }

  put(obj: CsObject): void {
    this.unlink(obj.id);
    this.byId.set(obj.id, obj);
    // update() replaces the object's old values itself: no separate removal first.
    for (const index of this.valueIndexes.values()) index.update(obj.id, obj);
    if (obj.anchor !== null) this.anchors.set(obj.anchor, obj.id);
    this.dns.set(obj.dn.toLowerCase(), obj.id);
    if (obj.pendingImport) this.importing.add(obj.id);
    if (obj.pendingExport || obj.unconfirmed) this.exporting.add(obj.id);
  }

  remove(id: string): void {
    if (!this.byId.has(id)) return;
    this.unlink(id);
    for (const index of this.valueIndexes.values()) index.update(id, undefined);
  }

  /** Drops the object from the id, anchor, DN and pending indexes (not the value indexes). */
  private unlink(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.byId.delete(id);
    this.importing.delete(id);
    this.exporting.delete(id);
    if (old.anchor !== null && this.anchors.get(old.anchor) === id) this.anchors.delete(old.anchor);
    if (this.dns.get(old.dn.toLowerCase()) === id) this.dns.delete(old.dn.toLowerCase());
  }
}

export class StoreState {
  protected spaces: Map<string, ConnectorSpace>;
  protected mvById: Map<string, MvObject>;
  /** objectType\0attribute → value → ids; built on first use of each pair. Type and attribute kept apart so writes need not split the key. */
  private mvIndex = new Map<string, MvIndex>();
  protected metaData: Map<string, unknown>;
  protected runList: RunRecord[];
  private runIds: Set<string>;
  /** Begun and neither committed nor rolled back: memory then holds changes the disk must not get. */
  protected openTransactions = 0;

  /** Replaces this state with another (a reload after a rollback too large to undo in memory). */
  protected adopt(other: StoreState): void {
    this.spaces = other.spaces;
    this.mvById = other.mvById;
    this.metaData = other.metaData;
    this.runList = other.runList;
    this.runIds = other.runIds;
    this.mvIndex = new Map();
  }

  constructor(from?: StoreState) {
    this.spaces = from?.spaces ?? new Map();
    this.mvById = from?.mvById ?? new Map();
    this.metaData = from?.metaData ?? new Map();
    this.runList = from?.runList ?? [];
    this.runIds = from?.runIds ?? new Set(this.runList.map((r) => r.id));
  }

  /** The whole state as ops, for a snapshot; only the latest `maxRuns` run records. */
  *snapshotOps(maxRuns: number): Generator<Op> {
    for (const [agent, space] of this.spaces) for (const o of space.values()) yield ['cs', agent, o.id, o];
    for (const m of this.mvById.values()) yield ['mv', m.id, m];
    for (const [k, v] of this.metaData) yield ['meta', k, v];
    for (const r of this.runList.slice(-maxRuns)) yield ['run', r];
  }

  protected objectCount(): number {
    let n = this.mvById.size;
    for (const s of this.spaces.values()) n += s.size;
    return n;
  }

  private space(agent: string): ConnectorSpace {
    let s = this.spaces.get(agent);
    if (!s) this.spaces.set(agent, (s = new ConnectorSpace()));
    return s;
  }

  cs(agent: string): ConnectorSpaceView { return this.space(agent); }
  agents(): string[] { return [...this.spaces.keys()]; }
  mv(id: string) { return this.mvById.get(id); }
  mvValues() { return this.mvById.values(); }
  get mvCount() { return this.mvById.size; }
  meta<T>(key: string): T | undefined { return this.metaData.get(key) as T | undefined; }
  runs(): readonly RunRecord[] { return this.runList; }

  mvFind(objectType: string, attribute: string, value: Scalar): MvObject[] {
    const key = `${objectType}\0${attribute}`;
    let index = this.mvIndex.get(key);
    if (!index) {
      index = { type: objectType, attribute, values: new Map() };
      this.mvIndex.set(key, index);
      for (const m of this.mvById.values()) if (m.objectType === objectType) this.indexAdd(index, m);
    }
    const ids = index.values.get(normalizeKey(value));
    return ids ? [...ids].map((id) => this.mvById.get(id)!).filter(Boolean) : [];
  }

  private indexAdd(index: MvIndex, m: MvObject): void {
    for (const v of asArray(m.attrs[index.attribute])) {
      const k = normalizeKey(v);
      let set = index.values.get(k);
      if (!set) index.values.set(k, (set = new Set()));
      set.add(m.id);
    }
  }

  private reindex(old: MvObject | undefined, next: MvObject | undefined): void {
    for (const index of this.mvIndex.values()) {
      if (old?.objectType === index.type) for (const v of asArray(old.attrs[index.attribute])) index.values.get(normalizeKey(v))?.delete(old.id);
      if (next?.objectType === index.type) this.indexAdd(index, next);
    }
  }

  /** Applies one op; used for live writes and for journal replay. */
  apply(op: Op): void {
    switch (op[0]) {
      case 'cs':
        if (op[3]) this.space(op[1]).put(op[3]);
        else this.space(op[1]).remove(op[2]);
        return;
      case 'mv': {
        const old = this.mvById.get(op[1]);
        if (op[2]) this.mvById.set(op[1], op[2]);
        else this.mvById.delete(op[1]);
        this.reindex(old, op[2] ?? undefined);
        return;
      }
      case 'meta':
        if (op[2] === null || op[2] === undefined) this.metaData.delete(op[1]);
        else this.metaData.set(op[1], op[2]);
        return;
      case 'run':
        // A journal replayed over a snapshot that already holds this run must not add it twice.
        if (this.runIds.has(op[1].id)) return;
        this.runIds.add(op[1].id);
        this.runList.push(op[1]);
        return;
    }
  }

  /**
   * A transaction that applies at once in memory and persists through `persist`
   * on commit. Only the last version of each object is kept for persistence and
   * only the first for undo, so a full sync touching an object five times
   * holds it twice, not ten times.
   */
  protected transaction(persist: (ops: Op[]) => Promise<void>, reload?: () => Promise<void>, undoLimit = Infinity): StoreTransaction {
    const latest = new Map<string, Op>();
    const undo = new Map<string, Op>();
    const runs: RunRecord[] = [];
    let done = false;
    this.openTransactions++;
    // Past the limit, old versions are not kept (a full sync would hold the store twice): rollback reloads from disk.
    let overflow = false;
    const record = (key: string, op: Op, inverse: () => Op) => {
      if (done) throw new Error('store: transaction already finished');
      if (!overflow && !undo.has(key)) {
        if (reload && undo.size >= undoLimit) { overflow = true; undo.clear(); }
        else undo.set(key, inverse());
      }
      latest.set(key, op);
      this.apply(op);
    };
    return {
      putCs: (o) => record(`c\0${o.agent}\0${o.id}`, ['cs', o.agent, o.id, o], () => ['cs', o.agent, o.id, this.spaces.get(o.agent)?.get(o.id) ?? null]),
      deleteCs: (agent, id) => record(`c\0${agent}\0${id}`, ['cs', agent, id, null], () => ['cs', agent, id, this.spaces.get(agent)?.get(id) ?? null]),
      putMv: (m) => record(`m\0${m.id}`, ['mv', m.id, m], () => ['mv', m.id, this.mvById.get(m.id) ?? null]),
      deleteMv: (id) => record(`m\0${id}`, ['mv', id, null], () => ['mv', id, this.mvById.get(id) ?? null]),
      setMeta: (k, v) => record(`k\0${k}`, ['meta', k, v], () => ['meta', k, this.metaData.get(k) ?? null]),
      addRun: (r) => {
        if (done) throw new Error('store: transaction already finished');
        runs.push(r);
        this.apply(['run', r]);
      },
      commit: async () => {
        if (!done) this.openTransactions--;
        done = true;
        await persist([...latest.values(), ...runs.map((r): Op => ['run', r])]);
      },
      rollback: async () => {
        if (done) return;
        done = true;
        this.openTransactions--;
        if (overflow && reload) return reload();
        for (const op of undo.values()) this.apply(op);
        if (runs.length) for (const r of this.runList.splice(this.runList.length - runs.length, runs.length)) this.runIds.delete(r.id);
      },
    };
  }
}

/** A store that keeps nothing on disk: for tests and previews. */
export class MemoryStore extends StoreState {
  readonly location = ':memory:';
  begin(): StoreTransaction { return this.transaction(async () => {}); }
  async close(): Promise<void> {}
}
