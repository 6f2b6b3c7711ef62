/**
 * Crash safety: a child process runs import, sync and export and is killed
 * with SIGKILL at random moments, many times, while the source changes. The
 * final state must have no lost change, no duplicate object, and a store
 * whose links agree in both directions.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProject } from '../../engine/index.ts';
import { prng } from '../../data/demo/people.ts';

const rules = `
object person { employeeId: string indexed  displayName: string  title: string }
agent hr type csv { path = "hr.csv" object person { anchor employeeId attributes employeeId, name, title } }
agent app type csv { path = "app.csv" object row { anchor employeeId attributes employeeId, displayName, title } threshold deletes 100000 }
inbound "hr" from hr.person to person {
  join { group { match [employeeId] to [employeeId] } }
  project
  flow employeeId <- [employeeId]
  flow displayName <- [name]
  flow title <- [title]
}
outbound "app" from person to app.row {
  provision
  dn "employeeId=" & [employeeId]
  flow employeeId <- [employeeId] once
  flow displayName <- [displayName]
  flow title <- [title]
  deprovision delete
}
deletion person when last-connector except app
profile cycle {
  step hr full-import
  step hr full-sync
  step app export batch 25
  step app full-import
  step app full-sync
}
`;

const child = new URL('./kill-child.ts', import.meta.url).pathname;

function run(dir: string, killAfterMs: number | null): Promise<{ code: number | null; killed: boolean; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx/esm', child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    let killed = false;
    const timer = killAfterMs === null ? null : setTimeout(() => { killed = true; p.kill('SIGKILL'); }, killAfterMs);
    p.on('exit', (code) => { if (timer) clearTimeout(timer); resolve({ code, killed, out }); });
  });
}

test('killing import, sync and export at random moments loses nothing and duplicates nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-kill-'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'rules.sync'), rules);
  const rnd = prng(7);
  const people = new Map<string, { name: string; title: string }>();
  for (let i = 0; i < 1500; i++) people.set(String(10000 + i), { name: `Person ${i}`, title: 'Engineer' });
  const writeHr = () => writeFile(join(dir, 'hr.csv'), 'employeeId,name,title\n' + [...people].map(([id, p]) => `${id},${p.name},${p.title}`).join('\n') + '\n');
  await writeHr();
  // The source changes between rounds: updates, a leaver, a joiner.
  const change = async (round: number) => {
    for (let k = 0; k < 40; k++) {
      const id = String(10000 + Math.floor(rnd() * 1500));
      const p = people.get(id);
      if (p) p.title = `Title ${round}-${k}`;
    }
    people.delete([...people.keys()][Math.floor(rnd() * people.size)]!);
    people.set(String(20000 + round), { name: `Joiner ${round}`, title: 'New' });
    await writeHr();
  };
  // The first cycle provisions everyone; then one undisturbed round like the killed ones is timed, so that the
  // kills land inside import, sync and export (timed on the first cycle, most rounds ended before their kill).
  t.is((await run(dir, null)).code, 0);
  await change(100);
  const started = Date.now();
  t.is((await run(dir, null)).code, 0);
  const duration = Date.now() - started;
  let kills = 0;
  for (let round = 0; round < 14; round++) {
    await change(round);
    const r = await run(dir, Math.floor(duration * (0.25 + rnd() * 0.75)));
    if (r.killed) kills++;
    else t.is(r.code, 0, r.out);
  }
  for (let i = 0; i < 2; i++) {
    const r = await run(dir, null);
    t.is(r.code, 0, r.out);
  }
  t.log(`killed ${kills} times out of 14; an undisturbed cycle takes ${duration} ms`);
  t.true(kills >= 5, `killed ${kills} times out of 14 (a cycle takes ${duration} ms)`);

  const app = (await readFile(join(dir, 'app.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  const ids = app.map((r) => r[0]!);
  t.is(new Set(ids).size, ids.length, 'no duplicate row in the target');
  t.deepEqual([...ids].sort(), [...people.keys()].sort(), 'every person, and only them');
  for (const [id, , title] of app) t.is(title, people.get(id!)!.title, `title of ${id}`);

  const p = await openProject(dir);
  try {
    for (const agent of ['hr', 'app']) {
      for (const cs of p.store.cs(agent).values()) {
        if (cs.mvId) t.true(p.store.mv(cs.mvId)?.connectors.some((c) => c.csId === cs.id) ?? false, `${agent} ${cs.anchor} linked both ways`);
        t.is(cs.pendingExport, null, `${agent} ${cs.anchor} has nothing left to export`);
      }
    }
    for (const mv of p.store.mvValues()) for (const c of mv.connectors) t.is(p.store.cs(c.agent).get(c.csId)?.mvId, mv.id);
    t.is(p.store.mvCount, people.size);
  } finally {
    await p.close();
  }
});
