import test from 'ava';
import { applyChanges, applyValues } from '../../data/objects.ts';

test('applyValues removes, then adds each missing value once, keeping order', (t) => {
  t.deepEqual(applyValues(['a', 'b', 'c'], ['d', 'b', 'd'], ['a']), ['b', 'c', 'd']);
  t.deepEqual(applyValues('a', ['b'], []), ['a', 'b'], 'a single value counts as one value');
  t.deepEqual(applyValues(undefined, [], ['x']), []);
});

test('applyChanges: replace sets or removes; values emptied remove the attribute; the input is not changed', (t) => {
  const attrs = { title: 'Engineer', member: ['u1', 'u2'], mail: 'a@x' };
  const out = applyChanges(attrs, {
    title: { op: 'replace', value: 'Lead' },
    mail: { op: 'replace', value: null },
    member: { op: 'values', add: [], remove: ['u1', 'u2'] },
    proxy: { op: 'values', add: ['smtp:a@x'], remove: [] },
  });
  t.deepEqual(out, { title: 'Lead', proxy: ['smtp:a@x'] });
  t.deepEqual(attrs, { title: 'Engineer', member: ['u1', 'u2'], mail: 'a@x' });
});

test('applyValues on a 100,000-member group gives the exact result', (t) => {
  const members = Array.from({ length: 100_000 }, (_, i) => `u${i}`);
  const out = applyValues(members, ['new'], ['u0', 'u99999']);
  t.is(out.length, 99_999);
  t.is(out[0], 'u1');
  t.is(out.at(-1), 'new');
});
