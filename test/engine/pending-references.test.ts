/** References not resolvable yet: kept with the agents they wait on, tried again only when one of those links a connector. */
import test from 'ava';
import { adByName, basicRules, countReads, mvBy, person, steps, testEngine } from '../helpers/engine.ts';
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
