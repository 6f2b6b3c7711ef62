/**
 * npm run bench:entra — export 10,000 users and 100 groups to the Graph
 * emulator through the engine, with throttling off and on (429 on 5% of
 * requests); Graph requests per created user, and per single-member change.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startGraphEmulator } from '../graph-emulator/graph-server.ts';
import { cloudRules } from '../helpers/cloud-rules.ts';
import { openProject, runStep } from '../../engine/index.ts';
import type { StepType } from '../../data/model.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '10000' }, json: { type: 'boolean', default: false } } });
const N = Number(values.users);
const rows: Record<string, string | number>[] = [];

for (const throttle of [0, 0.05]) {
  const emu = await startGraphEmulator();
  emu.faults.retryAfterSeconds = 0.2;
  process.env['IDSYNC_TEST_ENTRA_SECRET'] = emu.clientSecret;
  const dir = await mkdtemp(join(tmpdir(), 'idsync-entra-bench-'));
  await writeFile(join(dir, 'rules.sync'), cloudRules(emu));
  const people = Array.from({ length: N }, (_, i) => ({ id: String(100000 + i), dept: `D${String(i % 100).padStart(2, '0')}` }));
  const write = async (extra: string[] = []) => {
    await writeFile(join(dir, 'hr.csv'), 'employeeId,givenName,sn,department,title,managerId,status\n' + people.map((p, i) => `${p.id},G${i},S${i},${p.dept},Engineer,${i === 0 ? '' : '100000'},active`).join('\n') + '\n');
    const depts = [...new Set(people.map((p) => p.dept))].sort();
    await writeFile(join(dir, 'departments.csv'), 'code,name,members\n' + depts.map((d) => `${d},${d},${[...people.filter((p) => p.dept === d).map((p) => p.id), ...(d === 'D00' ? extra : [])].join(';')}`).join('\n') + '\n');
  };
  await write();
  const project = await openProject(dir);
  const step = async (agent: string, type: StepType) => {
    const r = await runStep(project.engine, agent, type);
    if (r.status !== 'success') throw new Error(`${agent} ${type}: ${r.status} ${JSON.stringify(r.errors.slice(0, 2))}`);
    return r;
  };
  for (const [a, s] of [['hr', 'full-import'], ['hr', 'full-sync'], ['departments', 'full-import'], ['departments', 'full-sync']] as const) await step(a, s);
  emu.faults.throttleRate = throttle;
  const before = { http: emu.stats.http, batches: emu.stats.batches, subs: emu.stats.subRequests.length };
  const t0 = performance.now();
  const exp = await step('entra', 'export');
  const wall = (performance.now() - t0) / 1000;
  const http = emu.stats.http - before.http;
  const subs = emu.stats.subRequests.length - before.subs;
  rows.push({
    throttling: throttle ? `429 on ${throttle * 100}%` : 'off', phase: `export ${N} users + 100 groups (managers, members)`, wall_s: wall.toFixed(1),
    http_requests: http, http_per_user: (http / N).toFixed(3), graph_requests: subs, graph_per_user: (subs / N).toFixed(2),
    throttled_429: emu.stats.throttled,
    note: `waited ${exp.notes.map((n) => /throttled for ([\d.]+) s/.exec(n)?.[1]).filter(Boolean).reduce((a, b) => a + Number(b), 0).toFixed(1)} s on throttling in all`,
  });
  // One member more in one group: exactly one Graph request.
  emu.faults.throttleRate = 0;
  await step('entra', 'full-import');
  await step('entra', 'full-sync');
  await write(['100001']);
  await step('departments', 'delta-import');
  await step('departments', 'delta-sync');
  const s0 = emu.stats.subRequests.length;
  await step('entra', 'export');
  const single = emu.stats.subRequests.slice(s0).filter((r) => !r.startsWith('GET'));
  rows.push({ throttling: throttle ? `429 on ${throttle * 100}%` : 'off', phase: 'one member added to a group', wall_s: '', http_requests: '', http_per_user: '', graph_requests: single.length, graph_per_user: '', throttled_429: '', note: single.join(', ') });
  await project.close();
  await emu.stop();
}

if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
else {
  process.stdout.write(`idsync Entra benchmark (Graph emulator) — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores\n\n`);
  const cols = Object.keys(rows[0]!);
  process.stdout.write(`| ${cols.join(' | ')} |\n| ${cols.map(() => '---').join(' | ')} |\n`);
  for (const r of rows) process.stdout.write(`| ${cols.map((c) => String(r[c])).join(' | ')} |\n`);
}
