/**
 * A group's members less and plus a few values (`applyValues`, on
 * list-places.ts): the same lists as the Sets it used before, over seeded
 * random lists with repeats, numbers beside strings, NaN, and more values
 * than it looks for one by one.
 */
import test from 'ava';
import { applyValues } from '../../data/objects.ts';
import { FEW, heldAmong, placesOf, withoutPlaces } from '../../data/list-places.ts';
import type { Scalar } from '../../data/model.ts';

// A Lehmer generator; the seed is spread first, as a small one gives small first numbers.
const random = (seed: number) => { seed = (seed * 2654435761) % 2147483647; return () => (seed = (seed * 48271) % 2147483647) / 2147483647; };

/** applyValues as it was, with Sets. */
function withSets(current: readonly Scalar[], add: readonly Scalar[], remove: readonly Scalar[]): Scalar[] {
  const gone = new Set(remove);
  const out = current.filter((v) => !gone.has(v));
  const adding = new Set(add);
  for (const v of out) adding.delete(v);
  for (const v of add) if (adding.delete(v)) out.push(v);
  return out;
}

test('values removed and added give the list Sets gave, few or many, repeated or not held', (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    const r = random(seed);
    const value = (): Scalar => { const x = r(); return x < 0.05 ? Number.NaN : x < 0.15 ? Math.floor(r() * 5) : x < 0.2 ? String(Math.floor(r() * 5)) : `m${Math.floor(r() * 30)}`; };
    const current = Array.from({ length: Math.floor(r() * 80) }, value);
    for (let round = 0; round < 25; round++) {
      const many = round % 5 === 4 ? FEW + 5 : Math.floor(r() * (FEW + 1));
      const pick = () => (r() < 0.7 && current.length ? current[Math.floor(r() * current.length)]! : value());
      const remove = Array.from({ length: Math.floor(r() * (many + 1)) }, pick);
      const add = Array.from({ length: Math.floor(r() * (many + 1)) }, pick);
      const before = [...current];
      t.deepEqual(applyValues(current, add, remove), withSets(current, add, remove), `seed ${seed} round ${round}: -${JSON.stringify(remove)} +${JSON.stringify(add)}`);
      t.deepEqual(current, before, 'the list given is not changed');
    }
  }
  t.deepEqual(applyValues('solo', ['b'], []), ['solo', 'b'], 'a single value is a list of one');
  t.deepEqual(applyValues(null, ['a', 'a'], ['x']), ['a']);
});

test('places are found wherever each value is, and the list less them keeps its order', (t) => {
  t.deepEqual(placesOf(['a', 'b', 'a', 1, '1'], ['a', 1]), [0, 2, 3]);
  t.is(placesOf(['a'], [Number.NaN]), null, 'NaN is left to a Set');
  t.is(placesOf(['a'], Array.from({ length: FEW + 1 }, (_, i) => i)), null, 'more than FEW');
  t.deepEqual(withoutPlaces(['a', 'b', 'c', 'd'], [3, 1, 1, 9, -1]), ['a', 'c']);
  t.deepEqual(withoutPlaces(['a', 'b', 'c', 'd'], [Number.NaN, 1.5, 2, 0], ['e']), ['b', 'd', 'e'], 'places that are no place in the list count for nothing');
  const list = ['a', 'b'];
  t.not(withoutPlaces(list, []), list, 'a copy even when nothing goes');
});

test('which of a few strings a list of strings holds; null for many, or for anything but strings', (t) => {
  t.deepEqual(heldAmong(['a', 'b', 'c'], ['c', 'x', 'a', 'a']), new Set(['c', 'a']));
  t.deepEqual(heldAmong([], ['x']), new Set());
  t.is(heldAmong(['a', 1], ['a']), null, 'a number in the list');
  t.is(heldAmong(['a'], [1]), null, 'a number looked for');
  t.is(heldAmong(['a'], Array.from({ length: FEW + 1 }, (_, i) => `v${i}`)), null, 'more than FEW');
});

test('a list less its places, then values appended, matches a plain filter for any places and lengths', (t) => {
  // mulberry32: seeded, so that a failure names a case that can be run again.
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
  };
  for (let round = 0; round < 300; round++) {
    // Every third round more places than are cut one by one (SPLICED, 64), and some not whole.
    const many = round % 3 === 0;
    const list = Array.from({ length: rand(many ? 400 : 40) }, (_, i) => `m${i}`);
    const places = Array.from({ length: many ? 65 + rand(150) : rand(8) }, () => rand(list.length + 4) - 2 + (rand(20) === 0 ? 0.5 : 0));
    const appended = Array.from({ length: rand(12) }, (_, i) => `n${i}`);
    const gone = new Set(places);
    const expected = [...list.filter((_, i) => !gone.has(i)), ...appended];
    const got = withoutPlaces(list, places, appended);
    t.deepEqual(got, expected, `places ${places.join(',')} of ${list.length}, ${appended.length} appended`);
    t.is(got.length, expected.length, 'no room left over at its end');
  }
  const list = ['a', 'b', 'c'];
  withoutPlaces(list, [0], ['x', 'y']);
  t.deepEqual(list, ['a', 'b', 'c'], 'the list given is left as it was');
});
