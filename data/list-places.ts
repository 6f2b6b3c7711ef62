/**
 * A long list less the values at some places, and where a few values are in
 * it. A department group's 10,000 members are changed by a few values at a
 * time; testing each member against a Set of the few, in a callback, was
 * most of applying those changes at 100,000 people. These walk the list
 * natively (`indexOf`, `includes`) or once against the places in order.
 */

/** Values past this many are looked for with a Set by the callers: one walk of the list for them all. */
export const FEW = 16;

/** `list` less the values at `places` (in any order; repeats, and places outside the list, count for nothing). */
export function withoutPlaces<T>(list: readonly T[], places: readonly number[]): T[] {
  if (!places.length) return list.slice();
  const sorted = places.every((p, j) => j === 0 || places[j - 1]! < p) ? places : [...places].sort((a, b) => a - b);
  const out: T[] = [];
  let r = 0;
  for (let i = 0; i < list.length; i++) {
    while (r < sorted.length && sorted[r]! < i) r++;
    if (sorted[r] !== i) out.push(list[i]!);
  }
  return out;
}

/**
 * Every place of each of `values` in `list`, compared as a Set compares
 * (SameValueZero); null when `values` are more than FEW, or hold NaN, which
 * `indexOf` never finds: the caller uses a Set then.
 */
export function placesOf(list: readonly unknown[], values: readonly unknown[]): number[] | null {
  if (values.length > FEW || values.some((v) => v !== v)) return null;
  const places: number[] = [];
  for (const v of values) for (let i = list.indexOf(v); i >= 0; i = list.indexOf(v, i + 1)) places.push(i);
  return places;
}

/**
 * Which of a few strings `list`, a list of strings, holds: each looked for
 * natively. Null when `values` are more than FEW, or either list holds
 * anything but strings: a caller that compares values by their text uses a
 * Set of texts then.
 */
export function heldAmong(list: readonly unknown[], values: readonly unknown[]): Set<string> | null {
  const strings = (xs: readonly unknown[]): xs is readonly string[] => xs.every((x) => typeof x === 'string');
  if (values.length > FEW || !strings(values) || !strings(list)) return null;
  const held = new Set<string>();
  for (const v of values) if (list.includes(v)) held.add(v);
  return held;
}
