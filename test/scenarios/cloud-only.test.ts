/**
 * Cloud-only: HR → metaverse → Entra ID (the Graph emulator), with managers
 * and department groups; a delta cycle where a termination disables the
 * account and a department move changes group membership; and a large group
 * where one member added in HR is exactly one request.
 */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGraphEmulator, type GraphEmulator } from '../graph-emulator/graph-server.ts';
import { cloudRules as rules } from '../helpers/cloud-rules.ts';
import { openProject, runStep, type Project } from '../../engine/index.ts';
import type { StepType } from '../../data/model.ts';

interface P { id: string; dept: string; manager: string; status: string }
const hrCsv = (people: P[]) => 'employeeId,givenName,sn,department,title,managerId,status\n' + people.map((p) => `${p.id},Given${p.id},Sur${p.id},${p.dept},Engineer,${p.manager},${p.status}`).join('\n') + '\n';
const deptCsv = (people: P[]) => {
  const depts = [...new Set(people.map((p) => p.dept))].sort();
  return 'code,name,members\n' + depts.map((d) => `${d},${d},${people.filter((p) => p.dept === d && p.status === 'active').map((p) => p.id).join(';')}`).join('\n') + '\n';
};

async function setup(n: number, depts: string[]) {
  const emu = await startGraphEmulator();
  process.env['IDSYNC_TEST_ENTRA_SECRET'] = emu.clientSecret;
  const dir = await mkdtemp(join(tmpdir(), 'idsync-cloud-'));
  await writeFile(join(dir, 'rules.sync'), rules(emu));
  const people: P[] = Array.from({ length: n }, (_, i) => ({ id: String(1000 + i), dept: depts[i % depts.length]!, manager: i === 0 ? '' : '1000', status: 'active' }));
  const write = async () => { await writeFile(join(dir, 'hr.csv'), hrCsv(people)); await writeFile(join(dir, 'departments.csv'), deptCsv(people)); };
  await write();
  const project = await openProject(dir);
  const steps = async (...list: string[]) => {
    const out = [];
    for (const s of list) {
      const [agent, type] = s.split(' ') as [string, StepType];
      const r = await runStep(project.engine, agent, type);
      if (r.status !== 'success') throw new Error(`${agent} ${type}: ${r.status} ${JSON.stringify(r.errors.slice(0, 2))}`);
      out.push(r);
    }
    return out;
  };
  return { emu, project, people, write, steps };
}

const cycle = ['hr full-import', 'hr full-sync', 'departments full-import', 'departments full-sync', 'entra export', 'entra full-import', 'entra full-sync'];
const deltaCycle = ['hr delta-import', 'hr delta-sync', 'departments delta-import', 'departments delta-sync', 'entra export', 'entra delta-import', 'entra delta-sync'];
const opened: { project: Project; emu: GraphEmulator }[] = [];
test.after.always(async () => { for (const o of opened) { await o.project.close(); await o.emu.stop(); } });

const userByEmployee = (emu: GraphEmulator, id: string) => [...emu.directory.users.values()].find((u) => u['employeeId'] === id)!;
const groupByCode = (emu: GraphEmulator, code: string) => [...emu.directory.groups.values()].find((g) => g['description'] === code)!;

test.serial('cloud-only: users with managers and department groups; a termination disables, a department move changes membership', async (t) => {
  const s = await setup(60, ['Sales', 'Legal', 'Support']);
  opened.push(s);
  await s.steps(...cycle);
  t.is(s.emu.directory.users.size, 60);
  const boss = userByEmployee(s.emu, '1000');
  t.is(s.emu.directory.managers.get(userByEmployee(s.emu, '1005').id), boss.id, 'manager set by $ref in the second pass of the same run');
  t.is(groupByCode(s.emu, 'Sales').members.size, 20);
  // A day of changes: one termination, one move from Sales to Legal.
  s.people[7]!.status = 'terminated';
  s.people[9]!.dept = 'Legal';
  await s.write();
  s.emu.stats.subRequests.length = 0;
  await s.steps(...deltaCycle);
  t.is(userByEmployee(s.emu, '1007')['accountEnabled'], false, 'termination → accountEnabled=false');
  const mover = userByEmployee(s.emu, '1009');
  t.is(mover['department'], 'Legal');
  t.true(groupByCode(s.emu, 'Legal').members.has(mover.id));
  t.false(groupByCode(s.emu, 'Sales').members.has(mover.id));
  const writes = s.emu.stats.subRequests.filter((r) => !r.startsWith('GET'));
  t.deepEqual(writes.sort(), ['DELETE /groups/{id}/members/{id}/$ref', 'DELETE /groups/{id}/members/{id}/$ref', 'PATCH /groups/{id}', 'PATCH /users/{id}', 'PATCH /users/{id}'].sort(), 'only what changed');
  // A confirming cycle exports nothing.
  s.emu.stats.subRequests.length = 0;
  await s.steps('entra export');
  t.deepEqual(s.emu.stats.subRequests.filter((r) => !r.startsWith('GET')), []);
});

test.serial('a 10,000-member group is exported in batches; one member added in HR is exactly one member add request', async (t) => {
  const s = await setup(10_000, ['All']);
  opened.push(s);
  await s.steps(...cycle);
  t.is(groupByCode(s.emu, 'All').members.size, 10_000);
  s.people.push({ id: String(1000 + 10_000), dept: 'All', manager: '1000', status: 'active' });
  await s.write();
  await s.steps('hr delta-import', 'hr delta-sync', 'entra export', 'entra delta-import', 'entra delta-sync');
  s.emu.stats.subRequests.length = 0;
  await s.steps('departments delta-import', 'departments delta-sync', 'entra export');
  t.deepEqual(s.emu.stats.subRequests, ['PATCH /groups/{id}'], 'one request, adding one member, never the whole membership');
  t.is(groupByCode(s.emu, 'All').members.size, 10_001);
});
