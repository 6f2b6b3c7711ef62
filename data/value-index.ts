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
import { asArray } from './model.ts';
import type { CsObject, MvObject } from './objects.ts';
import { normalizeKey } from './store.ts';

abstract class ValueIndex<T> {
  readonly #byValue = new Map<string, Set<string>>();
  readonly #byId = new Map<string, readonly string[]>();
  constructor(readonly type: string, readonly attribute: string) {}

  protected abstract valuesOf(o: T): string[];

  /** Re-indexes one object; `o` undefined when it is gone. */
  update(id: string, o: T | undefined): void {
    for (const v of this.#byId.get(id) ?? []) this.#byValue.get(v)?.delete(id);
    const values = o ? this.valuesOf(o) : [];
    if (!values.length) { this.#byId.delete(id); return; }
    this.#byId.set(id, values);
    for (const v of values) {
      let ids = this.#byValue.get(v);
      if (!ids) this.#byValue.set(v, (ids = new Set()));
      ids.add(id);
    }
  }

  /** `value` already normalized by the caller's rule (see the subclasses). */
  protected lookup(value: string): string[] { return [...(this.#byValue.get(value) ?? [])]; }
}

export class CsValueIndex extends ValueIndex<CsObject> {
  protected valuesOf(o: CsObject): string[] {
    if (o.objectType !== this.type) return [];
    const out = [...asArray(o.hologram[this.attribute]), ...asArray(o.unconfirmed?.[this.attribute])];
    const c = o.pendingExport?.changes[this.attribute];
    if (c) out.push(...(c.op === 'replace' ? asArray(c.value) : c.add));
    return [...new Set(out.map((v) => String(v).toLowerCase()))];
  }

  ids(value: string): string[] { return this.lookup(value.toLowerCase()); }
}

export class MvValueIndex extends ValueIndex<MvObject> {
  protected valuesOf(m: MvObject): string[] {
    return m.objectType === this.type ? [...new Set(asArray(m.attrs[this.attribute]).map(normalizeKey))] : [];
  }

  ids(value: string | number | boolean): string[] { return this.lookup(normalizeKey(value)); }
}
