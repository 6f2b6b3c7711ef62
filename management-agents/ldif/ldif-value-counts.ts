/**
 * How many of the entries a directory holds in memory have each value of the
 * attributes `hasValue` checks. Counted on the first check of an attribute and
 * kept up to date as entries change; the saved index answers for the rest.
 */
import { asArray } from '../../data/model.ts';
import type { LdifEntry } from './ldif-format.ts';

/** Attribute names in lower case, remembered: 100,000 entries spell the same few names. */
const lowerNames = new Map<string, string>();
function lowerName(k: string): string {
  let l = lowerNames.get(k);
  if (l === undefined) lowerNames.set(k, (l = k.toLowerCase()));
  return l;
}

export class ValueCounts {
  /** attribute (lower case) → value (lower case) → how many entries hold it. */
  readonly #counts = new Map<string, Map<string, number>>();

  clear(): void { this.#counts.clear(); }

  /** Whether an entry holds `value` (lower case) in `attribute` (lower case); the first check of an attribute counts `entries`. */
  holds(attribute: string, value: string, entries: () => Iterable<LdifEntry>): boolean {
    let counts = this.#counts.get(attribute);
    if (!counts) {
      counts = new Map();
      this.#counts.set(attribute, counts);
      for (const e of entries()) count(counts, e, attribute, 1);
    }
    return (counts.get(value) ?? 0) > 0;
  }

  /** Counts an entry in (1) or out (-1) for every attribute counted so far. */
  add(e: LdifEntry | undefined, by: 1 | -1): void {
    if (e) for (const [a, counts] of this.#counts) count(counts, e, a, by);
  }
}

function count(counts: Map<string, number>, e: LdifEntry, attribute: string, by: number): void {
  for (const k in e.attrs) {
    if (lowerName(k) !== attribute) continue;
    for (const x of asArray(e.attrs[k])) {
      const key = String(x).toLowerCase();
      counts.set(key, (counts.get(key) ?? 0) + by);
    }
  }
}
