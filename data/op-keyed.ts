/**
 * A transaction's values by the object an op writes (a connector by agent and
 * id, a metaverse object by id, a meta key), in the order the objects were
 * first written.
 *
 * Why not one Map keyed by `c\0agent\0id`: that made and hashed a new string
 * at every write. A full sync writes some 400,000 times at 100,000 people; in
 * its CPU profile the two maps of such keys took 1.5 s of self time. The ids
 * are strings the objects already hold, hashed once.
 */
import type { Op } from './store-state.ts';

/** An op that writes an object or a meta key: every op but a run record. */
export type Keyed = Exclude<Op, readonly ['run', unknown]>;

/** The object's key within its map: a connector's id (its agent picks the map), else the op's first field. */
const keyOf = (op: Keyed): string => (op[0] === 'cs' ? op[2] : op[1]);

export class OpKeyed<T> {
  readonly #cs = new Map<string, Map<string, number>>();
  readonly #mv = new Map<string, number>();
  readonly #meta = new Map<string, number>();
  /** The values in the order their objects were first set; a later set replaces in place. */
  readonly #values: T[] = [];

  get size(): number { return this.#values.length; }

  /** The values, in the order their objects were first set. */
  values(): readonly T[] { return this.#values; }

  has(op: Keyed): boolean { return this.#index(op, false)?.has(keyOf(op)) === true; }

  set(op: Keyed, value: T): void {
    const map = this.#index(op, true)!;
    const key = keyOf(op);
    const at = map.get(key);
    if (at === undefined) {
      map.set(key, this.#values.length);
      this.#values.push(value);
    } else this.#values[at] = value;
  }

  /** Sets the value of the op's object unless it has one, making it (`make`) only then: one lookup, not `has` and `set`. */
  setFirst(op: Keyed, make: () => T): void {
    const map = this.#index(op, true)!;
    const key = keyOf(op);
    if (map.has(key)) return;
    map.set(key, this.#values.length);
    this.#values.push(make());
  }

  /** The map holding the op's object; made for a new agent when `make`. */
  #index(op: Keyed, make: boolean): Map<string, number> | undefined {
    if (op[0] === 'mv') return this.#mv;
    if (op[0] === 'meta') return this.#meta;
    let map = this.#cs.get(op[1]);
    if (!map && make) this.#cs.set(op[1], (map = new Map()));
    return map;
  }
}
