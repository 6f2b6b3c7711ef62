/** A transaction's writes by object (op-keyed.ts): one per object, in the order objects were first written. */
import test from 'ava';
import { OpKeyed } from '../../data/op-keyed.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';

const cs = (agent: string, id: string) => ({ id, agent }) as unknown as CsObject;
const mv = (id: string) => ({ id }) as unknown as MvObject;

test('each object keeps one value, the last set, at the place of its first', (t) => {
  const k = new OpKeyed<string>();
  k.set(['cs', 'ad', 'x', cs('ad', 'x')], 'ad x 1');
  k.set(['mv', 'x', mv('x')], 'mv x');
  k.set(['cs', 'hr', 'x', cs('hr', 'x')], 'hr x');
  k.set(['meta', 'x', 1], 'meta x');
  k.set(['cs', 'ad', 'x', null], 'ad x deleted');
  k.set(['mv', 'y', null], 'mv y');
  k.set(['mv', 'x', mv('x')], 'mv x 2');
  t.deepEqual(k.values(), ['ad x deleted', 'mv x 2', 'hr x', 'meta x', 'mv y']);
  t.is(k.size, 5);
  t.true(k.has(['cs', 'hr', 'x', null]));
  t.false(k.has(['cs', 'app', 'x', null]), 'the same id in another agent is another object');
  t.false(k.has(['meta', 'y', null]), 'a meta key is not a metaverse id');
  t.true(k.has(['meta', 'x', null]));
});

test('setFirst keeps the first value of each object and makes no other', (t) => {
  const k = new OpKeyed<string>();
  let made = 0;
  const make = (v: string) => () => { made++; return v; };
  k.setFirst(['cs', 'ad', 'x', null], make('ad x first'));
  k.setFirst(['mv', 'x', null], make('mv x first'));
  k.setFirst(['cs', 'ad', 'x', cs('ad', 'x')], make('ad x again'));
  k.setFirst(['cs', 'hr', 'x', null], make('hr x first'));
  t.deepEqual(k.values(), ['ad x first', 'mv x first', 'hr x first']);
  t.is(made, 3, 'a value is made only for an object without one');
});
