/** Inbound synchronization: join, projection, precedence, null semantics, filters, deletion rules. */
import test from 'ava';
import { adByName, basicRules, countReads, mvBy, person, steps, testEngine } from '../helpers/engine.ts';
import { previewObject } from '../../engine/preview.ts';

const worker = (id: string, attrs: Record<string, string>) => ({ anchor: id, dn: `workerId=${id}`, objectType: 'worker', attrs: { workerId: id, ...attrs } });

test('projection and join: a second source joins the person the first projected', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { mail: 'ann@x' }));
  e.system('hr2').put(worker('w1', { mail: 'ANN@x', title: 'Contractor' }));
  const [, sync1, , sync2] = await steps(e, 'hr full-import', 'hr full-sync', 'hr2 full-import', 'hr2 full-sync');
  t.is(sync1!.counters['disconnector-projected'], 1);
  t.is(sync2!.counters['disconnector-joined'], 1, 'joined on mail, case-insensitively');
  const mv = mvBy(e, 'employeeId', '1')!;
  t.deepEqual(mv.connectors.map((c) => c.agent).sort(), ['ad', 'hr', 'hr2']);
  t.is(mv.attrs['title'], 'Contractor', 'hr2 is the only contributor of title');
});

test('precedence: the lower number wins, and falls back when the top contributor goes null', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { mail: 'ann@x', title: 'Manager' }));
  e.system('hr2').put(worker('w1', { mail: 'ann@x', title: 'Contractor' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'hr2 full-import', 'hr2 full-sync');
  t.is(mvBy(e, 'employeeId', '1')!.attrs['title'], 'Manager');
  t.is(mvBy(e, 'employeeId', '1')!.lineage['title']!.agent, 'hr');
  const { title: _drop, ...rest } = person('1', { mail: 'ann@x' }).attrs as Record<string, string>;
  e.system('hr').put({ ...person('1'), attrs: rest });
  await steps(e, 'hr delta-import', 'hr delta-sync');
  const mv = mvBy(e, 'employeeId', '1')!;
  t.is(mv.attrs['title'], 'Contractor', 'NULL from hr lets hr2 contribute');
  t.is(mv.lineage['title']!.agent, 'hr2');
});

test('AuthoritativeNull blocks lower precedences', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { mail: 'ann@x' }));
  e.system('hr2').put(worker('w1', { employeeId: '1', mail: 'other@x' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'hr2 full-import', 'hr2 full-sync');
  t.is(mvBy(e, 'employeeId', '1')!.attrs['mail'], 'ann@x');
  e.system('hr').put(person('1', { mail: 'ann@x', status: 'void' }));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(mvBy(e, 'employeeId', '1')!.attrs['mail'], undefined, 'hr says AuthoritativeNull: hr2 may not contribute');
});

test('an ambiguous join is an error on the object, never a guess', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { mail: 'same@x' }));
  e.system('hr').put(person('2', { mail: 'same@x', givenName: 'Bea' }));
  e.system('hr2').put(worker('w1', { mail: 'same@x' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'hr2 full-import');
  const [sync] = await steps(e, 'hr2 full-sync');
  t.is(sync!.counters['disconnector-joined'], undefined);
  t.regex(sync!.errors[0]!.message, /ambiguous join: group 1 found 2 metaverse objects/);
  const cs = [...e.store.cs('hr2').values()][0]!;
  t.is(cs.state, 'disconnector');
  t.is(cs.mvId, null);
  t.is(e.store.mvCount, 2, 'nothing projected either');
});

test('a group with several candidates moves to the next group, which may find exactly one', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { mail: 'same@x' }));
  e.system('hr').put(person('2', { mail: 'same@x' }));
  e.system('hr2').put(worker('w1', { mail: 'same@x', employeeId: '2' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'hr2 full-import', 'hr2 full-sync');
  t.is(mvBy(e, 'employeeId', '2')!.connectors.length, 2);
});

test('a connector filter disconnects a joined object and fires the deletion rule', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  await steps(e, 'hr full-import', 'hr full-sync');
  const id = mvBy(e, 'employeeId', '1')!.id;
  e.system('hr').put(person('1', { status: 'test' }));
  const [, sync] = await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(sync!.counters['connector-filtered'], 1);
  t.is([...e.store.cs('hr').values()][0]!.state, 'filtered-disconnector');
  t.is(e.store.mv(id), undefined, 'last connector (ad excluded) gone: the person is deleted');
  t.is(sync!.counters['mv-deleted'], 1);
});

test('a deleted source object removes its connector; the deletion rule deletes the person', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  e.system('hr').put(person('2'));
  await steps(e, 'hr full-import', 'hr full-sync');
  e.system('hr').remove('1');
  const [imp, sync] = await steps(e, 'hr full-import', 'hr delta-sync');
  t.is(imp!.counters['stage-delete'], 1);
  t.is(sync!.counters['connector-delete'], 1);
  t.is(mvBy(e, 'employeeId', '1'), undefined);
  t.truthy(mvBy(e, 'employeeId', '2'));
  t.is(e.store.cs('hr').size, 1);
});

test('deletion grace period: the person survives until it ends, and a returning connector cancels it', async (t) => {
  // With a grace period the HR values are kept (recall = false), so the returning record joins again.
  const e = testEngine(basicRules.replace('deletion person when last-connector except ad', 'deletion person when last-connector except ad grace 7d').replace('seed = "$seed-hr"', 'seed = "$seed-hr"\n  recall = false'));
  e.system('hr').put(person('1'));
  await steps(e, 'hr full-import', 'hr full-sync');
  const id = mvBy(e, 'employeeId', '1')!.id;
  e.system('hr').put(person('1', { status: 'test' }));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.truthy(e.store.mv(id)?.deleteAt, 'scheduled, not deleted');
  e.advance(2 * 86_400_000);
  e.system('hr').put(person('1'));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(e.store.mv(id)?.deleteAt, null, 'the connector came back: deletion cancelled');
  e.system('hr').put(person('1', { status: 'test' }));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  e.advance(6 * 86_400_000);
  await steps(e, 'hr delta-sync');
  t.truthy(e.store.mv(id), 'grace period not over yet');
  e.advance(2 * 86_400_000);
  await steps(e, 'hr delta-sync');
  t.is(e.store.mv(id), undefined, 'deleted once the grace period is over');
});

test('joins are sticky: changing the join attribute does not disjoin', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { mail: 'ann@x' }));
  e.system('hr2').put(worker('w1', { mail: 'ann@x' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'hr2 full-import', 'hr2 full-sync');
  e.system('hr2').put(worker('w1', { mail: 'changed@x' }));
  await steps(e, 'hr2 delta-import', 'hr2 delta-sync');
  t.is([...e.store.cs('hr2').values()][0]!.state, 'connector');
});

test('delta sync processes only objects with pending imports', async (t) => {
  const e = testEngine(basicRules);
  for (let i = 0; i < 20; i++) e.system('hr').put(person(String(i)));
  await steps(e, 'hr full-import', 'hr full-sync');
  e.system('hr').put(person('3', { title: 'Boss' }));
  const [imp, sync] = await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(imp!.counters['stage-update'], 1);
  t.is(sync!.counters['objects-processed'], 1);
  t.is(mvBy(e, 'employeeId', '3')!.attrs['title'], 'Boss');
});

test('lineage says which agent, object, rule and file:line gave each value', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  await steps(e, 'hr full-import', 'hr full-sync');
  const mv = mvBy(e, 'employeeId', '1')!;
  t.like(mv.lineage['displayName'], { agent: 'hr', rule: 'hr people' });
  const { explainLineage } = await import('../../engine/inspect.ts');
  const row = explainLineage(e.ctx.rules, e.store, mv).find((r) => r.attribute === 'displayName')!;
  t.like(row, { agent: 'hr', anchor: '1', rule: 'hr people', expression: 'Trim([givenName]) & " " & Trim([sn])', value: 'Ann Lee' });
  t.regex(row.where, /^test\.sync:\d+$/);
  t.truthy(adByName);
});

test('do not recall: an agent with recall = false leaves its values when it disconnects', async (t) => {
  const rules = basicRules.replace('seed = "$seed-hr2"', 'seed = "$seed-hr2"\n  recall = false');
  const e = testEngine(rules);
  e.system('hr').put(person('1', { mail: 'ann@x' }));
  e.system('hr2').put(worker('w1', { mail: 'ann@x', title: 'Contractor' }));
  e.system('hr2').put(worker('w2', { mail: 'other@x' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'hr2 full-import', 'hr2 full-sync');
  e.system('hr2').remove('w1');
  await steps(e, 'hr2 full-import', 'hr2 delta-sync');
  t.is(mvBy(e, 'employeeId', '1')!.attrs['title'], 'Contractor');
});

test('recall (default): a disconnected agent\'s values leave the metaverse', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { mail: 'ann@x' }));
  e.system('hr2').put(worker('w1', { mail: 'ann@x', title: 'Contractor' }));
  e.system('hr2').put(worker('w2', { mail: 'other@x' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'hr2 full-import', 'hr2 full-sync');
  e.system('hr2').remove('w1');
  await steps(e, 'hr2 full-import', 'hr2 delta-sync');
  t.is(mvBy(e, 'employeeId', '1')!.attrs['title'], undefined);
});

// A rule that only joins, as a cloud directory's rule does, gives no value: the same as no rule.
const joinOnlyAd = `${basicRules}
inbound "ad joins" from ad.user to person precedence 90 {
  join { group { match [mail] to [mail] } }
}`;
for (const [what, rules] of [['no inbound rule reads', basicRules], ['only a join rule reads', joinOnlyAd]] as const) test(`a connector ${what} does not recompute its object; outbound still reverts drift on it`, async (t) => {
  const e = testEngine(rules);
  e.system('hr').put(person('1', { mail: 'ann@x', title: 'Manager' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'ad export', 'ad full-import', 'ad full-sync');
  const ad = [...e.store.cs('ad').values()][0]!;
  // Changed in AD by hand.
  e.system('ad').put({ anchor: ad.anchor!, dn: ad.dn, objectType: 'user', attrs: { ...ad.hologram, title: 'Hacker' } });
  await steps(e, 'ad full-import');
  const preview = await previewObject(e.ctx, 'ad', ad.anchor!, false);
  t.true(preview.lines.includes('no inbound rule flows a value from this object and it gave no value its metaverse object holds: attributes not recomputed'), preview.lines.join('\n'));
  t.false(preview.lines.some((l) => / from hr by /.test(l)), 'no attribute flowed in again');
  t.true(preview.lines.some((l) => l.startsWith('title: "Hacker" -> "Manager"')), 'outbound still compares it');
  await steps(e, 'ad delta-sync');
  t.like(e.store.cs('ad').get(ad.id)?.pendingExport?.changes, { title: { op: 'replace', value: 'Manager' } });
});

test('a connector whose inbound rule was removed is still recomputed, so the values it gave are recalled', async (t) => {
  // Title comes from AD alone here.
  const rules = basicRules.replace('  flow title <- [title]\n  flow manager', '  flow manager');
  const withAdRule = `${rules}
inbound "ad back" from ad.user to person precedence 90 {
  flow title <- [sAMAccountName]
}`;
  const e = testEngine(withAdRule);
  e.system('hr').put(person('1', { mail: 'ann@x' }));
  await steps(e, 'hr full-import', 'hr full-sync', 'ad export', 'ad full-import', 'ad full-sync');
  t.is(mvBy(e, 'employeeId', '1')!.attrs['title'], 'alee');
  // The rule is gone: a full sync of ad recalls what it gave.
  const next = testEngine(rules, { store: e.store });
  await steps(next, 'ad full-sync');
  t.is(mvBy(next, 'employeeId', '1')!.attrs['title'], undefined);
});

// AD gives the account name, which nobody else flows, and a title below HR's.
const adGives = `${basicRules.replace('  mail: string indexed\n}', '  mail: string indexed\n  accountName: string\n}')}
inbound "ad back" from ad.user to person precedence 90 {
  flow accountName <- [sAMAccountName]
  flow title <- "From AD"
}`;

test("a connector's sync recomputes only what its rules flow: another source is read only for an attribute both give", async (t) => {
  const only = testEngine(adGives.replace('  flow title <- "From AD"\n', ''));
  only.system('hr').put(person('1', { mail: 'ann@x', title: 'Manager' }));
  await steps(only, 'hr full-import', 'hr full-sync', 'ad export', 'ad full-import');
  let reads = countReads(only.store.cs('hr'));
  await steps(only, 'ad full-sync');
  t.is(mvBy(only, 'employeeId', '1')!.attrs['accountName'], 'alee');
  t.is(reads.n, 0, 'no HR value can change: HR is not read');

  const shared = testEngine(adGives);
  shared.system('hr').put(person('1', { mail: 'ann@x', title: 'Manager' }));
  await steps(shared, 'hr full-import', 'hr full-sync', 'ad export', 'ad full-import');
  reads = countReads(shared.store.cs('hr'));
  await steps(shared, 'ad full-sync');
  const mv = mvBy(shared, 'employeeId', '1')!;
  t.is(mv.attrs['accountName'], 'alee');
  t.is(mv.attrs['title'], 'Manager', "HR's precedence still wins the title AD also gives");
  t.is(mv.lineage['title']!.agent, 'hr');
  t.true(reads.n > 0);
  // HR stops giving a title: its own sync falls back to AD's.
  const { title: _drop, ...rest } = person('1', { mail: 'ann@x' }).attrs as Record<string, string>;
  shared.system('hr').put({ ...person('1'), attrs: rest });
  await steps(shared, 'hr delta-import', 'hr delta-sync');
  t.is(mvBy(shared, 'employeeId', '1')!.attrs['title'], 'From AD');
});
