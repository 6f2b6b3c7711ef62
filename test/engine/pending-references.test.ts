/** References not resolvable yet: kept with the agents they wait on, tried again only when one of those links a connector. */
import test from 'ava';
import { adByName, basicRules, countReads, mvBy, person, steps, testEngine, withDepartmentGroups, withDirectoryGroups } from '../helpers/engine.ts';
import { anchorKey, pendRef } from '../../engine/sync/pending-references.ts';
import type { SyncContext } from '../../engine/sync/sync-context.ts';

test('an inbound reference waits on its agent: a sync that joins nothing there does not look it up again', async (t) => {
  const e = testEngine(basicRules);
  // Status "test" is filtered: the manager's HR object is never joined, so the reference cannot resolve.
  e.system('hr').put(person('1', { givenName: 'Boss', status: 'test' }));
  e.system('hr').put(person('2', { givenName: 'Emp', managerId: 'employeeId=1' }));
  await steps(e, 'hr full-import', 'hr full-sync');
  const emp = mvBy(e, 'employeeId', '2')!;
  t.is(emp.attrs['manager'], undefined);
  t.deepEqual(e.store.meta('pending-references'), [[emp.id, 'hr']]);

  const lookups = countReads(e.store.cs('hr'), ['refByDn', 'refByAnchor']);
  await steps(e, 'ad full-import', 'ad delta-sync', 'hr delta-sync');
  t.is(lookups.n, 0, 'nothing joined in hr: not tried');
  t.deepEqual(e.store.meta('pending-references'), [[emp.id, 'hr']], 'still pending, as it was');

  // The manager is joined by the sync that projects him, which then tries the reference.
  e.system('hr').put(person('1', { givenName: 'Boss', status: 'active' }));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(mvBy(e, 'employeeId', '2')!.attrs['manager'], mvBy(e, 'employeeId', '1')!.id);
  t.deepEqual(e.store.meta('pending-references'), []);
});

test('an outbound reference waits on its target; a full sync tries every pending reference', async (t) => {
  const e = testEngine(basicRules);
  // "onboarding" is in the directory's scope but not provisioned: the manager has no AD object yet.
  e.system('hr').put(person('1', { givenName: 'Boss', status: 'onboarding' }));
  e.system('hr').put(person('2', { givenName: 'Emp', managerId: 'employeeId=1' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'ad export');
  const emp = mvBy(e, 'employeeId', '2')!;
  const waitsFor = `ad\0m:${mvBy(e, 'employeeId', '1')!.id}`;
  t.deepEqual(e.store.meta('pending-references'), [[emp.id, waitsFor]], "waits for the manager's object in ad");

  // hr2 holds nothing: its syncs touch no object, only the pending references.
  const lookups = countReads(e.store.cs('ad'), ['joinedTo']);
  await steps(e, 'hr delta-sync', 'hr2 delta-sync');
  t.is(lookups.n, 0, 'nothing provisioned in ad: not tried');
  // Someone else is provisioned in ad: still not the manager.
  e.system('hr').put(person('3', { givenName: 'Cat' }));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.truthy(e.store.cs('ad').joinedTo(mvBy(e, 'employeeId', '3')!.id));
  t.is(lookups.n, 1, "one lookup: the new object's own provisioning, not the waiting reference");
  await steps(e, 'hr2 full-sync');
  t.true(lookups.n > 0, 'a full sync tries it');
  t.deepEqual(e.store.meta('pending-references'), [[emp.id, waitsFor]], 'and it still waits');

  e.system('hr').put(person('1', { givenName: 'Boss', status: 'active' }));
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  t.is(adByName(e, 'Emp Lee')!.attrs['manager'], 'CN=Boss Lee,OU=Sales,DC=corp');
  t.deepEqual(e.store.meta('pending-references'), []);
});

test('a reference by DN waiting on a name resolves when a joined object is renamed to it', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { givenName: 'Boss' }));
  e.system('hr').put(person('2', { givenName: 'Emp', managerId: 'employeeId=boss' }));
  await steps(e, 'hr full-import', 'hr full-sync');
  t.is(mvBy(e, 'employeeId', '2')!.attrs['manager'], undefined);
  // The same object, renamed in HR: no join happens, the DN it waits on now exists.
  e.system('hr').put({ ...person('1', { givenName: 'Boss' }), dn: 'employeeId=boss' });
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(mvBy(e, 'employeeId', '2')!.attrs['manager'], mvBy(e, 'employeeId', '1')!.id);
});

test('a reference by anchor waits on that object: joining another one in its agent does not try it again', async (t) => {
  const e = testEngine(basicRules.replace('  seed = "$seed-hr"\n', '  seed = "$seed-hr"\n  references-by = anchor\n'));
  e.system('hr').put(person('1', { givenName: 'Boss', status: 'test' }));
  e.system('hr').put(person('2', { givenName: 'Emp', managerId: '1' }));
  await steps(e, 'hr full-import', 'hr full-sync');
  const emp = mvBy(e, 'employeeId', '2')!;
  t.deepEqual(e.store.meta('pending-references'), [[emp.id, 'hr\0a:1']]);
  e.system('hr').put(person('3', { givenName: 'Cat' }));
  await steps(e, 'hr delta-import');
  const lookups = countReads(e.store.cs('hr'), ['refByDn', 'refByAnchor']);
  await steps(e, 'hr delta-sync');
  t.truthy(mvBy(e, 'employeeId', '3'), 'a new person joined in hr');
  t.is(lookups.n, 0, 'not the one it waits on: not tried');
  e.system('hr').put(person('1', { givenName: 'Boss', status: 'active' }));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(mvBy(e, 'employeeId', '2')!.attrs['manager'], mvBy(e, 'employeeId', '1')!.id);
  t.deepEqual(e.store.meta('pending-references'), []);
});

test('an object waiting on many values waits on their agent instead, so that its entry stays small', (t) => {
  const s = { pendingRefs: new Map(), waiting: new Set() } as unknown as SyncContext;
  pendRef(s, 'g', Array.from({ length: 10 }, (_, i) => anchorKey('hr', String(i))));
  t.is(s.pendingRefs.get('g')!.size, 10);
  pendRef(s, 'g', Array.from({ length: 60 }, (_, i) => anchorKey('hr', String(100 + i))));
  pendRef(s, 'g', [anchorKey('contractors', 'c1'), anchorKey('hr', '999')]);
  t.deepEqual([...s.pendingRefs.get('g')!].sort(), [anchorKey('contractors', 'c1'), 'hr'], 'hr once, and a value of another agent as before');
});

test('an object waits on its values one by one up to a quarter of the values it resolves', (t) => {
  const s = { pendingRefs: new Map(), waiting: new Set() } as unknown as SyncContext;
  const keys = (n: number, from = 0) => Array.from({ length: n }, (_, i) => anchorKey('hr', String(from + i)));
  for (const k of keys(100)) pendRef(s, 'g', [k], 400);
  t.is(s.pendingRefs.get('g')!.size, 100, 'a quarter of 400: each value kept');
  pendRef(s, 'g', keys(1, 100), 400);
  t.deepEqual([...s.pendingRefs.get('g')!], ['hr'], 'one more: the agent');
  for (const k of keys(64)) pendRef(s, 'h', [k], 10);
  t.is(s.pendingRefs.get('h')!.size, 64, 'up to 64 whatever the values');
});

test('a group holding many members not joined waits on them, not on their agent: joining someone else does not resolve it again', async (t) => {
  const rules = withDepartmentGroups(basicRules.replace('  seed = "$seed-hr"\n', '  seed = "$seed-hr"\n  references-by = anchor\n'));
  const e = testEngine(rules);
  const members = Array.from({ length: 400 }, (_, i) => String(i + 1));
  // 80 of the 400 are filtered ("test"): never joined, 80 values waiting, over 64 and under a quarter.
  for (const id of members) e.system('hr').put(person(id, Number(id) <= 80 ? { status: 'test' } : {}));
  e.system('grp').put({ anchor: 'D1', dn: 'code=D1', objectType: 'department', attrs: { code: 'D1', members } });
  await steps(e, 'hr full-import', 'hr full-sync', 'grp full-import', 'grp full-sync');
  const group = e.store.mvFind('group', 'code', 'D1')[0]!;
  t.is((group.attrs['member'] as string[]).length, 320);
  const entry = (e.store.meta('pending-references') as string[][]).find((x) => x[0] === group.id)!;
  t.is(entry.length, 81, 'the group and the 80 anchors it waits on');
  t.true(entry.includes('hr\0a:80'));

  e.system('hr').put(person('401'));
  await steps(e, 'hr delta-import');
  const lookups = countReads(e.store.cs('hr'), ['refByAnchor']);
  await steps(e, 'hr delta-sync');
  t.truthy(mvBy(e, 'employeeId', '401'), 'someone else joined in hr');
  t.is(lookups.n, 0, "the group's 400 members are not looked up again");

  e.system('hr').put(person('7'));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is((e.store.mvFind('group', 'code', 'D1')[0]!.attrs['member'] as string[]).length, 321, 'one it waited on joins: the group gains it');
  t.is((e.store.meta('pending-references') as string[][]).find((x) => x[0] === group.id)!.length, 80);
  // A member added by value (only it resolved) that is not in hr yet: one more anchor, still not the agent.
  e.system('grp').put({ anchor: 'D1', dn: 'code=D1', objectType: 'department', attrs: { code: 'D1', members: [...members, '402'] } });
  await steps(e, 'grp delta-import', 'grp delta-sync');
  t.true((e.store.meta('pending-references') as string[][]).find((x) => x[0] === group.id)!.includes('hr\0a:402'));
});

test('a group whose members are many not provisioned in the target waits on them there, not on the target as a whole', async (t) => {
  const rules = withDirectoryGroups(withDepartmentGroups(basicRules.replace('  seed = "$seed-hr"\n', '  seed = "$seed-hr"\n  references-by = anchor\n')));
  const e = testEngine(rules);
  const members = Array.from({ length: 400 }, (_, i) => String(i + 1));
  // 80 of the 400 are onboarding: in the directory's scope, not provisioned, so the group's member flow waits on them.
  for (const id of members) e.system('hr').put(person(id, { givenName: `P${id}`, ...(Number(id) <= 80 ? { status: 'onboarding' } : {}) }));
  e.system('grp').put({ anchor: 'D1', dn: 'code=D1', objectType: 'department', attrs: { code: 'D1', members } });
  await steps(e, 'hr full-import', 'hr full-sync', 'grp full-import', 'grp full-sync', 'ad export', 'ad full-import', 'ad full-sync');
  const group = e.store.mvFind('group', 'code', 'D1')[0]!;
  const entry = (e.store.meta('pending-references') as string[][]).find((x) => x[0] === group.id)!;
  t.is(entry.length, 81, 'the group and the 80 objects it waits on in ad');

  e.system('hr').put(person('401'));
  await steps(e, 'hr delta-import');
  const lookups = countReads(e.store.cs('ad'), ['joinedTo']);
  await steps(e, 'hr delta-sync');
  t.truthy(e.store.cs('ad').joinedTo(mvBy(e, 'employeeId', '401')!.id), 'someone else provisioned in ad');
  t.is(lookups.n, 1, "one lookup: the new object's own provisioning, not the group's members");
  // A member added by value (only it resolved in ad) that is not provisioned: one more object waited on.
  e.system('hr').put(person('402', { givenName: 'P402', status: 'onboarding' }));
  e.system('grp').put({ anchor: 'D1', dn: 'code=D1', objectType: 'department', attrs: { code: 'D1', members: [...members, '402'] } });
  await steps(e, 'hr delta-import', 'hr delta-sync', 'grp delta-import', 'grp delta-sync');
  const after = (e.store.meta('pending-references') as string[][]).find((x) => x[0] === group.id)!;
  t.true(after.includes(`ad\0m:${mvBy(e, 'employeeId', '402')!.id}`));
});
