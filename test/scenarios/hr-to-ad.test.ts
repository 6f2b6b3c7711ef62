/**
 * Hybrid-basic against a real Samba AD DC: the demo's people land in AD under
 * OUs by department, with managers and department groups; a day of HR changes
 * produces the expected LDAP modifications; drift made directly in AD is
 * reverted; a server gone mid-export loses nothing and duplicates nothing.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { destroySamba, sharedSamba, type SambaDc } from '../helpers/samba.ts';
import { TcpRelay } from '../helpers/tcp-relay.ts';
import { adminClient, ensureOu, replace } from '../helpers/ad.ts';
import { generatePeople, departments } from '../../data/demo/people.ts';
import { writeSources } from '../../data/demo/write-sources.ts';
import { applyDayOfChanges, type DayOfChanges } from '../../data/demo/day-of-changes.ts';
import { openProject, runStep, type Project } from '../../engine/index.ts';
import type { StepType } from '../../data/model.ts';

let dc: SambaDc;
let owned = false;
let admin: Client;
/** The engine reaches the DC through it, so that a test can cut it without stopping the DC other files share. */
let relay: TcpRelay;
let project: Project;
let day: DayOfChanges;
const now = new Date('2026-03-02T09:00:00Z');
const run = randomBytes(3).toString('hex');
const root = `OU=hr${run},DC=corp,DC=example,DC=com`;

const rules = (dc: SambaDc) => `
object person {
  employeeId: string indexed
  givenName: string
  sn: string indexed
  displayName: string
  mail: string indexed
  department: string
  title: string
  manager: reference(person)
  status: string
  sourceAnchor: string
}
object group { code: string indexed  displayName: string  member: reference(person) multi }
deletion person when last-connector except ad

agent hr type csv {
  path = "sources/hr.csv"
  references-by = anchor
  object person { anchor employeeId attributes employeeId, givenName, sn, department, title, managerId, hireDate, status, mail }
}
agent departments type csv {
  path = "sources/departments.csv"
  multi-valued = "members"
  references-by = anchor
  references-agent = "hr"
  object department { anchor code attributes code, name, members }
}
agent ad type ldap {
  url = "${dc.url}"
  bind-dn = "${dc.adminDn}"
  password = env("IDSYNC_TEST_AD_PASSWORD")
  base-dn = "${dc.baseDn}"
  ca-file = "${dc.caFile}"
  tls-server-name = "${dc.serverName}"
  containers = "${root}"
  concurrency = 4
  object user { anchor objectGUID attributes objectGUID, sAMAccountName, userPrincipalName, givenName, sn, displayName, mail, department, title, manager, employeeID, userAccountControl, mS-DS-ConsistencyGuid }
  object group { anchor objectGUID attributes objectGUID, sAMAccountName, displayName, description, member }
}

inbound "hr" from hr.person to person precedence 10 {
  join { group { match [employeeId] to [employeeId] } }
  project when [status] <> "terminated"
  flow employeeId <- [employeeId]
  flow givenName <- [givenName]
  flow sn <- [sn]
  flow displayName <- [givenName] & " " & [sn]
  flow mail <- ToLower([mail])
  flow department <- [department]
  flow title <- [title]
  flow manager <- [managerId]
  flow status <- IIF([status] = "terminated", "terminated", IIF(CDate([hireDate]) > Now(), "prehire", "active"))
}
inbound "departments" from departments.department to group {
  join { group { match [code] to [code] } }
  project
  flow code <- [code]
  flow displayName <- [name]
  flow member <- [members]
}
inbound "ad users" from ad.user to person precedence 50 {
  join { group { match [employeeID] to [employeeId] } }
  // The sourceAnchor: ms-DS-ConsistencyGuid when set, else objectGUID, as Azure AD Connect.
  flow sourceAnchor <- IIF(IsPresent([mS-DS-ConsistencyGuid]), [mS-DS-ConsistencyGuid], ConvertToBase64(CGuid([objectGUID])))
}
outbound "ad users" from person to ad.user {
  scope [status] = "active"
  provision
  dn SelectUniqueValue("CN=" & EscapeDNComponent([displayName]) & ",OU=" & EscapeDNComponent([department]) & ",${root}", "CN=" & EscapeDNComponent([displayName] & " " & [employeeId]) & ",OU=" & EscapeDNComponent([department]) & ",${root}")
  flow sAMAccountName <- SelectUniqueValue(Left(Replace(ToLower(NormalizeDiacritics(Left([givenName], 1) & [sn])), , "[^a-z0-9]", , "", , ), 18), Left(Replace(ToLower(NormalizeDiacritics(Left([givenName], 2) & [sn])), , "[^a-z0-9]", , "", , ), 18), "u" & [employeeId] & "${run}") once
  flow userPrincipalName <- [employeeId] & "@t${run}.corp.example.com" once
  flow givenName <- [givenName]
  flow sn <- [sn]
  flow displayName <- [displayName]
  flow mail <- [mail]
  flow department <- [department]
  flow title <- [title] allow-null
  flow manager <- [manager] allow-null
  flow employeeID <- [employeeId] once
  flow userAccountControl <- 512 once
  // sourceAnchor writeback: written when empty, as Azure AD Connect writes objectGUID to ms-DS-ConsistencyGuid.
  flow mS-DS-ConsistencyGuid <- [sourceAnchor]
  deprovision disable {
    flow userAccountControl <- BitOr([userAccountControl], 2)
  } then delete after 30d
}
outbound "groups" from group to ad.group {
  provision
  dn "CN=" & EscapeDNComponent("Dept " & [displayName]) & ",OU=Groups,${root}"
  flow sAMAccountName <- "dept${run}" & ToLower([code]) once
  flow displayName <- [displayName]
  flow description <- [code]
  flow member <- [member]
  deprovision delete
}
`;

async function steps(...list: string[]) {
  const out = [];
  for (const s of list) {
    const [agent, type] = s.split(' ') as [string, StepType];
    out.push(await runStep(project.engine, agent, type, { batchSize: 25 }));
  }
  return out;
}
const user = async (employeeID: string) => (await admin.search(root, { scope: 'sub', filter: `(employeeID=${employeeID})`, attributes: ['sAMAccountName', 'manager', 'userAccountControl', 'title', 'department', 'mS-DS-ConsistencyGuid'], explicitBufferAttributes: ['mS-DS-ConsistencyGuid'] })).searchEntries[0];

test.before(async () => {
  ({ dc, owned } = await sharedSamba());
  admin = await adminClient(dc);
  await ensureOu(admin, root);
  await ensureOu(admin, `OU=Groups,${root}`);
  for (const [, name] of departments) await ensureOu(admin, `OU=${name},${root}`);
  await ensureOu(admin, `OU=Customer Success,${root}`);
  process.env['IDSYNC_TEST_AD_PASSWORD'] = dc.password;
  const dir = await mkdtemp(join(tmpdir(), 'idsync-hr-ad-'));
  relay = await TcpRelay.to('127.0.0.1', Number(new URL(dc.url).port || 636));
  await writeFile(join(dir, 'rules.sync'), rules({ ...dc, url: `ldaps://127.0.0.1:${relay.port}` }));
  const people = generatePeople(60, now).map((p) => ({ ...p, source: p.source === 'workday' ? ('hr' as const) : p.source }));
  await writeSources(dir, people);
  project = await openProject(dir, { now: () => now });
  const full = await steps('hr full-import', 'hr full-sync', 'departments full-import', 'departments full-sync', 'ad export', 'ad full-import', 'ad full-sync', 'ad export', 'ad full-import', 'ad delta-sync');
  for (const r of full) if (r.status !== 'success') throw new Error(`${r.agent} ${r.step}: ${r.status} ${JSON.stringify(r.errors.slice(0, 3))}`);
  day = applyDayOfChanges(people, now);
  await writeSources(dir, day.people, day.deptNames);
});
test.after.always(async () => {
  await project?.close();
  await relay?.close();
  await admin?.unbind().catch(() => {});
  if (owned) await destroySamba(dc);
});

test.serial('the full cycle: people in OUs by department, managers as DNs, department groups with members, sourceAnchor written back', async (t) => {
  const users = (await admin.search(root, { scope: 'sub', filter: '(&(objectCategory=person)(objectClass=user))', attributes: ['manager', 'department'] })).searchEntries;
  t.true(users.length >= 50, `${users.length} users`);
  for (const u of users) t.true(u.dn.includes(`,OU=${u['department']},`), `${u.dn} is in its department's OU`);
  // ldapts gives [] for a requested attribute the entry lacks.
  const withManager = users.filter((u) => typeof u['manager'] === 'string' && u['manager'] !== '');
  t.true(withManager.length > 40);
  for (const u of withManager) t.truthy(users.find((m) => m.dn === u['manager']), `manager of ${u.dn} exists: ${String(u['manager'])}`);
  const sales = (await admin.search(`OU=Groups,${root}`, { scope: 'one', filter: '(description=D02)', attributes: ['member'] })).searchEntries[0]!;
  t.true([sales['member']].flat().length > 2);
  const u = await user('100001');
  t.is((u!['mS-DS-ConsistencyGuid'] as Buffer).length, 16, 'ms-DS-ConsistencyGuid written from objectGUID');
});

test.serial('a day of HR changes produces exactly the expected LDAP modifications, and a confirming import leaves nothing pending', async (t) => {
  const before = await user(day.ids.newHire);
  t.is(before, undefined);
  const results = await steps('hr delta-import', 'hr delta-sync', 'departments delta-import', 'departments delta-sync', 'ad export');
  for (const r of results) t.is(r.status, 'success', `${r.agent} ${r.step}: ${JSON.stringify(r.errors.slice(0, 2))}`);
  const exp = results.at(-1)!;
  t.is(exp.counters['export-add'], 2, 'the new hire and the rehire');
  t.true((exp.counters['export-rename'] ?? 0) > 0, 'moves for the department rename');
  t.is(Number((await user(day.ids.terminated))!['userAccountControl']) & 2, 2, 'the termination disables');
  const hire = (await user(day.ids.newHire))!;
  // nlheritier on a fresh DC; the next candidate where an earlier run on the same DC holds it.
  t.regex(String(hire['sAMAccountName']), /^(nlheritier|nolheritier|u100060[0-9a-f]{6})$/);
  const same = await admin.search(dc.baseDn, { scope: 'sub', filter: `(sAMAccountName=${String(hire['sAMAccountName'])})`, attributes: ['1.1'] });
  t.is(same.searchEntries.length, 1, 'the new hire gets a sAMAccountName unique in the domain');
  const mover = (await user(day.ids.managerChanged))!;
  t.regex(String(mover['manager']), /^CN=[^,]+,OU=Engineering,/, 'the manager change rewrote manager');
  const moved = (await admin.search(`OU=Customer Success,${root}`, { scope: 'one', filter: '(objectClass=user)', attributes: ['department'] })).searchEntries;
  t.true(moved.length > 0, 'the department change moved users to the new OU');
  t.true(moved.every((m) => m['department'] === 'Customer Success'));
  const confirm = await steps('ad delta-import', 'ad delta-sync');
  t.is(confirm[1]!.status, 'success');
  // The confirming import brings the new users' objectGUID: only the consistency-guid writeback follows, as in Azure AD Connect.
  const writeback = [...project.store.cs('ad').values()].filter((c) => c.pendingExport);
  t.deepEqual(writeback.map((c) => Object.keys(c.pendingExport!.changes)), [['mS-DS-ConsistencyGuid'], ['mS-DS-ConsistencyGuid']]);
  await steps('ad export', 'ad delta-import', 'ad delta-sync');
  const pending = [...project.store.cs('ad').values()].filter((c) => c.pendingExport);
  t.deepEqual(pending.map((c) => `${c.dn} ${JSON.stringify(c.pendingExport)}`), [], 'nothing left to export');
});

test.serial('drift: a value changed directly in AD is detected and reverted where HR is authoritative', async (t) => {
  const u = (await user('100001'))!;
  const hrTitle = project.store.mvFind('person', 'employeeId', '100001')[0]!.attrs['title'];
  await admin.modify(u.dn, replace('title', ['Changed By Hand']));
  void hrTitle;
  const [imp, sync, exp] = await steps('ad delta-import', 'ad delta-sync', 'ad export');
  t.is(imp!.counters['stage-update'], 1, 'the import sees the change');
  t.is(sync!.counters['ad/connector-flow'], 1);
  t.is(exp!.counters['export-update'], 1);
  t.is((await user('100001'))!['title'], String(hrTitle));
});

test.serial('Samba unreachable mid-export: the step stops retryable; the next run completes without duplicates', async (t) => {
  // Forty new people in HR.
  const { appendFile } = await import('node:fs/promises');
  const rows = Array.from({ length: 40 }, (_, i) => `${200000 + i},Fault,Person${i},Sales,Tester,100001,,2020-01-01,,active,fault${i}@example.com`).join('\n');
  await appendFile(join(project.dir, 'sources', 'hr.csv'), rows + '\n');
  await steps('hr delta-import', 'hr delta-sync');
  let stopped = false;
  const events = project.engine.events as { progress?: (step: string, done: number) => void };
  events.progress = (step) => {
    if (!stopped && step.includes('export')) { stopped = true; void relay.cut(); }
  };
  const [first] = await steps('ad export');
  events.progress = undefined;
  await relay.restore();
  t.is(first!.status, 'stopped-server-down');
  const [second] = await steps('ad export');
  t.is(second!.status, 'success', JSON.stringify(second!.errors.slice(0, 3)));
  const faults = (await admin.search(root, { scope: 'sub', filter: '(sn=Person*)', attributes: ['employeeID'] })).searchEntries;
  t.is(faults.length, 40);
  t.is(new Set(faults.map((f) => f['employeeID'])).size, 40, 'no duplicates');
});
