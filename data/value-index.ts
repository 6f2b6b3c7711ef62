/**
 * Value → ids indexes kept in step with writes. Each keeps the values it
 * indexed per id, so re-indexing an object never needs its old version: a
 * store that keeps objects on disk would otherwise read every old object it
 * replaces.
 * - CsValueIndex: every value a connector object holds or is about to hold for
 *   one attribute (hologram, unconfirmed and pending export): what
 *   SelectUniqueValue must not hand out again. A superset: the engine checks
 *   the candidates it gets.
 * - MvValueIndex: metaverse objects of one type by one attribute, for joins.
 */
import { asArray, type AttrValue, type Scalar } from './model.ts';
import { isValueChanges, type CsObject, type MvObject } from './objects.ts';
import { normalizeKey } from './store.ts';
import { FrozenTable, FrozenTableWriter, stringHash } from './frozen-table.ts';

/** One id, or several: most values name one object, and a Set per value would double the index. */
type Ids = string | Set<string>;
/** An id's values: one, several, or (a long id's) made when first asked for. */
type Values = string | readonly string[] | (() => readonly string[]);
/** An id and the values indexed for it, as a snapshot keeps it: one value, or several. */
export type IndexRow = [string, string | readonly string[]];

/** Ids with this many values or more are kept out of the value map (a department group's members). */
const LONG = 256;
/** At most this many such ids: each lookup asks every one of them. */
const MAX_LONG = 64;

abstract class ValueIndex<T> {
  /** Value → id as a snapshot froze it; an id indexed since is in the maps, which then override it. */
  #base: FrozenTable | null = null;
  readonly #byValue = new Map<string, Ids>();
  readonly #byId = new Map<string, Values>();
  /**
   * Ids whose values are too many to put in the value map one by one, each
   * with a set of them made at the first lookup. Re-indexing a group of
   * 10,000 members then costs no map entry per member: a delta re-indexed
   * each changed group whole when opening the store and again in its sync.
   */
  readonly #long = new Map<string, Set<string> | null>();
  constructor(readonly type: string, readonly attribute: string, private readonly long = LONG) {}

  protected abstract valuesOf(o: T): string[];
  /** How many values the object holds before they are normalized (repeats counted); 0 where that cannot be told cheaply. */
  protected abstract count(o: T): number;

  /**
   * Re-indexes one object; `o` undefined when it is gone. `before`: the
   * version it replaces, where the store holds it parsed. The index holds
   * that version's values: if `o` holds the same, nothing changes. Without
   * it, an id held only by the snapshot's base went into the maps: a full
   * sync rewrites every object, most with their indexed values unchanged, and
   * so copied every id of every index into the maps (measured at 100,000
   * people: the directory's full sync took 20.4 s rather than 22.2 s, median
   * of four alternating runs, with 170 MB less peak RSS).
   */
  update(id: string, o: T | undefined, before?: T): void {
    // A long id's values are normalized when first asked for (a lookup, a snapshot): a department group's 10,000
    // members were normalized and put in a set at every write of the group, at each open and in each sync.
    if (o && this.count(o) >= this.long && this.mayBeLong(id)) { this.makeLong(id, () => this.valuesOf(o)); return; }
    const values = o ? this.valuesOf(o) : [];
    // An id the maps hold is compared with what they hold (`set`); one they do not has the base's values, `before`'s.
    if (before && o && !this.#byId.has(id) && sameValues(this.valuesOf(before), values)) return;
    this.set(id, values);
  }

  /** Whether the id may be held apart from the value map: it is, or there is room for one more (MAX_LONG). */
  private mayBeLong(id: string): boolean { return this.#long.has(id) || this.#long.size < MAX_LONG; }

  /** Holds the id's values apart from the value map, asked at each lookup: its values before leave the map. */
  private makeLong(id: string, values: Values): void {
    if (!this.#long.has(id) && this.#byId.has(id)) for (const v of this.valuesAt(id)) this.drop(v, id);
    this.#byId.set(id, values);
    this.#long.set(id, null);
  }

  /** The id's values, made now if they were left to be made (`update`). */
  private valuesAt(id: string): readonly string[] {
    const v = this.#byId.get(id);
    return typeof v === 'function' ? this.made(id, v) : v === undefined ? [] : typeof v === 'string' ? [v] : v;
  }

  /** A long id's values, made now from what `update` left, and kept. */
  private made(id: string, make: () => readonly string[]): readonly string[] {
    const made = make();
    this.#byId.set(id, made);
    return made;
  }

  private set(id: string, values: readonly string[]): void {
    const held = this.#byId.get(id);
    const old = typeof held === 'function' ? this.valuesAt(id) : held;
    // Most writes leave an object's indexed values as they were: then there is nothing to drop and add again.
    if (old !== undefined && (typeof old === 'string' ? values.length === 1 && values[0] === old : sameValues(old, values))) return;
    if (values.length >= this.long && this.mayBeLong(id)) { this.makeLong(id, values); return; }
    // Over a frozen base an id keeps its entry, empty if need be, so that the base's values for it no longer count.
    if (!values.length && !this.#base) this.#byId.delete(id);
    else this.#byId.set(id, values.length === 1 ? values[0]! : values);
    // Held apart until now: none of its old values is in the value map.
    if (this.#long.delete(id)) { for (const v of values) this.add(v, id); return; }
    if (typeof old === 'object' && old.length > 16) {
      // A group's 10,000 members change by a few: only those are dropped and added. One set of the values
      // before (each list holds a value once), emptied by the values after: what is left is dropped.
      const left = new Set(old);
      for (const v of values) if (!left.delete(v)) this.add(v, id);
      for (const v of left) this.drop(v, id);
      return;
    }
    if (old !== undefined) for (const v of typeof old === 'string' ? [old] : old) this.drop(v, id);
    for (const v of values) this.add(v, id);
  }

  /**
   * What the index holds for `id` since its base, for a saved last version
   * (saved-index-values.ts): its values; null where the base answers for it;
   * undefined where they are left to be made. Without a base (rows a catalog
   * of an older store filled the maps with), an id not held holds none: that
   * is said, as the next open fills the maps with the rows again.
   */
  held(id: string): readonly string[] | null | undefined {
    const v = this.#byId.get(id);
    if (v === undefined) return this.#base ? null : [];
    if (typeof v === 'function' || this.#long.has(id)) return undefined;
    return typeof v === 'string' ? [v] : v;
  }

  /** Indexes `values` for `id`, as indexing an object that holds them would (a replay's saved last version). */
  restore(id: string, values: readonly string[]): void { this.set(id, values); }

  private add(v: string, id: string): void {
    const ids = this.#byValue.get(v);
    if (ids === undefined) this.#byValue.set(v, id);
    else if (typeof ids === 'string') { if (ids !== id) this.#byValue.set(v, new Set([ids, id])); }
    else ids.add(id);
  }

  private drop(v: string, id: string): void {
    const ids = this.#byValue.get(v);
    if (ids === id) this.#byValue.delete(v);
    else if (typeof ids === 'object') ids.delete(id);
  }

  /** What a snapshot keeps, so that the next run does not read every object to rebuild it: the base less the ids indexed since, then those. */
  frozen(): FrozenTableWriter {
    const w = new FrozenTableWriter();
    if (this.#base) for (const [v, id] of this.#base.entries()) if (!this.#byId.has(id)) w.add(stringHash(v), v, id);
    // The map's entries as they come, not each id looked up again with an array made for its one value: the
    // index tables of the snapshot closing a 100,000-person full cycle took 2.17 s rather than 2.33 (medians of four).
    for (const [id, held] of this.#byId) {
      if (typeof held === 'string') w.add(stringHash(held), held, id);
      else for (const v of typeof held === 'function' ? this.made(id, held) : held) w.add(stringHash(v), v, id);
    }
    return w;
  }

  /**
   * Fills a new index from a snapshot: its frozen table, looked up in place,
   * or the rows of a catalog written before those. `shared` gives the store's
   * own copy of an id, so that the index does not hold another.
   */
  load(source: readonly IndexRow[] | FrozenTable, shared: (id: string) => string | undefined): void {
    if (source instanceof FrozenTable) {
      if (this.#base || this.#byId.size) throw new Error(`store: the ${this.type} ${this.attribute} index is loaded twice`);
      this.#base = source;
      return;
    }
    for (const [id, v] of source) {
      const own = shared(id) ?? id;
      // A snapshot names each id once: an id not yet indexed needs no old values dropped.
      if (this.#byId.has(own)) { this.set(own, typeof v === 'string' ? [v] : v); continue; }
      this.#byId.set(own, v);
      if (typeof v === 'string') this.add(v, own);
      else for (const x of v) this.add(x, own);
    }
  }

  /** `value` already normalized by the caller's rule (see the subclasses). */
  protected lookup(value: string): string[] {
    const out: string[] = [];
    if (this.#base) for (const id of this.#base.get(stringHash(value), value)) if (!this.#byId.has(id)) out.push(id);
    const ids = this.#byValue.get(value);
    if (ids !== undefined) out.push(...(typeof ids === 'string' ? [ids] : ids));
    for (const [id, set] of this.#long) if ((set ?? this.valuesSet(id)).has(value)) out.push(id);
    return out;
  }

  private valuesSet(id: string): Set<string> {
    const set = new Set(this.valuesAt(id));
    this.#long.set(id, set);
    return set;
  }
}

const sameValues = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Each value once, in order. */
const distinct = (values: string[]): string[] => (values.length < 2 ? values : [...new Set(values)]);
const lowerCase = (v: Scalar): string => String(v).toLowerCase();

/**
 * An attribute's values normalized: most indexed attributes hold one, made
 * into an array of one without the copies and the set that several need
 * (every write of an object updates each index of its store: 70 MB of sets
 * in a full cycle at 10,000 people).
 */
function keysOf(v: AttrValue | null | undefined, normalize: (v: Scalar) => string): string[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? distinct(v.map(normalize)) : [normalize(v)];
}

export class CsValueIndex extends ValueIndex<CsObject> {
  protected valuesOf(o: CsObject): string[] {
    if (o.objectType !== this.type) return [];
    const u = o.unconfirmed?.[this.attribute];
    const c = o.pendingExport?.changes[this.attribute];
    if (u === undefined && !c) return keysOf(o.hologram[this.attribute], lowerCase);
    const out = [...asArray(o.hologram[this.attribute]), ...(isValueChanges(u) ? u.add : asArray(u))];
    if (c) out.push(...(c.op === 'replace' ? asArray(c.value) : c.add));
    return distinct(out.map(lowerCase));
  }

  // Its values come from three places: a long id is told by its normalized values (`set`), as before.
  protected count(): number { return 0; }

  ids(value: string): string[] { return this.lookup(value.toLowerCase()); }
}

export class MvValueIndex extends ValueIndex<MvObject> {
  protected valuesOf(m: MvObject): string[] {
    return m.objectType === this.type ? keysOf(m.attrs[this.attribute], normalizeKey) : [];
  }

  protected count(m: MvObject): number {
    if (m.objectType !== this.type) return 0;
    const v = m.attrs[this.attribute];
    return Array.isArray(v) ? v.length : v === null || v === undefined ? 0 : 1;
  }

  ids(value: string | number | boolean): string[] { return this.lookup(normalizeKey(value)); }
}
