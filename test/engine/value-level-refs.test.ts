/** A group's member changes resolve only the members added and removed; what cannot be done that way is recomputed whole. */
import test from 'ava';
import { basicRules, countReads, withDepartmentGroups, mvBy, person, steps, testEngine, type TestEngine } from '../helpers/engine.ts';

const rules = withDepartmentGroups(basicRules);

const group = (members: string[]) => ({ anchor: 'G', dn: 'code=G', objectType: 'department', attrs: { code: 'G', members } });
const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => String(from + i));
const mvGroup = (e: TestEngine) => e.store.mvFind('group', 'code', 'G')[0]!;
const membersOf = (e: TestEngine, people: string[]) => people.map((p) => mvBy(e, 'employeeId', p)!.id).sort();

async function setUp(): Promise<TestEngine> {
  const e = testEngine(rules);
  for (const id of ids(30)) e.system('hr').put(person(id, { givenName: `P${id}` }));
  e.system('grp').put(group(ids(20)));
  await steps(e, 'hr full-import', 'hr full-sync', 'grp full-import', 'grp full-sync');
  return e;
}

test('a member added and one removed are the only members resolved; one not there yet waits', async (t) => {
  const e = await setUp();
  t.deepEqual([...(mvGroup(e).attrs['member'] as string[])].sort(), membersOf(e, ids(20)));
  const lookups = countReads(e.store.cs('hr'), ['refByAnchor']);
  e.system('grp').put(group([...ids(20).filter((m) => m !== '3'), '25', '99']));
  await steps(e, 'grp delta-import', 'grp delta-sync');
  t.is(lookups.n, 3, 'the removed member, the added one, and the one not there yet');
  const expected = membersOf(e, [...ids(20).filter((m) => m !== '3'), '25']);
  t.deepEqual([...(mvGroup(e).attrs['member'] as string[])].sort(), expected);
  t.deepEqual(e.store.meta('pending-references'), [[mvGroup(e).id, 'hr\0a:99']]);

  // A full sync resolves every member again: the same value.
  await steps(e, 'grp full-sync');
  t.deepEqual([...(mvGroup(e).attrs['member'] as string[])].sort(), expected);
  // The waiting member arrives: its group is recomputed whole, and holds it.
  e.system('hr').put(person('99', { givenName: 'Late' }));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.deepEqual([...(mvGroup(e).attrs['member'] as string[])].sort(), membersOf(e, [...ids(20).filter((m) => m !== '3'), '25', '99']));
});

test('a removed member whose person is gone is not resolvable by value: the group is recomputed from every member', async (t) => {
  const e = await setUp();
  e.system('hr').remove('5');
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(mvBy(e, 'employeeId', '5'), undefined);
  const lookups = countReads(e.store.cs('hr'), ['refByAnchor']);
  e.system('grp').put(group([...ids(20).filter((m) => m !== '5'), '21']));
  await steps(e, 'grp delta-import', 'grp delta-sync');
  t.true(lookups.n >= 20, `every member resolved (${lookups.n} lookups)`);
  t.deepEqual([...(mvGroup(e).attrs['member'] as string[])].sort(), membersOf(e, [...ids(20).filter((m) => m !== '5'), '21']));
});
