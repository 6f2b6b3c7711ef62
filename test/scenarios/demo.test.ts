/** The demo's full and delta cycle, asserting exact end states in the output files. */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoResult } from '../../engine/demo.ts';
import { parseLdif, type LdifEntry } from '../../management-agents/ldif/ldif-format.ts';
import { openProject } from '../../engine/project.ts';
import { asArray } from '../../data/model.ts';

const now = new Date('2026-03-02T09:00:00Z');
let result: DemoResult;
let directory: LdifEntry[];
let cloud: LdifEntry[];
let app: string;

test.before(async () => {
  const dir = join(await mkdtemp(join(tmpdir(), 'idsync-demo-test-')), 'demo');
  result = await runDemo({ dir, people: 300, now });
  directory = parseLdif(await readFile(join(dir, 'out', 'directory.ldif'), 'utf8')).entries;
  cloud = parseLdif(await readFile(join(dir, 'out', 'cloud.ldif'), 'utf8')).entries;
  app = await readFile(join(dir, 'out', 'app-users.csv'), 'utf8');
});

const user = (employeeID: string) => directory.find((e) => e.attrs['employeeID'] === employeeID);

test('every step of both cycles succeeds without errors', (t) => {
  for (const r of [...result.full, ...result.delta]) t.deepEqual([r.agent, r.step, r.status, r.errors], [r.agent, r.step, 'success', []]);
});

test('the terminated person is disabled in the directory, not deleted', (t) => {
  const u = user(result.day.ids.terminated)!;
  t.truthy(u);
  t.is(u.attrs['userAccountControl'], '514');
  const c = cloud.find((e) => e.attrs['userPrincipalName'] === u.attrs['mail']);
  t.is(c?.attrs['accountEnabled'], 'false');
});

test('two people of the same name get unique account names', (t) => {
  const a = user('100011')!;
  const b = user('100012')!;
  t.is(a.attrs['displayName'], 'Jean Dupont');
  t.is(b.attrs['displayName'], 'Jean Dupont');
  t.not(a.attrs['sAMAccountName'], b.attrs['sAMAccountName']);
  t.deepEqual([a.attrs['sAMAccountName'], b.attrs['sAMAccountName']].sort(), ['jdupont', 'jedupont']);
});

test('the contractor who is also an employee has the employee values', (t) => {
  const u = user('100015')!;
  t.is(u.attrs['title'], 'Engineer', 'HR title, not Workday\'s "Contractor"');
  t.is(u.attrs['displayName'], "Siobhán O'Connor-Ünal");
  t.regex(u.dn, /^CN=Siobhán O'Connor-Ünal,OU=/);
});

test('the manager is exported as a DN, and follows a manager change', (t) => {
  const mover = user(result.day.ids.managerChanged)!;
  const manager = directory.find((e) => e.dn === mover.attrs['manager']);
  t.truthy(manager, `manager DN ${mover.attrs['manager']} exists`);
  t.is(manager!.attrs['title'], 'Head of Engineering', 'the new manager (100002)');
});

test('a manager leaving: their reports point at the head of the department', (t) => {
  const reports = directory.filter((e) => typeof e.attrs['manager'] === 'string' && (e.attrs['manager'] as string).includes('CN=Team Lead'));
  t.deepEqual(reports.map((r) => r.dn), [], 'no one reports to the leaver any more');
  t.is(user(result.day.ids.managerLeft)!.attrs['userAccountControl'], '514');
});

test('department groups are exported with their members as DNs; a rename moves the group and its people', (t) => {
  const group = directory.find((e) => e.attrs['description'] === 'D09')!;
  t.is(group.dn, 'CN=Dept Customer Success,OU=Groups,DC=corp,DC=example,DC=com');
  const members = asArray(group.attrs['member']).map(String);
  t.true(members.length > 3);
  for (const m of members) t.truthy(directory.find((e) => e.dn === m), `member ${m} exists`);
  t.true(members.every((m) => m.includes('OU=Customer Success,')), 'the members moved to the renamed OU');
  // Disabled accounts are out of scope: they keep their last DN until deleted.
  t.deepEqual(directory.filter((e) => e.dn.includes('OU=Support,') && e.attrs['userAccountControl'] !== '514').map((e) => e.dn), []);
});

test('the new hire is created with a unique account name; the future hire is not created yet', (t) => {
  const hire = user(result.day.ids.newHire)!;
  t.is(hire.attrs['sAMAccountName'], 'nlheritier');
  t.is(hire.attrs['userAccountControl'], '512');
  t.is(user('100016'), undefined, 'the future hire is a pre-hire');
});

test('the rename changes the DN and the display name, keeping the account', async (t) => {
  const u = user(result.day.ids.renamed)!;
  t.regex(u.dn, /^CN=Ann Smith-Taylor,/);
  t.is(u.attrs['sAMAccountName'], 'asmithjr', 'the account name was set once, at creation');
  const changes = await readFile(join(result.dir, 'out', 'directory-changes.ldif'), 'utf8');
  t.regex(changes, /changetype: modrdn\nnewrdn: CN=Ann Smith-Taylor/);
});

test('the rehired contractor gets an account again', (t) => {
  const u = user(result.day.ids.rehired)!;
  t.is(u.attrs['userAccountControl'], '512');
});

test('cloud users carry the sourceAnchor derived from the directory objectGUID', (t) => {
  const u = user('100001')!;
  const c = cloud.find((e) => e.attrs['userPrincipalName'] === u.attrs['mail'])!;
  const guid = String(u.attrs['objectGUID']).replace(/-/g, '');
  const b = Buffer.from(guid, 'hex');
  const bytes = Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
  t.is(c.attrs['onPremisesImmutableId'], bytes.toString('base64'));
});

test.serial('the app gets only active people of Sales and Marketing, formula-safe', async (t) => {
  const rows = app.trim().split('\n').slice(1);
  t.true(rows.length > 10);
  const p = await openProject(result.dir);
  try {
    const active = [...p.store.mvValues()].filter((m) => m.objectType === 'person' && m.attrs['status'] === 'active' && ['Sales', 'Marketing'].includes(String(m.attrs['department'])));
    t.is(rows.length, active.length);
  } finally {
    await p.close();
  }
  t.true(rows.some((r) => r.startsWith(`${result.day.ids.newHire},`)));
});

test.serial('a confirming delta cycle after the demo stages nothing more', async (t) => {
  const p = await openProject(result.dir, { now: () => now });
  try {
    const { runProfile } = await import('../../engine/index.ts');
    const runs = await runProfile(p.engine, 'delta-cycle');
    const exports = runs.filter((r) => r.step === 'export').map((r) => Object.entries(r.counters).filter(([k]) => k.startsWith('export-')));
    t.deepEqual(exports.flat(), [], 'no export after a confirming cycle');
  } finally {
    await p.close();
  }
});
