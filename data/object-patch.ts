/**
 * An object's new version as changes to its version before: what the store
 * journals for a large object (a department group of 10,000 members) that a
 * step changed by a few fields or values. At 100,000 people a delta wrote
 * each changed group's objects whole four to seven times (sync, export,
 * confirming import, sync), 27 MB of the 34 MB it journaled.
 *
 * The engine changes objects by copying them with some fields replaced, so
 * a field the same (===) as before is unchanged; nested records (a
 * hologram, a metaverse object's attrs) are compared field by field; a long
 * list that keeps its values in order, less some, with others appended (how
 * applyValues changes a group's members) is given as the places removed and
 * the values appended. Anything else is given whole.
 */
import { withoutPlaces } from './list-places.ts';

/** Changes from one version of a record to the next. */
export interface Patch {
  /** Fields given whole. */
  readonly set?: Record<string, unknown>;
  /** Fields gone. */
  readonly del?: string[];
  /** Nested records, changed field by field. */
  readonly sub?: Record<string, Patch>;
  /** Long lists: the places (in the list before) removed, and the values appended. */
  readonly list?: Record<string, readonly [readonly number[], readonly unknown[]]>;
  /** The fields' order, where applying the rest would not give it. */
  readonly order?: string[];
}

/** A list shorter than this is given whole. */
const LONG = 64;
/** Nested records are compared this deep (the object, its hologram or attrs). */
const DEPTH = 2;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What changed from `before` to `after`; an empty patch when nothing did. */
export function diffObject(before: Record<string, unknown>, after: Record<string, unknown>, depth = 0): Patch {
  // Without a prototype: a field may be named __proto__, as an attribute may.
  const set: Record<string, unknown> = Object.create(null);
  const sub: Record<string, Patch> = Object.create(null);
  const list: Record<string, readonly [number[], unknown[]]> = Object.create(null);
  const del: string[] = [];
  for (const k in after) {
    const a = before[k];
    const b = after[k];
    if (a === b && Object.hasOwn(before, k)) continue;
    if (depth + 1 < DEPTH && isRecord(a) && isRecord(b)) {
      const p = diffObject(a, b, depth + 1);
      if (!isEmpty(p)) sub[k] = p;
    } else if (Array.isArray(a) && Array.isArray(b) && b.length >= LONG) {
      const l = listChange(a, b);
      if (l) { if (l[0].length || l[1].length) list[k] = l; }
      else set[k] = b;
    } else set[k] = b;
  }
  for (const k in before) if (!Object.hasOwn(after, k)) del.push(k);
  const keys = Object.keys(after);
  // Applied, the fields kept come first in their old order, then the new ones: said only when the order differs.
  const kept = Object.keys(before).filter((k) => Object.hasOwn(after, k));
  const same = kept.every((k, i) => keys[i] === k);
  return {
    ...(Object.keys(set).length ? { set } : {}), ...(del.length ? { del } : {}), ...(Object.keys(sub).length ? { sub } : {}),
    ...(Object.keys(list).length ? { list } : {}), ...(same ? {} : { order: keys }),
  };
}

export const isEmpty = (p: Patch): boolean => !p.set && !p.del && !p.sub && !p.list && !p.order;

/**
 * `after` as `before` less the values at some places, with values appended;
 * null when that takes more than a quarter of the list (values inserted in
 * the middle, or reordered): then the list is given whole.
 */
function listChange(before: readonly unknown[], after: readonly unknown[]): [number[], unknown[]] | null {
  const removed: number[] = [];
  let j = 0;
  for (let i = 0; i < before.length; i++) {
    if (j < after.length && before[i] === after[j]) j++;
    else if (removed.push(i) * 4 > after.length) return null;
  }
  const appended = after.slice(j);
  return removed.length + appended.length > after.length / 4 ? null : [removed, appended];
}

/** `before` with `patch` applied: a new record, sharing what did not change. */
export function applyPatch<T extends Record<string, unknown>>(before: T, patch: Patch): T {
  // A map, not assignments: a field may be named __proto__ or constructor, as an attribute may.
  const out = new Map(Object.entries(before));
  for (const k of patch.del ?? []) out.delete(k);
  for (const [k, v] of Object.entries(patch.set ?? {})) out.set(k, v);
  for (const [k, p] of Object.entries(patch.sub ?? {})) { const b = out.get(k); out.set(k, applyPatch(isRecord(b) ? b : {}, p)); }
  for (const [k, [removed, appended]] of Object.entries(patch.list ?? {})) {
    const old = out.get(k);
    // In one walk against the places in order (list-places.ts): a test of each value's place against a Set was most of
    // reading a department group's directory object at 100,000 people, once per patch since it was written whole.
    out.set(k, withoutPlaces(Array.isArray(old) ? (old as unknown[]) : [], removed, appended));
  }
  return Object.fromEntries(patch.order ? patch.order.map((k) => [k, out.get(k)]) : out) as T;
}
