/**
 * The store the engine sees. Reads come from memory or, for a store that
 * keeps objects on disk, one object at a time; writes are grouped in a
 * transaction that commits atomically (all of it survives a crash, or none).
 * Walk `ids()` rather than copying `values()` into an array, so that a store
 * reading objects on demand can follow. Only `json-file-store.ts` knows how
 * this is persisted.
 */
import type { CsObject, MvObject, RunRecord } from './objects.ts';
import type { Scalar } from './model.ts';

/** What naming a joined object in a reference needs; a store answers it without reading the object. */
export interface ConnectorRef {
  readonly id: string;
  readonly anchor: string | null;
  readonly dn: string;
  /** The metaverse object it is joined to; null while not joined. */
  readonly mvId: string | null;
  /** A pending rename's new DN: references exported now must already use it. */
  readonly newDn: string | null;
  /** Waiting to be created in the connected system: its identifier comes with this export. */
  readonly pendingAdd: boolean;
  /** The object's import digest while nothing is pending on it (no pending import, unconfirmed export or import error); else null. */
  readonly cleanDigest: string | null;
}

export interface ConnectorSpaceView {
  get(id: string): CsObject | undefined;
  byAnchor(anchor: string): CsObject | undefined;
  /** DNs compare case-insensitively, as directories do. */
  byDn(dn: string): CsObject | undefined;
  /** The object with this anchor, as its slot knows it: no read. */
  refByAnchor(anchor: string): ConnectorRef | undefined;
  /** The object with this DN (any case), as its slot knows it: no read. */
  refByDn(dn: string): ConnectorRef | undefined;
  /** Ids of the objects the connected system named (an anchor, not a placeholder): what a full import compares with. */
  importedIds(): string[];
  /** Each object, read as the walk reaches it. */
  values(): IterableIterator<CsObject>;
  /** Every object id, without reading the objects. */
  ids(): string[];
  /** The connector joined to metaverse object `mvId`, if any. */
  joinedTo(mvId: string): ConnectorRef | undefined;
  /**
   * Objects of `objectType` that hold, or are about to hold (unconfirmed or
   * pending export), `value` in `attribute`, case-insensitively. May return
   * more than that: callers check.
   */
  find(objectType: string, attribute: string, value: string): CsObject[];
  /** Ids of the objects with a pending import: what a delta sync processes, without scanning or reading the space. */
  pendingImportIds(): string[];
  /** Objects with a pending or unconfirmed export: what an export looks at. */
  withPendingExport(): CsObject[];
  /** Ids of the objects `withPendingExport` reads, without reading them: an export reads each once, batch by batch. */
  pendingExportIds(): string[];
  /** How many pending exports delete or disable an object: what the deletion threshold counts, from the slots. */
  pendingDeletes(): number;
  readonly size: number;
  /**
   * Bounds of `size` that ask no table: after a replay, whether an object put
   * back was in the snapshot is looked up only when `size` is read.
   */
  sizeRange(): { readonly min: number; readonly max: number };
}

export interface StoreTransaction {
  putCs(obj: CsObject): void;
  deleteCs(agent: string, id: string): void;
  putMv(obj: MvObject): void;
  deleteMv(id: string): void;
  setMeta(key: string, value: unknown): void;
  addRun(run: RunRecord): void;
  /**
   * The caller is between two units of its work (a sync between two chunks):
   * what it wrote so far will not soon be written again. A large transaction
   * writes its objects out here, not in the middle of a unit, where an object
   * written before and again after (a projected metaverse object, then its
   * attributes) went out twice.
   */
  settled?(): void;
  /** Makes every change of this transaction durable at once. */
  commit(): Promise<void>;
  /** Undoes every change of this transaction, in memory and in what it wrote ahead of its commit. */
  rollback(): Promise<void>;
}

export interface Store {
  readonly location: string;
  cs(agent: string): ConnectorSpaceView;
  agents(): string[];
  mv(id: string): MvObject | undefined;
  mvValues(): IterableIterator<MvObject>;
  readonly mvCount: number;
  /** Metaverse objects of `objectType` whose `attribute` has `value` (case-insensitive for strings). */
  mvFind(objectType: string, attribute: string, value: Scalar): MvObject[];
  /**
   * Builds the index `mvFind` uses for `objectType` and `attribute` now, if
   * it is not built, without looking a value up: a sync does so before it
   * writes anything, so that an empty store builds it empty and a snapshot keeps it.
   */
  mvIndexed(objectType: string, attribute: string): void;
  meta<T>(key: string): T | undefined;
  runs(): readonly RunRecord[];
  begin(): StoreTransaction;
  close(): Promise<void>;
}

export const normalizeKey = (v: Scalar): string => (typeof v === 'string' ? v.toLowerCase() : String(v));
