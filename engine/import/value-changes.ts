/**
 * The values of a multi-value added and removed between two lists, by their
 * text: what an import stages for a group instead of its whole member list.
 */
import type { Scalar } from '../../data/model.ts';
import type { ValueChanges } from '../../data/objects.ts';
import { heldAmong } from '../../data/list-places.ts';

/** Values skipped or appended past which the walk gives up for sets. */
const WALK_LIMIT = 256;

/** The values of `after` not in `before` (added) and of `before` not in `after` (removed), by their text. */
export function valueChanges(before: readonly Scalar[], after: readonly Scalar[]): ValueChanges {
  return walked(before, after) ?? bySets(before, after);
}

/**
 * When `after` is `before` less a few values with a few appended, as a
 * partial import composes a group's list (`applyValues`): one walk of both
 * lists, then one pass of each for the few values concerned. At 100,000
 * people each group a directory delta import gave as values built a set of
 * its 10,000 members to find again the changes it was given. Null when the
 * lists are not of that shape (past WALK_LIMIT values).
 */
function walked(before: readonly Scalar[], after: readonly Scalar[]): ValueChanges | null {
  const skipped: Scalar[] = [];
  let j = 0;
  for (const v of before) {
    if (j < after.length && v === after[j]) j++;
    else if (skipped.push(v) > WALK_LIMIT) return null;
  }
  if (after.length - j > WALK_LIMIT) return null;
  const appended = after.slice(j);
  // A value matched in the walk is in both lists: only the skipped and appended ones can be removed or added.
  const inAfter = textsAmong(after, skipped);
  const inBefore = textsAmong(before, appended);
  return { op: 'values', add: appended.filter((v) => !inBefore.has(String(v))), remove: skipped.filter((v) => !inAfter.has(String(v))) };
}

/** The texts of `of` that `list` holds. */
function textsAmong(list: readonly Scalar[], of: readonly Scalar[]): Set<string> {
  // A few strings, in a list of strings: looked for natively, as their texts are themselves.
  const held = heldAmong(list, of);
  if (held) return held;
  const found = new Set<string>();
  const wanted = new Set(of.map(String));
  if (wanted.size) for (const v of list) if (wanted.has(String(v))) found.add(String(v));
  return found;
}

/**
 * Any two lists: one set of the list before, emptied as the list after is
 * walked; what is left was removed.
 */
function bySets(before: readonly Scalar[], after: readonly Scalar[]): ValueChanges {
  const left = new Set<string>();
  for (const v of before) left.add(String(v));
  const candidates: Scalar[] = [];
  for (const v of after) if (!left.delete(String(v))) candidates.push(v);
  // A candidate is new, or a value of the list before met a second time: new only if that list lacks it.
  const again = new Set(candidates.map(String));
  if (again.size) for (const v of before) again.delete(String(v));
  return { op: 'values', add: candidates.filter((v) => again.has(String(v))), remove: left.size ? before.filter((v) => left.has(String(v))) : [] };
}
