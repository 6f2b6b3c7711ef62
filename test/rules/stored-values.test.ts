/** What an expression's result becomes in the store: lists keep their strings, numbers and booleans, and lose what the store cannot hold. */
import test from 'ava';
import { AuthoritativeNull, toStored } from '../../rules/index.ts';

test('a list keeps its plain values in order, as a copy, and loses nulls, sentinels and nested lists', (t) => {
  const members = ['CN=A', 'CN=B', 7, false];
  const stored = toStored(members);
  t.deepEqual(stored, ['CN=A', 'CN=B', 7, false]);
  t.not(stored, members, 'a copy: the store does not share the expression\'s list');
  t.deepEqual(toStored(['a', null, AuthoritativeNull, ['nested'], new Date(Date.UTC(2026, 0, 2)), new Uint8Array([1, 2])]), ['a', '2026-01-02T00:00:00.000Z', 'AQI=']);
  t.is(toStored([]), null);
  t.is(toStored([null, AuthoritativeNull]), null);
});
