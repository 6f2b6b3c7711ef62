/** Outbound synchronization and export: provisioning, renames, deprovisioning, confirmation, references, safety. */
import test from 'ava';
import { adByName, basicRules, countReads, mvBy, person, steps, testEngine } from '../helpers/engine.ts';
import { STAGING_KEY, createEngine, runExport, runImport, runSync } from '../../engine/index.ts';
import { compileSources } from '../../rules/index.ts';
import { MemoryStore } from '../../data/store-state.ts';
import type { Store } from '../../data/store.ts';

const cycle = ['hr full-import', 'hr full-sync', 'ad export'];

test('provisioning, then deprovisioning: disable at termination, delete after the grace period', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  e.system('hr').put(person('2', { givenName: 'Bob' }));
  await steps(e, ...cycle);
  const ann = adByName(e, 'Ann Lee')!;
  t.is(ann.dn, 'CN=Ann Lee,OU=Sales,DC=corp');
  t.is(ann.attrs['userAccountControl'], 512);
  await steps(e, 'ad full-import', 'ad delta-sync');
  e.system('hr').put(person('1', { status: 'pending' }));
  const [, sync, exp] = await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  t.is(sync!.counters['ad/deprovisioned'], 1);
  t.is(exp!.counters['export-update'], 1);
  t.is(adByName(e, 'Ann Lee')!.attrs['userAccountControl'], 514, 'disabled: BitOr(512, 2)');
  e.advance(31 * 86_400_000);
  await steps(e, 'hr delta-sync', 'ad export');
  t.is(adByName(e, 'Ann Lee'), undefined, 'deleted after 30 days');
  t.truthy(adByName(e, 'Bob Lee'));
});

test('a rehire inside the grace period re-enables the account instead of deleting it', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  await steps(e, ...cycle, 'ad full-import', 'ad delta-sync');
  e.system('hr').put(person('1', { status: 'pending' }));
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export', 'ad full-import', 'ad delta-sync');
  t.is(adByName(e, 'Ann Lee')!.attrs['userAccountControl'], 514);
  e.advance(5 * 86_400_000);
  e.system('hr').put(person('1'));
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  t.is(adByName(e, 'Ann Lee')!.attrs['userAccountControl'], 512);
  e.advance(40 * 86_400_000);
  await steps(e, 'hr delta-sync', 'ad export');
  t.truthy(adByName(e, 'Ann Lee'), 'the scheduled delete was cancelled');
});

test('rename and move when the DN expression changes', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  await steps(e, ...cycle, 'ad full-import', 'ad delta-sync');
  const anchor = adByName(e, 'Ann Lee')!.anchor;
  e.system('hr').put(person('1', { department: 'Legal', sn: 'Smith' }));
  const [, sync, exp] = await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  t.is(sync!.counters['ad/provisioned-rename'], 1);
  t.is(exp!.counters['export-rename'], 1);
  const moved = e.system('ad').objects.get(anchor)!;
  t.is(moved.dn, 'CN=Ann Smith,OU=Legal,DC=corp', 'same anchor, new DN: a rename, not a delete-add');
  t.is(moved.attrs['department'], 'Legal');
});

test('an unconfirmed export is re-sent on every export until an import confirms it', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  await steps(e, ...cycle, 'ad full-import', 'ad delta-sync');
  e.system('hr').put(person('1', { title: 'Engineer' }));
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  const log = e.system('ad').exportLog;
  const before = log.length;
  // The target silently dropped the value (as some systems do).
  const ann = adByName(e, 'Ann Lee')!;
  const { title: _t, ...rest } = ann.attrs;
  e.system('ad').objects.set(ann.anchor, { ...ann, attrs: rest });
  const [exp] = await steps(e, 'ad export');
  t.is(log.length, before + 1, 'sent again');
  t.deepEqual(log.at(-1)!.changes['title'], { op: 'replace', value: 'Engineer' });
  t.is(exp!.counters['export-update'], 1);
  t.is(adByName(e, 'Ann Lee')!.attrs['title'], 'Engineer');
});

test('a confirming import clears the unconfirmed export: nothing more is sent', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  await steps(e, ...cycle);
  const cs = [...e.store.cs('ad').values()][0]!;
  t.truthy(cs.unconfirmed, 'awaiting confirmation after export');
  const [imp, sync] = await steps(e, 'ad full-import', 'ad delta-sync');
  t.is(imp!.counters['stage-update'], 1, 'the export object becomes an import object');
  const after = e.store.cs('ad').get(cs.id)!;
  t.is(after.unconfirmed, null);
  t.is(after.pendingExport, null);
  t.is(sync!.counters['ad/connector-flow'], undefined, 'nothing staged when nothing changed');
  const before = e.system('ad').exportLog.length;
  await steps(e, 'ad export');
  t.is(e.system('ad').exportLog.length, before);
});

test('drift: a value changed in the target is reverted on the next export where the source is authoritative', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { title: 'Engineer' }));
  await steps(e, ...cycle, 'ad full-import', 'ad delta-sync');
  const ann = adByName(e, 'Ann Lee')!;
  e.system('ad').put({ ...ann, attrs: { ...ann.attrs, title: 'CEO' } });
  const [, sync] = await steps(e, 'ad delta-import', 'ad delta-sync', 'ad export');
  t.is(sync!.counters['ad/connector-flow'], 1);
  t.is(adByName(e, 'Ann Lee')!.attrs['title'], 'Engineer');
});

test('a reference to an object not yet provisioned waits and is exported once it exists', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { givenName: 'Boss', status: 'onboarding' }));
  e.system('hr').put(person('2', { givenName: 'Emp', managerId: 'employeeId=1' }));
  await steps(e, ...cycle);
  t.is(adByName(e, 'Emp Lee')!.attrs['manager'], undefined, 'the manager is not in AD yet');
  t.true(e.store.meta<string[]>('pending-references')!.length > 0);
  e.system('hr').put(person('1', { givenName: 'Boss', status: 'active' }));
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  t.is(adByName(e, 'Emp Lee')!.attrs['manager'], 'CN=Boss Lee,OU=Sales,DC=corp');
});

test('an unresolved inbound reference becomes a placeholder, never a lost value', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('2', { givenName: 'Emp', managerId: 'employeeId=9' }));
  await steps(e, 'hr full-import', 'hr full-sync');
  const placeholder = [...e.store.cs('hr').values()].find((c) => c.state === 'placeholder');
  t.is(placeholder?.dn, 'employeeId=9');
  e.system('hr').put(person('9', { givenName: 'Late' }));
  await steps(e, 'hr delta-import', 'hr delta-sync');
  t.is(mvBy(e, 'employeeId', '2')!.attrs['manager'], mvBy(e, 'employeeId', '9')!.id);
  t.is([...e.store.cs('hr').values()].filter((c) => c.state === 'placeholder').length, 0, 'the placeholder became the real object');
});

test('references in a second export pass when the agent asks for it', async (t) => {
  const e = testEngine(basicRules);
  e.system('ad').capabilities = { ...e.system('ad').capabilities, referencesInSecondPass: true };
  e.system('hr').put(person('1', { givenName: 'Boss' }));
  e.system('hr').put(person('2', { givenName: 'Emp', managerId: 'employeeId=1' }));
  const [, , exp] = await steps(e, ...cycle);
  const adds = e.system('ad').exportLog.filter((r) => r.op === 'add');
  t.true(adds.every((r) => !('manager' in r.changes)), 'no reference values in the first pass');
  t.is(e.system('ad').exportLog.filter((r) => r.op === 'update' && 'manager' in r.changes).length, 1);
  t.regex(exp!.notes.join(), /second pass/);
  t.is(adByName(e, 'Emp Lee')!.attrs['manager'], 'CN=Boss Lee,OU=Sales,DC=corp');
});

test('the deletion threshold stops an export before anything is sent; --allow-deletes overrides it once', async (t) => {
  const e = testEngine(basicRules);
  for (let i = 0; i < 6; i++) e.system('hr').put(person(String(i), { givenName: `P${i}` }));
  await steps(e, ...cycle, 'ad full-import', 'ad delta-sync');
  for (let i = 0; i < 4; i++) e.system('hr').put(person(String(i), { givenName: `P${i}`, status: 'pending' }));
  const before = e.system('ad').exportLog.length;
  const [, , exp] = await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  t.is(exp!.status, 'stopped-deletion-threshold-exceeded');
  t.is(e.system('ad').exportLog.length, before, 'nothing sent');
  const [again] = await steps(e, 'ad export --allow-deletes');
  t.is(again!.status, 'success');
  t.is(again!.counters['export-update'], 4);
});

test('staging mode: import and sync run, export never sends', async (t) => {
  const e = testEngine(basicRules);
  const tx = e.store.begin();
  tx.setMeta(STAGING_KEY, true);
  await tx.commit();
  e.system('hr').put(person('1'));
  const [, , exp] = await steps(e, ...cycle);
  t.is(e.system('ad').objects.size, 0);
  t.is(exp!.counters['pending-exports'], 1);
  t.regex(exp!.notes[0]!, /staging mode/);
});

test('export errors: recorded per object with attempts and backoff, retried later', async (t) => {
  const e = testEngine(basicRules);
  e.system('ad').fail({ message: 'server busy', retryable: true, times: 1 });
  e.system('hr').put(person('1'));
  const [, , exp] = await steps(e, ...cycle);
  t.is(exp!.status, 'completed-errors');
  const cs = [...e.store.cs('ad').values()][0]!;
  t.like(cs.exportError, { message: 'server busy', retryable: true, attempts: 1 });
  const [skipped] = await steps(e, 'ad export');
  t.is(skipped!.counters['export-add'], undefined, 'backing off');
  e.advance(2 * 60_000);
  const [retried] = await steps(e, 'ad export');
  t.is(retried!.counters['export-add'], 1);
});

test('an add that meets "already exists" joins the existing object instead of duplicating it', async (t) => {
  const e = testEngine(basicRules);
  const existing = e.system('ad').put({ dn: 'CN=Ann Lee,OU=Sales,DC=corp', objectType: 'user', attrs: { displayName: 'Ann Lee', sAMAccountName: 'ann.old' } });
  e.system('hr').put(person('1'));
  const [, , exp] = await steps(e, ...cycle);
  t.is(exp!.counters['export-discovered'], 1);
  await steps(e, 'ad export');
  t.is(e.system('ad').objects.size, 1, 'no duplicate');
  t.is([...e.store.cs('ad').values()][0]!.anchor, existing.anchor);
});

test('SelectUniqueValue gives two people with the same name different account names', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { department: 'Sales' }));
  e.system('hr').put(person('2', { department: 'Legal' }));
  await steps(e, ...cycle);
  const names = [...e.system('ad').objects.values()].map((o) => o.attrs['sAMAccountName']).sort();
  t.deepEqual(names, ['alee', 'anlee']);
});

test('SelectUniqueValue does not hand out a value held only by a pending export of an earlier run, nor one confirmed in the target', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { department: 'Sales' }));
  await steps(e, 'hr full-import', 'hr full-sync');
  // Ann's account name is only staged (not exported): a later run must still see it as taken.
  e.system('hr').put(person('2', { department: 'Legal' }));
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export', 'ad full-import', 'ad delta-sync');
  e.system('hr').put(person('3', { department: 'Ops' }));
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  const names = [...e.system('ad').objects.values()].map((o) => o.attrs['sAMAccountName']).sort();
  // Both candidates are taken by then: the third Ann Lee gets no account name rather than a duplicate.
  t.deepEqual(names, ['alee', 'anlee', undefined]);
});

test('SelectUniqueValue is found whatever case it is written in, like every function name', async (t) => {
  const e = testEngine(basicRules.replace('SelectUniqueValue(', 'selectuniquevalue('));
  e.system('hr').put(person('1', { department: 'Sales' }));
  e.system('hr').put(person('2', { department: 'Legal' }));
  await steps(e, ...cycle);
  const names = [...e.system('ad').objects.values()].map((o) => o.attrs['sAMAccountName']).sort();
  t.deepEqual(names, ['alee', 'anlee']);
});

test('allow-null exports a deletion; flows without it leave the target value', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { title: 'Engineer' }));
  await steps(e, ...cycle, 'ad full-import', 'ad delta-sync');
  e.system('hr').put(person('1', { department: 'Sales' }));
  const { department: _d, ...noDept } = person('1').attrs;
  e.system('hr').put({ ...person('1'), attrs: noDept });
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export');
  const ann = [...e.system('ad').objects.values()][0]!;
  t.is(ann.attrs['title'], undefined, 'title allows null: removed');
  t.is(ann.attrs['department'], 'Sales', 'department does not: kept');
});

test('a DN whose first value is empty is refused; escaped characters at the end of a value are not mistaken for it', async (t) => {
  const rules = basicRules.replace('dn "CN=" & EscapeDNComponent([displayName]) & ",OU=" & [department] & ",DC=corp"', 'dn "CN=" & EscapeDNComponent([title]) & ",OU=" & [department] & ",DC=corp"');
  const e = testEngine(rules);
  e.system('hr').put(person('1', { title: 'Ends with =' }));
  e.system('hr').put(person('2'));
  const [, sync] = await steps(e, 'hr full-import', 'hr full-sync');
  const dns = [...e.store.cs('ad').values()].map((c) => c.dn);
  t.deepEqual(dns, ['CN=Ends with \\=,OU=Sales,DC=corp']);
  t.regex(sync!.errors.map((x) => x.message).join(), /gave 'CN=,OU=Sales,DC=corp', whose first component has no value/);
});

test('a sync flushed in small chunks resolves references to objects later in the run, and ends as one flush does', async (t) => {
  // Reports come before their manager, so every report's chunk is flushed while the manager is not projected yet.
  const names = ['Ann', 'Bea', 'Cal', 'Dan', 'Eve', 'Fay'];
  const load = (e: ReturnType<typeof testEngine>) => {
    names.forEach((givenName, i) => e.system('hr').put(person(String(i + 2), { givenName, managerId: 'employeeId=1' })));
    e.system('hr').put(person('1', { givenName: 'Boss' }));
  };
  const run = async (chunk: number | undefined) => {
    const e = testEngine(basicRules);
    load(e);
    await runImport(e.ctx, 'hr', 'full');
    const sync = await runSync(e.ctx, 'hr', 'full', chunk === undefined ? {} : { chunk });
    await runExport(e.ctx, 'ad');
    const ad = [...e.system('ad').objects.values()].map((o) => [o.dn, o.attrs['manager'] ?? null] as const).sort();
    return { e, sync, ad };
  };
  const chunked = await run(2);
  const whole = await run(undefined);
  t.is(chunked.ad.length, 7);
  for (const n of names) t.is(adByName(chunked.e, `${n} Lee`)?.attrs['manager'], 'CN=Boss Lee,OU=Sales,DC=corp', n);
  t.is(mvBy(chunked.e, 'employeeId', '4')!.attrs['manager'], mvBy(chunked.e, 'employeeId', '1')!.id);
  t.deepEqual(chunked.e.store.meta<string[]>('pending-references') ?? [], [], 'nothing left pending');
  t.deepEqual(chunked.ad, whole.ad, 'the same directory as with one flush');
  t.deepEqual(chunked.sync.errors, []);
});

test('an export reads each pending object once to send it and once to record its result', async (t) => {
  const e = testEngine(basicRules);
  for (const n of ['Ann', 'Bea', 'Cal']) e.system('hr').put(person(n, { givenName: n }));
  await steps(e, 'hr full-import', 'hr full-sync');
  const reads = countReads(e.store.cs('ad'));
  const [exp] = await steps(e, 'ad export');
  t.is(exp!.counters['export-add'], 3);
  t.is(reads.n, 6);
});

test('resolving a reference reads no object: the slot knows whether and where the target is joined', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1', { givenName: 'Boss' }));
  e.system('hr').put(person('2', { givenName: 'Emp', managerId: 'employeeId=1' }));
  await steps(e, 'hr full-import');
  const lookups = countReads(e.store.cs('hr'), ['byAnchor', 'byDn']);
  await steps(e, 'hr full-sync');
  t.is(mvBy(e, 'employeeId', '2')!.attrs['manager'], mvBy(e, 'employeeId', '1')!.id);
  t.is(lookups.n, 0);
});

test('waiting deprovision deletes are checked without reading the objects; an entry in the earlier form still deletes', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  e.system('hr').put(person('2', { givenName: 'Bob' }));
  await steps(e, ...cycle, 'ad full-import', 'ad delta-sync');
  e.system('hr').put(person('1', { status: 'pending' }));
  e.system('hr').put(person('2', { givenName: 'Bob', status: 'pending' }));
  await steps(e, 'hr delta-import', 'hr delta-sync', 'ad export', 'ad full-import', 'ad delta-sync');
  const scheduled = e.store.meta<string[]>('deprovision-deletes')!;
  t.is(scheduled.length, 2);
  const reads = countReads(e.store.cs('ad'));
  await steps(e, 'hr delta-sync');
  t.is(reads.n, 0, 'not due: nothing read');
  // One entry as earlier versions wrote it: agent and id only.
  const tx = e.store.begin();
  tx.setMeta('deprovision-deletes', [scheduled[0]!, scheduled[1]!.split('\0').slice(0, 2).join('\0')]);
  await tx.commit();
  e.advance(31 * 86_400_000);
  const [sync] = await steps(e, 'hr delta-sync');
  t.is(sync!.counters['ad/deprovisioned-delete'], 2);
  t.deepEqual(e.store.meta<string[]>('deprovision-deletes'), []);
});

test('each agent is told, when it is made, which attributes SelectUniqueValue will ask it about', (t) => {
  const calls: [string, readonly string[]][] = [];
  const spy = { name: 'ad', type: 'spy', capabilities: { deltaImport: false, export: false, referencesInSecondPass: false, valueLevelMultiValue: false, rename: false }, async *fullImport() {}, expectValueChecks: (type: string, attributes: readonly string[]) => { calls.push([type, attributes]); } };
  const r = compileSources(new Map([['test.sync', basicRules.replaceAll('$seed', 'x')]]));
  createEngine({ rules: r.model!, store: new MemoryStore() as unknown as Store, baseDir: process.cwd(), agents: new Map([['ad', spy]]) });
  t.deepEqual(calls, [['user', ['sAMAccountName']]]);
});

test('SelectUniqueValue in a DN reads no object to find a candidate taken: the slot says whose it is', async (t) => {
  const rules = basicRules.replace('dn "CN=" & EscapeDNComponent([displayName]) & ",OU=" & [department] & ",DC=corp"',
    'dn SelectUniqueValue("CN=" & EscapeDNComponent([displayName]) & ",DC=corp", "CN=" & EscapeDNComponent([displayName] & " " & [employeeId]) & ",DC=corp")');
  t.not(rules, basicRules);
  const e = testEngine(rules);
  e.system('hr').put(person('1'));
  await steps(e, 'hr full-import', 'hr full-sync');
  e.system('hr').put(person('2'));
  await steps(e, 'hr delta-import');
  const reads = countReads(e.store.cs('ad'), ['get', 'byAnchor', 'byDn']);
  await steps(e, 'hr delta-sync');
  t.deepEqual([...e.store.cs('ad').values()].map((o) => o.dn).sort(), ['CN=Ann Lee 2,DC=corp', 'CN=Ann Lee,DC=corp']);
  // Two reads, neither for the DN candidate taken (five before): provisioning looks up the DN it chose,
  // to take over a disconnector holding it, and sAMAccountName's check reads the holder of 'alee'.
  t.is(reads.n, 2);
});

test('a provisioning that fails part way leaves no connector behind: the next sync provisions the object whole', async (t) => {
  const e = testEngine(basicRules);
  e.system('hr').put(person('1'));
  // SelectUniqueValue asks the directory, which is down: the provisioning fails after its DN was chosen.
  e.system('ad').down = true;
  const [, failed] = await steps(e, 'hr full-import', 'hr full-sync');
  t.is(failed!.counters['flow-failure'], 1);
  t.deepEqual([...e.store.cs('ad').values()], []);
  t.deepEqual(e.store.mv(mvBy(e, 'employeeId', '1')!.id)!.connectors.map((c) => c.agent), ['hr']);
  e.system('ad').down = false;
  await steps(e, 'hr full-sync');
  const [staged] = [...e.store.cs('ad').values()];
  t.is(staged?.pendingExport?.op, 'add');
  await steps(e, 'ad export');
  t.is(adByName(e, 'Ann Lee')?.attrs['sAMAccountName'], 'alee');
});
