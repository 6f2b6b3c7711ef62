/**
 * A long list less the values at some places, and where a few values are in
 * it. A department group's 10,000 members are changed by a few values at a
 * time; testing each member against a Set of the few, in a callback, was
 * most of applying those changes at 100,000 people. These walk the list
 * natively (`indexOf`, `includes`) or once against the places in order.
 */

/** Values past this many are looked for with a Set by the callers: one walk of the list for them all. */
export const FEW = 16;

/** Up to this many places, each is cut from a copy by `splice`, which moves the rest of the list at each. */
const SPLICED = 64;

/**
 * `list` less the values at `places` (in any order; repeats, and places
 * outside the list, count for nothing), then `appended`. Made as a copy of
 * the list's start cut to the length it will have, then written over from the
 * first place on: pushing value by value grew it, about three lists' worth of
 * memory for one, and a department group's members (10,000 at 100,000
 * people) were a sixth of what a delta's departments step allocated.
 */
export function withoutPlaces<T>(list: readonly T[], places: readonly number[], appended: readonly T[] = []): T[] {
  // Only places in the list count, sorted for one walk (a new array: sorted in place).
  const valid = places.filter((p) => Number.isInteger(p) && p >= 0 && p < list.length);
  const sorted = valid.every((p, j) => j === 0 || valid[j - 1]! < p) ? valid : valid.sort((a, b) => a - b);
  let gone = 0;
  for (let j = 0; j < sorted.length; j++) if (j === 0 || sorted[j - 1] !== sorted[j]) gone++;
  if (!gone) return list.concat(appended);
  if (gone <= SPLICED) {
    // A few places, each cut natively: the walk below runs interpreted in a delta's short-lived process, and so
    // took 9-22 ms for the 57 lists of the 100-person delta at 100,000 people (2 ms at 10,000). Cold, for lists of
    // 10,000 with 1-36 places (scratch benchmark): 6-7 against 13-20 ms; warm 1.4 against 3.0 ms.
    const out = appended.length ? list.concat(appended) : list.slice();
    for (let j = sorted.length - 1; j >= 0; j--) if (j === sorted.length - 1 || sorted[j] !== sorted[j + 1]) out.splice(sorted[j]!, 1);
    return out;
  }
  // The list's kind of array (packed, of its values), its length cut to what is kept and appended where the list is long enough.
  const out = list.slice(0, Math.min(list.length, list.length - gone + appended.length));
  // The values before the first place are where they were in the copy.
  let w = sorted[0]!;
  let r = 0;
  for (let i = w; i < list.length; i++) {
    while (r < sorted.length && sorted[r]! < i) r++;
    if (sorted[r] !== i) out[w++] = list[i]!;
  }
  // Past the copy's end, each write is at its length: the list grows by one and stays packed.
  for (const v of appended) out[w++] = v;
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
