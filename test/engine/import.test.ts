/** Full and delta import: staging, deletions, the empty-source guard, import errors, delete-add. */
import test from 'ava';
import { basicRules, countReads, person, steps, testEngine } from '../helpers/engine.ts';
import { MemoryStore } from '../../data/store-state.ts';
import type { Store } from '../../data/store.ts';

test('full import stages adds, updates, renames, deletes and no-changes', async (t) => {
  const e = testEngine(basicRules);
  const hr = e.system('hr');
  for (const id of ['1', '2', '3', '4']) hr.put(person(id));
  const [first] = await steps(e, 'hr full-import');
  t.is(first!.counters['stage-add'], 4);
  await steps(e, 'hr full-sync');
  hr.put(person('1', { title: 'x' }));
  hr.put({ ...person('2'), dn: 'employeeId=2,ou=moved' });
  hr.remove('3');
  const [second] = await steps(e, 'hr full-import');
  t.like(second!.counters, { 'stage-update': 1, 'stage-rename': 1, 'stage-delete': 1, 'stage-no-change': 1 });
  const updated = e.store.cs('hr').byAnchor('1')!;
  t.deepEqual(updated.pendingImport, { op: 'update', delta: { title: 'x' } }, 'an attribute-level delta against the hologram');
});

test('an empty source where there were objects stops the import unless forced', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  await steps(e, 'hr full-import', 'hr full-sync');
  e.system('hr').remove('1');
  const [stopped] = await steps(e, 'hr full-import');
  t.is(stopped!.status, 'stopped-empty-source');
  t.is(e.store.cs('hr').byAnchor('1')!.pendingImport, null, 'nothing staged');
  const [forced] = await steps(e, 'hr full-import --force');
  t.is(forced!.counters['stage-delete'], 1);
});

test('delta import reads only changes since the stored watermark', async (t) => {
  const e = testEngine(basicRules);
  for (let i = 0; i < 10; i++) e.system('hr').put(person(String(i)));
  await steps(e, 'hr full-import', 'hr full-sync');
  e.system('hr').put(person('4', { title: 'new' }));
  e.system('hr').remove('5');
  const [d] = await steps(e, 'hr delta-import');
  t.deepEqual(d!.counters, { 'stage-update': 1, 'stage-delete': 1 });
  t.is(e.store.meta('watermark:hr'), String(e.system('hr').seq));
});

test('a delta import without a watermark runs a full import and says so', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  const [d] = await steps(e, 'hr delta-import');
  t.is(d!.counters['stage-add'], 1);
  t.regex(d!.notes.join(), /no watermark yet/);
});

test('an object type change under the same anchor is a delete-add', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  await steps(e, 'hr full-import', 'hr full-sync');
  e.system('hr').put({ ...person('1'), objectType: 'contractor' });
  const [imp, sync] = await steps(e, 'hr full-import', 'hr delta-sync');
  t.is(imp!.counters['stage-delete-add'], 1);
  t.is(sync!.counters['connector-delete-add-processed'], 1);
  t.is(e.store.cs('hr').byAnchor('1')!.objectType, 'contractor');
});

test('a server that goes away fails the step cleanly, retryable, with nothing half-recorded', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  e.system('hr').down = true;
  const [r] = await steps(e, 'hr full-import');
  t.is(r!.status, 'stopped-server-down');
  t.is(e.store.cs('hr').size, 0);
  e.system('hr').down = false;
  const [again] = await steps(e, 'hr full-import');
  t.is(again!.counters['stage-add'], 1);
});

test('more than 5,000 object errors stop the export with stopped-error-limit', async (t) => {
  const e = testEngine(basicRules.replace('threshold deletes 3', 'threshold deletes 10000'));
  for (let i = 0; i < 5002; i++) e.system('hr').put(person(String(i), { givenName: `G${i}` }));
  e.system('ad').fail({ message: 'constraint violation', retryable: false });
  const r = await steps(e, 'hr full-import', 'hr full-sync', 'ad export');
  t.is(r[2]!.status, 'stopped-error-limit');
});

test('an unchanged object with nothing pending on it is a no-change without being read; a changed or pending one is staged', async (t) => {
  const store = new MemoryStore();
  const e = testEngine(basicRules, { store: store as unknown as Store });
  const hr = e.system('hr');
  for (const id of ['1', '2', '3']) hr.put(person(id));
  await steps(e, 'hr full-import', 'hr full-sync');
  const reads = countReads(store.cs('hr'));
  const [same] = await steps(e, 'hr full-import');
  t.deepEqual(same!.counters, { 'stage-no-change': 3 });
  t.is(reads.n, 0, 'known unchanged from the slots');
  hr.put(person('2', { title: 'changed' }));
  const [changed] = await steps(e, 'hr full-import');
  t.deepEqual(changed!.counters, { 'stage-update': 1, 'stage-no-change': 2 });
  // Not synchronized yet: the same values again are still a pending update, not a no-change.
  const [pending] = await steps(e, 'hr full-import');
  t.deepEqual(pending!.counters, { 'stage-update': 1, 'stage-no-change': 2 });
  hr.remove('3');
  const [gone] = await steps(e, 'hr full-import');
  t.like(gone!.counters, { 'stage-delete': 1 });
});
