/** A large object's new version as changes to the one before: applied, it gives the new version exactly, field order included. */
import test from 'ava';
import { applyPatch, diffObject } from '../../data/object-patch.ts';

const random = (seed: number) => () => (seed = (seed * 48271) % 2147483647) / 2147483647;

test('a group\'s members less some and with others appended are given as places and values, not the list', (t) => {
  const members = Array.from({ length: 1000 }, (_, i) => `CN=U${i},DC=corp`);
  const before = { dn: 'CN=G', hologram: { member: members, description: 'x' }, pendingExport: null };
  const after = { ...before, hologram: { ...before.hologram, member: [...members.filter((_, i) => i !== 3 && i !== 500), 'CN=New,DC=corp'] }, pendingExport: { op: 'update' } };
  const patch = diffObject(before, after);
  t.deepEqual(patch, { set: { pendingExport: { op: 'update' } }, sub: { hologram: { list: { member: [[3, 500], ['CN=New,DC=corp']] } } } });
  t.deepEqual(applyPatch(before, patch), after);
  t.true(JSON.stringify(patch).length < 200);
  t.deepEqual(diffObject(after, after), {}, 'nothing changed');
});

test('over seeded random changes, applying the patch gives the new version exactly, in its field order', (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const r = random(seed);
    const list = (n: number) => Array.from({ length: n }, () => `v${Math.floor(r() * 500)}`);
    let obj: Record<string, unknown> = { a: 1, hologram: { member: list(200), cn: 'x' }, attrs: { member: list(80) }, tail: [1, 2] };
    for (let step = 0; step < 30; step++) {
      const h = obj['hologram'] as Record<string, unknown>;
      const m = h['member'] as string[];
      const x = r();
      let next: Record<string, unknown>;
      if (x < 0.3) next = { ...obj, hologram: { ...h, member: [...m.filter(() => r() > 0.02), ...list(3)] } };
      else if (x < 0.45) next = { ...obj, hologram: { ...h, member: [...m.slice(0, 10), 'inserted', ...m.slice(10)] } };
      else if (x < 0.55) next = { ...obj, hologram: { ...h, member: [...m].reverse() } };
      else if (x < 0.65) { const { a: _a, ...rest } = obj; next = { ...rest, a: step }; }
      else if (x < 0.75) next = { z: step, ...obj };
      else if (x < 0.85) { const { cn: _cn, ...rest } = h; next = { ...obj, hologram: r() < 0.5 ? rest : { extra: [step], ...rest } }; }
      else next = { ...obj, attrs: { member: list(Math.floor(r() * 100)) } };
      const patch = diffObject(obj, next);
      const got = applyPatch(obj, patch);
      t.deepEqual(got, next, `seed ${seed} step ${step}`);
      t.is(JSON.stringify(got), JSON.stringify(next), `seed ${seed} step ${step}: field order`);
      obj = next;
    }
  }
});

test('fields named as Object.prototype members are fields like any other', (t) => {
  const before = JSON.parse('{"hologram":{"constructor":"c","toString":"t","__proto__":"p","member":[]}}') as Record<string, unknown>;
  const after = JSON.parse('{"hologram":{"toString":"t2","__proto__":"p2","valueOf":"v","member":[]}}') as Record<string, unknown>;
  const got = applyPatch(before, JSON.parse(JSON.stringify(diffObject(before, after))));
  t.is(JSON.stringify(got), JSON.stringify(after));
  t.true(Object.hasOwn(got['hologram'] as object, '__proto__'));
  t.false(Object.hasOwn(got['hologram'] as object, 'constructor'));
});

test('a list patch removes the places it names whatever their order, repeats or range, as a filter by place would', (t) => {
  const r = random(11);
  for (let round = 0; round < 200; round++) {
    const list = Array.from({ length: Math.floor(r() * 90) }, (_, i) => `m${i}`);
    const removed = Array.from({ length: Math.floor(r() * 12) }, () => Math.floor(r() * (list.length + 4)) - 2);
    if (r() < 0.5) removed.sort((a, b) => a - b);
    const appended: unknown[] = r() < 0.5 ? [] : ['new', ['nested']];
    const gone = new Set(removed);
    const expected: unknown[] = [...list.filter((_, i) => !gone.has(i)), ...appended];
    const got = applyPatch({ hologram: { member: list } }, { sub: { hologram: { list: { member: [removed, appended] } } } });
    t.deepEqual(got, { hologram: { member: expected } }, `round ${round}: removed ${JSON.stringify(removed)}`);
  }
  const before = ['a', 'b'];
  const after = applyPatch({ member: before }, { list: { member: [[], ['c']] } });
  t.deepEqual(before, ['a', 'b'], 'the list patched is not changed');
  t.deepEqual(after, { member: ['a', 'b', 'c'] });
});
