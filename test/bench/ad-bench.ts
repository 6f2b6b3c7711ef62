/**
 * npm run bench:ad — provision 10,000 users and 100 groups (one of 5,000
 * members) into a Samba AD DC through the engine, then a delta cycle of 1%
 * changes; exports sequential (concurrency 1) and concurrent, same machine,
 * same run. `--users N` for another size.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { destroySamba, sharedSamba } from '../helpers/samba.ts';
import { adminClient, ensureOu } from '../helpers/ad.ts';
import { openProject, runStep } from '../../engine/index.ts';
import type { StepType } from '../../data/model.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '8' }, json: { type: 'boolean', default: false } } });
const N = Number(values.users);
const BIG = Math.min(5000, Math.floor(N / 2));
const { dc, owned } = await sharedSamba();
process.env['IDSYNC_BENCH_AD_PASSWORD'] = dc.password;
const admin = await adminClient(dc);
const rows: { mode: string; phase: string; objects: number; wall_s: number; objects_per_s: number }[] = [];

async function scenario(mode: string, concurrency: number): Promise<void> {
  const tag = `${mode}${Date.now().toString(36).slice(-4)}`;
  const root = `OU=bench-${tag},DC=corp,DC=example,DC=com`;
  for (const ou of [root, `OU=People,${root}`, `OU=Groups,${root}`]) await ensureOu(admin, ou);
  const dir = await mkdtemp(join(tmpdir(), 'idsync-adbench-'));
  const people = Array.from({ length: N }, (_, i) => `${i},Given${i},Sur${i},Title A`);
  await writeFile(join(dir, 'people.csv'), 'id,givenName,sn,title\n' + people.join('\n') + '\n');
  const groups = Array.from({ length: 100 }, (_, g) => {
    const members = g === 0 ? Array.from({ length: BIG }, (_, i) => i) : Array.from({ length: 50 }, (_, i) => (g * 50 + i) % N);
    return `G${g},${members.join(';')}`;
  });
  await writeFile(join(dir, 'groups.csv'), 'code,members\n' + groups.join('\n') + '\n');
  await writeFile(join(dir, 'rules.sync'), `
object person { id: string indexed  givenName: string  sn: string  title: string }
object group { code: string indexed  member: reference(person) multi }
agent people type csv { path = "people.csv" references-by = anchor object person { anchor id attributes id, givenName, sn, title } }
agent groups type csv { path = "groups.csv" multi-valued = "members" references-by = anchor references-agent = "people" object group { anchor code attributes code, members } }
agent ad type ldap {
  url = "${dc.url}"  bind-dn = "${dc.adminDn}"  password = env("IDSYNC_BENCH_AD_PASSWORD")  base-dn = "${dc.baseDn}"
  ca-file = "${dc.caFile}"  tls-server-name = "${dc.serverName}"  containers = "${root}"  concurrency = ${concurrency}
  object user { anchor objectGUID attributes objectGUID, sAMAccountName, givenName, sn, title, employeeID }
  object group { anchor objectGUID attributes objectGUID, sAMAccountName, member }
  threshold deletes 100000
}
inbound "people" from people.person to person { join { group { match [id] to [id] } } project flow id <- [id] flow givenName <- [givenName] flow sn <- [sn] flow title <- [title] }
inbound "groups" from groups.group to group { join { group { match [code] to [code] } } project flow code <- [code] flow member <- [members] }
outbound "users" from person to ad.user {
  provision
  dn "CN=U" & [id] & ",OU=People,${root}"
  flow sAMAccountName <- "${tag.slice(0, 8)}" & [id] once
  flow givenName <- [givenName]
  flow sn <- [sn]
  flow title <- [title]
  flow employeeID <- [id] once
}
outbound "groups" from group to ad.group {
  provision
  dn "CN=" & [code] & ",OU=Groups,${root}"
  flow sAMAccountName <- "${tag.slice(0, 8)}g" & [code] once
  flow member <- [member]
}
`);
  const project = await openProject(dir);
  const step = async (agent: string, type: StepType) => {
    const t0 = performance.now();
    const r = await runStep(project.engine, agent, type, { batchSize: 200 });
    if (r.status !== 'success') throw new Error(`${agent} ${type}: ${r.status} ${JSON.stringify(r.errors.slice(0, 3))}`);
    return { r, s: (performance.now() - t0) / 1000 };
  };
  try {
    for (const [a, s] of [['people', 'full-import'], ['people', 'full-sync'], ['groups', 'full-import'], ['groups', 'full-sync']] as const) await step(a, s);
    const exp = await step('ad', 'export');
    const objects = Object.entries(exp.r.counters).filter(([k]) => k.startsWith('export-')).reduce((a, [, v]) => a + v, 0);
    rows.push({ mode, phase: `initial export (${N} users, 100 groups, one of ${BIG} members)`, objects, wall_s: exp.s, objects_per_s: objects / exp.s });
    const imp = await step('ad', 'full-import');
    rows.push({ mode, phase: 'full import (paged, ranged)', objects: imp.r.counters['stage-update'] ?? 0, wall_s: imp.s, objects_per_s: (imp.r.counters['stage-update'] ?? 0) / imp.s });
    await step('ad', 'full-sync');
    // 1% of users change title; one member joins the big group.
    const changed = people.map((p, i) => (i % 100 === 0 ? p.replace('Title A', 'Title B') : p));
    await writeFile(join(dir, 'people.csv'), 'id,givenName,sn,title\n' + changed.join('\n') + '\n');
    groups[0] = `G0,${[...Array.from({ length: BIG }, (_, i) => i), BIG].join(';')}`;
    await writeFile(join(dir, 'groups.csv'), 'code,members\n' + groups.join('\n') + '\n');
    const t0 = performance.now();
    for (const [a, s] of [['people', 'delta-import'], ['people', 'delta-sync'], ['groups', 'delta-import'], ['groups', 'delta-sync']] as const) await step(a, s);
    const dexp = await step('ad', 'export');
    const dobjects = Object.entries(dexp.r.counters).filter(([k]) => k.startsWith('export-')).reduce((a, [, v]) => a + v, 0);
    rows.push({ mode, phase: 'delta cycle, 1% changed (import, sync, export)', objects: dobjects, wall_s: (performance.now() - t0) / 1000, objects_per_s: dobjects / ((performance.now() - t0) / 1000) });
  } finally {
    await project.close();
  }
}

await scenario('sequential', 1);
await scenario('concurrent', Number(values.concurrency));
await admin.unbind();
if (owned) await destroySamba(dc);

const seq = rows.find((r) => r.mode === 'sequential')!;
const con = rows.find((r) => r.mode === 'concurrent')!;
if (values.json) process.stdout.write(JSON.stringify({ rows, concurrent_speedup: seq.wall_s / con.wall_s }) + '\n');
else {
  process.stdout.write(`idsync AD benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Samba ${dc.serverName} on loopback\n\n`);
  process.stdout.write('| mode | phase | objects | wall s | objects/s |\n| --- | --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.mode} | ${r.phase} | ${r.objects} | ${r.wall_s.toFixed(1)} | ${r.objects_per_s.toFixed(0)} |\n`);
  process.stdout.write(`\nconcurrent (${values.concurrency}) vs sequential initial export: ${(seq.wall_s / con.wall_s).toFixed(2)}× (target ≥ 3×)\n`);
}
