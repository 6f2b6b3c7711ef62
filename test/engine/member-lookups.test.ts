/**
 * The lookups that move a group's members by value: where a DN is among a
 * target's values (`places`), and a metaverse value less the members
 * removed (`without`). Each is checked against the plain way of doing it
 * over seeded random lists, with the cases that make the quick ways unsound:
 * letters whose lower case has another length, repeats, values not held.
 */
import test from 'ava';
import { places } from '../../engine/sync/outbound-by-value.ts';
import { without } from '../../engine/sync/value-level-refs.ts';
import type { Scalar } from '../../data/model.ts';

// A Lehmer generator; the seed is spread first, as a small one gives small first numbers.
const random = (seed: number) => { seed = (seed * 2654435761) % 2147483647; return () => (seed = (seed * 48271) % 2147483647) / 2147483647; };
const names = ['Ann', 'ANN', 'İlker', 'i\u0307lker', 'ilker', 'Kelvin\u212a', 'Bo', 'Zoë', 'Şule', 'IBRAHIM', 'ıbrahim'];

test('a key is found at the last value that is it (in lower case where DNs fold), in any order of asking', (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const r = random(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const values: Scalar[] = Array.from({ length: 40 + Math.floor(r() * 200) }, () => `CN=${pick(names)} ${Math.floor(r() * 30)},OU=${pick(['Sales', 'IT'])},DC=corp`);
    const keys = Array.from({ length: 25 }, () => (r() < 0.7 ? String(pick(values)) : `CN=${pick(names)} ${Math.floor(r() * 40)},OU=IT,DC=corp`));
    for (const folds of [true, false]) {
      const placeOf = places(values, folds, keys.length);
      const viaMap = places(values, folds, 1000);
      for (const raw of keys) {
        const k = folds ? raw.toLowerCase() : raw;
        let expected: number | undefined;
        values.forEach((v, i) => { if ((folds ? String(v).toLowerCase() : String(v)) === k) expected = i; });
        t.is(placeOf(k), expected, `seed ${seed}, folds ${folds}: ${k}`);
        t.is(places(values, folds, 2)(k), expected, `seed ${seed}, folds ${folds}, asked first: ${k}`);
        t.is(viaMap(k), expected, `seed ${seed}, folds ${folds}, many asked: ${k}`);
      }
    }
  }
});

test('a value less the members removed drops the first of each as often as it is removed, or says it cannot', (t) => {
  const plain = (values: readonly Scalar[], gone: ReadonlyMap<string, number>): Scalar[] | undefined => {
    const left = new Map(gone);
    const out = values.filter((v) => { const n = left.get(String(v)); if (n) left.set(String(v), n - 1); return !n; });
    return [...left.values()].some((n) => n > 0) ? undefined : out;
  };
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const r = random(seed);
    const values: Scalar[] = Array.from({ length: Math.floor(r() * 60) }, () => `mv${Math.floor(r() * 25)}`);
    for (let round = 0; round < 20; round++) {
      const gone = new Map<string, number>();
      for (let n = Math.floor(r() * (round < 10 ? 6 : 30)); n > 0; n--) {
        // Mostly members held, some more than once; now and then one not held.
        const id = r() < 0.9 && values.length ? String(values[Math.floor(r() * values.length)]) : `mv${Math.floor(r() * 28)}`;
        gone.set(id, (gone.get(id) ?? 0) + 1);
      }
      const before = [...values];
      t.deepEqual(without(values, gone), plain(values, gone), `seed ${seed} round ${round}: ${JSON.stringify([...gone])}`);
      t.deepEqual(values, before, 'the value given is not changed');
    }
  }
  t.deepEqual(without([1, 'mv1', 2], new Map([['1', 1]])), ['mv1', 2], 'numbers are compared as strings');
});
