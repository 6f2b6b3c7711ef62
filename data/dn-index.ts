/**
 * Connector objects by DN, case-insensitively, keyed by a number: the hash of
 * the DN as `toLowerCase` gives it, computed without making that string.
 * Lower-casing 100,000 DNs into a map's keys took 0.4 s of a delta sync at
 * 100,000 people (it is built on the first lookup by DN, which provisioning
 * makes), most of it collecting the strings in a large heap.
 */
import type { FrozenTable } from './frozen-table.ts';

/** Each UTF-16 unit's lower case where it is one unit and context-free; SPECIAL otherwise; 0 not yet known. */
const fold = new Uint16Array(65536);
const SPECIAL = 0xffff;

function folded(c: number): number {
  let f = fold[c]!;
  if (f === 0) {
    const lower = String.fromCharCode(c).toLowerCase();
    // Surrogates lower-case as pairs, capital sigma by its place in a word, and some letters into two units.
    f = (c >= 0xd800 && c <= 0xdfff) || c === 0x3a3 || lower.length !== 1 ? SPECIAL : lower.charCodeAt(0);
    fold[c] = f;
  }
  return f;
}

const mix = (h: number, c: number) => Math.imul(h ^ c, 0x01000193);

/** A hash of `dn.toLowerCase()`: equal for DNs that differ only in case. */
export function dnKey(dn: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < dn.length; i++) {
    let c = dn.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    else if (c >= 128 && (c = folded(c)) === SPECIAL) {
      const lower = dn.toLowerCase();
      h = 0x811c9dc5;
      for (let j = 0; j < lower.length; j++) h = mix(h, lower.charCodeAt(j));
      return h;
    }
    h = mix(h, c);
  }
  return h;
}

export class DnIndex {
  /** Hash → the id, or the ids in the order they were added. */
  readonly #ids = new Map<number, string | string[]>();

  /**
   * @param base the index as a snapshot froze it (hash → ids), older than
   * anything added since. It is never changed: what it names is checked
   * against the slot's DN now, as every find does.
   */
  constructor(private readonly base: FrozenTable | null = null) {}

  add(dn: string, id: string): void {
    const k = dnKey(dn);
    const held = this.#ids.get(k);
    if (held === undefined) this.#ids.set(k, id);
    else if (typeof held === 'string') { if (held !== id) this.#ids.set(k, [held, id]); }
    else if (!held.includes(id)) held.push(id);
  }

  /**
   * As `remove` then `add` of one DN, hashed once: most writes of an object
   * keep its DN, and a 1% delta at 100,000 people hashed 20,000 DNs to take
   * each out and put it back. It becomes the last added, as it did.
   */
  readd(dn: string, id: string): void {
    const k = dnKey(dn);
    const held = this.#ids.get(k);
    if (held === undefined) this.#ids.set(k, id);
    else if (typeof held === 'string') { if (held !== id) this.#ids.set(k, [held, id]); }
    else {
      // Two ids or more (`remove` leaves one as a string): moved to the end, or added.
      const at = held.indexOf(id);
      if (at >= 0) held.splice(at, 1);
      held.push(id);
    }
  }

  remove(dn: string, id: string): void {
    const k = dnKey(dn);
    const held = this.#ids.get(k);
    if (held === id) this.#ids.delete(k);
    else if (typeof held === 'object') {
      const rest = held.filter((x) => x !== id);
      if (rest.length) this.#ids.set(k, rest.length === 1 ? rest[0]! : rest);
      else this.#ids.delete(k);
    }
  }

  /**
   * Every [hash, id] held, in the order added for each hash; null over a
   * base, whose entries a find checks rather than keeps up to date.
   */
  entries(): Iterable<[number, string]> | null {
    if (this.base) return null;
    const ids = this.#ids;
    return (function* () {
      for (const [k, held] of ids) for (const id of typeof held === 'string' ? [held] : held) yield [k, id] as [number, string];
    })();
  }

  /** The id last added under `dn` (any case) whose DN, as `dnOf` gives it now, is `dn`. */
  find(dn: string, dnOf: (id: string) => string | undefined): string | undefined {
    const key = dnKey(dn);
    const held = this.#ids.get(key);
    if (held === undefined && !this.base) return undefined;
    const lower = dn.toLowerCase();
    const is = (id: string) => dnOf(id)?.toLowerCase() === lower;
    // Added since the snapshot first, the last added first; then the snapshot's, which are older.
    if (typeof held === 'string') { if (is(held)) return held; }
    else if (held) for (let i = held.length - 1; i >= 0; i--) if (is(held[i]!)) return held[i];
    const base = this.base?.get(key, '');
    if (base) for (let i = base.length - 1; i >= 0; i--) if (is(base[i]!)) return base[i];
    return undefined;
  }
}
