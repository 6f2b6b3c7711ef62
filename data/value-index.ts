/**
 * Every value a connector object holds or is about to hold for one attribute
 * (hologram, unconfirmed and pending export): what SelectUniqueValue must not
 * hand out again. Built on first use and kept in step with writes, so a delta
 * sync that provisions a few people does not scan the target's connector space.
 * A superset: the engine checks the candidates it gets.
 */
import { asArray } from './model.ts';
import type { CsObject } from './objects.ts';

export class CsValueIndex {
  readonly #byValue = new Map<string, Set<string>>();
  readonly #byId = new Map<string, readonly string[]>();
  constructor(readonly type: string, readonly attribute: string) {}

  private valuesOf(o: CsObject): string[] {
    if (o.objectType !== this.type) return [];
    const out = [...asArray(o.hologram[this.attribute]), ...asArray(o.unconfirmed?.[this.attribute])];
    const c = o.pendingExport?.changes[this.attribute];
    if (c) out.push(...(c.op === 'replace' ? asArray(c.value) : c.add));
    return [...new Set(out.map((v) => String(v).toLowerCase()))];
  }

  /** Re-indexes one object; `o` undefined when it is gone. */
  update(id: string, o: CsObject | undefined): void {
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

  ids(value: string): string[] { return [...(this.#byValue.get(value.toLowerCase()) ?? [])]; }
}
