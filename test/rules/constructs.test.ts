/** Every construct of the language lands in the compiled model. */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { compileOne } from '../helpers/rules.ts';

const text = readFileSync(new URL('../fixtures/rules/full.sync', import.meta.url), 'utf8');
const model = compileOne(text).model!;

test('metaverse schema: types, multi, indexed, references', (t) => {
  const person = model.schema.get('person')!;
  t.is(person.attributes.get('employeeId')!.indexed, true);
  t.is(person.attributes.get('proxyAddresses')!.multi, true);
  t.deepEqual({ ...person.attributes.get('manager')! }, { name: 'manager', type: 'reference', refType: 'person', multi: false, indexed: false });
  t.is(model.schema.get('group')!.attributes.get('member')!.multi, true);
});

test('agents: type, settings, object types, anchors, inclusion list, threshold', (t) => {
  const hr = model.agents.get('hr')!;
  t.is(hr.type, 'csv');
  t.is(hr.settings['path'], 'hr.csv');
  t.deepEqual(hr.objectTypes.get('person')!.anchor, ['employeeId']);
  t.deepEqual(hr.deletionThreshold, { count: 500, percent: undefined }, 'Azure AD Connect default of 500');
  t.deepEqual(model.agents.get('ad')!.deletionThreshold, { count: 50, percent: 10 });
});

test('inbound: filter, join groups, conditional projection, flows with kinds, precedence and merge', (t) => {
  const r = model.inbound[0]!;
  t.truthy(r.filter);
  t.is(r.joinGroups.length, 1);
  t.is(r.joinGroups[0]![0]!.mvAttribute, 'employeeId');
  t.truthy(r.project?.when);
  const byTarget = Object.fromEntries(r.flows.map((f) => [f.target, f]));
  t.is(byTarget['employeeId']!.kind, 'direct');
  t.is(byTarget['displayName']!.kind, 'expression');
  t.is(byTarget['displayName']!.precedence, 10);
  t.is(byTarget['manager']!.reference, true);
  t.is(byTarget['proxyAddresses']!.merge, 'merge-case-insensitive');
  t.deepEqual(byTarget['displayName']!.source, { file: 'test.sync', line: 47, column: 8 });
  t.is(byTarget['displayName']!.evaluate({ givenName: ' Ann ', sn: 'Lee' }, {}), 'Ann Lee');
});

test('DN-component and constant flows', (t) => {
  const m = compileOne(text.replace('flow status <- [status]', 'flow status <- "Active"\n  flow department <- dn 2')).model!;
  const flows = Object.fromEntries(m.inbound[0]!.flows.map((f) => [f.target, f]));
  t.is(flows['status']!.kind, 'constant');
  t.is(flows['department']!.kind, 'dn-part');
  t.is(flows['department']!.evaluate({ dn: 'CN=Ann,OU=Sales,DC=corp' }, {}), 'Sales');
});

test('outbound: scope, provisioning, DN, once, references, deprovisioning with grace', (t) => {
  const r = model.outbound[0]!;
  t.truthy(r.scope);
  t.truthy(r.provision?.when);
  t.is(r.dn!({ displayName: 'Smith, John', department: 'Sales' }, {}), 'CN=Smith\\, John,OU=Sales,DC=corp,DC=example,DC=com');
  const flows = Object.fromEntries(r.flows.map((f) => [f.target, f]));
  t.true(flows['sAMAccountName']!.once);
  t.is(flows['manager']!.referenceAttribute, 'manager');
  t.is(r.deprovision.action, 'disable');
  t.is(r.deprovision.flows[0]!.evaluate({ userAccountControl: 512 }, {}), 514);
  t.is(r.deprovision.deleteAfterMs, 30 * 86_400_000);
});

test('allow-null and the other deprovisioning actions', (t) => {
  for (const action of ['disconnect', 'explicit-disconnect', 'delete']) {
    const src = text.replace(/deprovision disable \{[^}]*\} then delete after 30d/, `deprovision ${action}`).replace('flow displayName <- [displayName]', 'flow displayName <- [displayName] allow-null');
    const r = compileOne(src);
    t.truthy(r.model, JSON.stringify(r.diagnostics));
    t.is(r.model!.outbound[0]!.deprovision.action as string, action);
    t.true(r.model!.outbound[0]!.flows.find((f) => f.target === 'displayName')!.allowNull);
  }
});

test('metaverse deletion rules, run profiles and schedules', (t) => {
  t.deepEqual({ ...model.deletion.get('person')! }, { mvType: 'person', mode: 'last-connector', agents: ['ad'], graceMs: 7 * 86_400_000 });
  const steps = model.profiles.get('delta-cycle')!.steps;
  t.deepEqual(steps.map((s) => `${s.agent}:${s.type}`), ['hr:delta-import', 'hr:delta-sync', 'ad:export']);
  t.is(steps[0]!.pageSize, 500);
  t.is(steps[2]!.batchSize, 100);
  t.deepEqual(model.schedules, [{ name: 'every-30', profile: 'delta-cycle', everyMs: 1_800_000, cron: undefined }]);
  const m = compileOne(text.replace('deletion person when last-connector except ad grace 7d', 'deletion person when connector-from hr') + '\nprofile full { step hr full-import-full-sync limit 10 }\nschedule nightly run full cron "0 2 * * *"\n').model!;
  t.deepEqual(m.deletion.get('person')!.agents, ['hr']);
  t.deepEqual(m.profiles.get('full')!.steps.map((s) => s.type), ['full-import', 'full-sync']);
  t.is(m.schedules[1]!.cron, '0 2 * * *');
});

test('the aadc dialect gives pasted AADC expressions their meaning', (t) => {
  const src = text.replace('inbound "HR people" from hr.person to person precedence 10 {', 'inbound "HR people" from hr.person to person precedence 10 dialect aadc {')
    .replace('flow status <- [status]', 'flow status <- Switch([status]="A", "Active", [status]="T", "Terminated")');
  const m = compileOne(src).model!;
  t.is(m.inbound[0]!.flows.find((f) => f.target === 'status')!.evaluate({ status: 'T' }, {}), 'Terminated');
});
