/**
 * One agent's connector space as the store holds it: a slot per object, and
 * the lookups every step needs (anchor, DN, pending import and export) kept
 * beside the slots, so that finding an object reads only that object.
 */
import type { CsObject } from './objects.ts';
import { parsedText, restoreSaved, savedTriples, UnchangedTexts } from './saved-index-values.ts';
import { CsValueIndex, type IndexRow } from './value-index.ts';
import { DnIndex, dnKey } from './dn-index.ts';
import { FrozenTableWriter, type FrozenTable } from './frozen-table.ts';
import { IN_MEMORY, type Slot } from './slot.ts';
import { SlotMap, type SlotTables } from './slot-map.ts';
import type { ConnectorRef, ConnectorSpaceView } from './store.ts';

/** A connector object's slot, with what lookups, unlinking and references need without reading it. */
export interface CsSlot extends Slot<CsObject>, ConnectorRef {
  readonly id: string;
  readonly anchor: string | null;
  readonly dn: string;
  readonly mvId: string | null;
  readonly newDn: string | null;
  readonly pendingAdd: boolean;
  readonly placeholder: boolean;
  readonly cleanDigest: string | null;
  /** A delete or disable waits to be exported; null where a catalog from before this field does not say. */
  readonly pendingDelete: boolean | null;
}

const isDelete = (o: CsObject) => o.pendingExport?.op === 'delete' || !!o.pendingExport?.disable;

export const csSlot = (o: CsObject): CsSlot => ({
  obj: o, file: IN_MEMORY, off: 0, len: 0, id: o.id, anchor: o.anchor, dn: o.dn, mvId: o.mvId, newDn: o.pendingExport?.newDn ?? null, pendingAdd: o.pendingExport?.op === 'add',
  placeholder: o.state === 'placeholder',
  cleanDigest: o.pendingImport || o.unconfirmed || o.importError || o.state === 'placeholder' ? null : o.importDigest,
  pendingDelete: isDelete(o),
});

/** Whether the object belongs in the pending import and pending export lists. */
export const pendingOf = (o: CsObject) => ({ importing: !!o.pendingImport, exporting: !!(o.pendingExport || o.unconfirmed) });

export class ConnectorSpace implements ConnectorSpaceView {
  /**
   * Slots by id, and the slot holding each anchor and each metaverse id: the
   * slot itself, so that resolving a group's members reads no member and is
   * one lookup per member.
   */
  readonly slots = new SlotMap();
  /** Ids by DN; built on the first lookup by DN, as many spaces are only ever looked up by anchor. */
  #dns: DnIndex | null = null;
  readonly importing = new Set<string>();
  readonly exporting = new Set<string>();
  /** objectType\0attribute → values held, for SelectUniqueValue; built on first `find`. */
  private readonly valueIndexes = new Map<string, CsValueIndex>();
  readonly #unchanged = new UnchangedTexts(() => this.valueIndexes.values(), false);

  constructor(private readonly load: (slot: Slot<CsObject>) => CsObject) {}

  get(id: string): CsObject | undefined {
    const s = this.slots.get(id);
    return s && (s.obj ?? this.load(s));
  }
  byAnchor(anchor: string) { const s = this.slots.byAnchor(anchor); return s && (s.obj ?? this.load(s)); }
  byDn(dn: string) { const id = this.idByDn(dn); return id === undefined ? undefined : this.get(id); }
  refByDn(dn: string): ConnectorRef | undefined { const id = this.idByDn(dn); return id === undefined ? undefined : this.slots.get(id); }
  private idByDn(dn: string): string | undefined {
    if (!this.#dns) {
      this.#dns = new DnIndex();
      for (const [id, s] of this.slots) this.#dns.add(s.dn, id);
    }
    return this.#dns.find(dn, this.dnOf);
  }
  private readonly dnOf = (id: string) => this.slots.get(id)?.dn;

  /**
   * The DN index, if a lookup built it, as a snapshot keeps it: its hashes
   * and ids; over a table from a snapshot, every slot's DN hashed again.
   */
  dnTable(): FrozenTableWriter | null {
    if (!this.#dns) return null;
    const w = new FrozenTableWriter();
    const held = this.#dns.entries();
    if (held) for (const [k, id] of held) w.add(k, '', id);
    else for (const [id, s] of this.slots) w.add(dnKey(s.dn), '', id);
    return w;
  }

  /** Takes the DN index from a snapshot; after every slot is restored, before the journal's changes. */
  loadDnTable(table: FrozenTable): void { this.#dns = new DnIndex(table); }
  refByAnchor(anchor: string): ConnectorRef | undefined { return this.slots.byAnchor(anchor); }
  importedIds(): string[] {
    const out: string[] = [];
    for (const [id, s] of this.slots) if (s.anchor !== null && !s.placeholder) out.push(id);
    return out;
  }
  *values(): IterableIterator<CsObject> { for (const s of this.slots.values()) yield s.obj ?? this.load(s); }
  ids() { return [...this.slots.keys()]; }
  joinedTo(mvId: string): ConnectorRef | undefined { return this.slots.byMv(mvId); }
  pendingImportIds() { return [...this.importing]; }

  find(objectType: string, attribute: string, value: string): CsObject[] {
    return this.indexOf(objectType, attribute).ids(value).map((id) => this.get(id)!).filter(Boolean);
  }
  /** The value indexes built so far, for a snapshot. */
  indexes(): IterableIterator<CsValueIndex> { return this.valueIndexes.values(); }

  /** Loads an index kept by a snapshot; after every slot is restored. */
  loadIndex(objectType: string, attribute: string, rows: readonly IndexRow[] | FrozenTable): void {
    this.indexOf(objectType, attribute, rows);
  }

  /** A value index; a new one is filled from the snapshot's table (or rows) when opening, else from every object. */
  private indexOf(objectType: string, attribute: string, rows?: readonly IndexRow[] | FrozenTable): CsValueIndex {
    const key = `${objectType}\0${attribute}`;
    let index = this.valueIndexes.get(key);
    if (!index) {
      this.valueIndexes.set(key, (index = new CsValueIndex(objectType, attribute)));
      if (!rows) for (const [id, s] of this.slots) index.update(id, s.obj ?? this.load(s));
    }
    if (rows) index.load(rows, (id) => this.slots.get(id)?.id);
    return index;
  }

  withPendingExport() { return [...this.exporting].map((id) => this.get(id)!); }
  pendingExportIds() { return [...this.exporting]; }
  pendingDeletes(): number {
    let n = 0;
    for (const id of this.exporting) if (this.deleting(this.slots.get(id)!)) n++;
    return n;
  }
  /** Whether the slot's object waits to be deleted or disabled; read only for a slot from an older catalog. */
  deleting(s: CsSlot): boolean { return s.pendingDelete ?? isDelete(s.obj ?? this.load(s)); }
  get size() { return this.slots.size; }
  sizeRange() { return this.slots.sizeRange(); }

  /** Holds `obj` in memory until the store writes it out; returns its slot. `replaced` is told the slot it replaces, if any. */
  put(obj: CsObject, replaced?: (old: CsSlot | undefined, slot: CsSlot) => void): CsSlot {
    const slot = csSlot(obj);
    const { importing, exporting } = pendingOf(obj);
    const old = this.link(obj.id, slot, importing, exporting);
    // update() replaces the object's old values itself: no separate removal first.
    for (const index of this.valueIndexes.values()) index.update(obj.id, obj, old?.obj);
    replaced?.(old, slot);
    return slot;
  }

  /** Whether a value index covers objects of this type: then restoring one needs the object. */
  indexesType(objectType: string): boolean {
    for (const index of this.valueIndexes.values()) if (index.type === objectType) return true;
    return false;
  }

  /**
   * Puts back a slot read from a checkpoint or kept for undo. The value
   * indexes need the object, so it is read only when one exists; or, given
   * the object's type, only when one covers that type. `once`: the id is not
   * in the space yet (a catalog names each object once), so nothing is unlinked.
   */
  restore(id: string, slot: CsSlot, importing: boolean, exporting: boolean, objectType?: string, once = false, saved?: string): void {
    // A slot over a snapshot's row or nothing: neither is looked up (SlotMap.putBack), and the row's DN
    // stops answering once its id has another slot (dn-index.ts checks each).
    this.link(id, slot, importing, exporting, once ? 'once' : this.slots.held(id) === undefined ? 'putBack' : 'set');
    // The values its indexes held, saved with a journal's last version: the object is not read for them.
    if (objectType !== undefined && saved !== undefined && (this.#unchanged.typeOf(saved) !== undefined || restoreSaved(id, objectType, parsedText(saved), this.valueIndexes.values()))) return;
    if (objectType !== undefined ? this.indexesType(objectType) : this.valueIndexes.size) {
      const obj = slot.obj ?? this.load(slot);
      for (const index of this.valueIndexes.values()) index.update(id, obj);
    }
  }

  /** What `journal.last` saves with the object's last version: what the value indexes hold for it (saved-index-values.ts); '' for none. */
  savedText(id: string): string {
    const triples = this.valueIndexes.size ? savedTriples(id, this.valueIndexes.values()) : null;
    return triples ? JSON.stringify(triples) : '';
  }

  /**
   * Puts back a snapshot's `count` rows, each made by `decode` when first
   * looked up, with the ids pending import and export, which the catalog
   * lists beside them. Before any value index is loaded: one would need every object.
   */
  restoreRows(count: number, decode: (row: number) => CsSlot, importing: readonly string[], exporting: readonly string[]): void {
    if (this.valueIndexes.size || this.#dns) throw new Error('store: a connector space\'s rows are restored before its indexes');
    this.slots.restoreLazy(count, decode);
    for (const id of importing) this.importing.add(id);
    for (const id of exporting) this.exporting.add(id);
  }

  remove(id: string): void {
    if (!this.slots.has(id)) return;
    this.unlink(id);
    for (const index of this.valueIndexes.values()) index.update(id, undefined);
  }

  /**
   * `set`: over what the id held, unlinked first (returned). `once`: a
   * snapshot's row, its lookups coming with the snapshot's tables, or made
   * once every row is in. `putBack`: over a snapshot's row or nothing, neither
   * looked up (only the pending sets forget the row's flags).
   */
  private link(id: string, slot: CsSlot, importing: boolean, exporting: boolean, how: 'set' | 'once' | 'putBack' = 'set'): CsSlot | undefined {
    const old = how === 'set' ? this.unlink(id, slot.dn) : undefined;
    if (how === 'once') this.slots.restore(slot);
    else if (how === 'set') this.slots.set(slot, true);
    else {
      this.importing.delete(id);
      this.exporting.delete(id);
      this.slots.putBack(slot);
    }
    if (old?.dn === slot.dn) this.#dns?.readd(slot.dn, id);
    else this.#dns?.add(slot.dn, id);
    if (importing) this.importing.add(id);
    if (exporting) this.exporting.add(id);
    return old;
  }

  /**
   * Drops the object from the id, anchor, DN and pending indexes (not the value indexes); returns its slot.
   * `dn`: the DN its next slot has, left to `DnIndex.readd`: most writes keep it.
   */
  private unlink(id: string, dn?: string): CsSlot | undefined {
    const old = this.slots.unset(id);
    if (!old) return undefined;
    this.importing.delete(id);
    this.exporting.delete(id);
    if (old.dn !== dn) this.#dns?.remove(old.dn, id);
    return old;
  }

  /** Ends a restore: the rows' lookups from the snapshot's tables, or (without them) made now. */
  settle(tables: SlotTables<FrozenTable> | null = null): void { this.slots.settle(tables); }
}
