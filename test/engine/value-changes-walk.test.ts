/** The values added and removed between two lists (engine/import/value-changes.ts), walked or by sets, against the sets of every value. */
import test from 'ava';
import { valueChanges } from '../../engine/import/value-changes.ts';
import { applyValues } from '../../data/objects.ts';
import { prng } from '../../data/demo/people.ts';
import type { Scalar } from '../../data/model.ts';

function reference(before: readonly Scalar[], after: readonly Scalar[]) {
  const inAfter = new Set(after.map(String));
  const inBefore = new Set(before.map(String));
  return { op: 'values', add: after.filter((v) => !inBefore.has(String(v))), remove: before.filter((v) => !inAfter.has(String(v))) };
}

test('over seeded lists of every shape, the changes are those of the sets of every value', (t) => {
  const random = prng(3);
  // Texts and numbers that share a text ('7' and 7), and repeats.
  const value = (): Scalar => { const n = Math.floor(random() * 400); return random() < 0.2 ? n : String(n); };
  const list = (n: number) => Array.from({ length: n }, value);
  const shapes: Record<string, (before: Scalar[]) => Scalar[]> = {
    'a few removed and appended, as a partial import composes it': (b) => applyValues(b, list(Math.floor(random() * 8)), b.filter(() => random() < 0.02)),
    'many removed and appended (past the walk)': (b) => applyValues(b, list(300), b.filter(() => random() < 0.5)),
    'reordered': (b) => [...b].sort(() => random() - 0.5),
    'values inserted in the middle': (b) => [...b.slice(0, b.length >> 1), ...list(3), ...b.slice(b.length >> 1)],
    'unrelated': () => list(Math.floor(random() * 500)),
    'the same': (b) => [...b],
  };
  let checked = 0;
  for (const [shape, make] of Object.entries(shapes)) {
    for (let round = 0; round < 40; round++) {
      const before = list(Math.floor(random() * 1200));
      const after = make(before);
      t.deepEqual(valueChanges(before, after), reference(before, after), `${shape}, round ${round}`);
      checked++;
    }
  }
  t.is(checked, 240);
});

test('over lists of strings only, a few values removed and appended give the changes of the sets', (t) => {
  const random = prng(5);
  const value = () => `m${Math.floor(random() * 300)}`;
  for (let round = 0; round < 120; round++) {
    const before = Array.from({ length: Math.floor(random() * 900) }, value);
    // Up to 16 values either way: the few looked for one by one; some of them repeats, or held already.
    const after = applyValues(before, Array.from({ length: Math.floor(random() * 17) }, value), before.filter(() => random() < 0.01));
    t.deepEqual(valueChanges(before, after), reference(before, after), `round ${round}`);
  }
});
