/** The idsync CLI end to end: every command, its output, and its exit code. */
import test from 'ava';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../engine/cli/main.ts';
import { runDemo } from '../../engine/demo.ts';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'idsync', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let demo: string;
test.before(async () => {
  demo = join(await mkdtemp(join(tmpdir(), 'idsync-cli-')), 'demo');
  await runDemo({ dir: demo, people: 80, now: new Date('2026-03-02T09:00:00Z') });
});

test('check: clean project exits 0; errors exit 1 with file:line:column lines, or JSON', async (t) => {
  t.is((await cli('check', '--project', demo)).code, 0);
  const dir = await mkdtemp(join(tmpdir(), 'idsync-check-'));
  await writeFile(join(dir, 'bad.sync'), 'object person {\n  name: strin\n}\n');
  const r = await cli('check', '--project', dir);
  t.is(r.code, 1);
  t.regex(r.out, /bad\.sync:2:9 error IDS0105 unknown attribute type 'strin' \(did you mean 'string'\?\)/);
  const j = await cli('check', '--project', dir, '--json');
  t.is(JSON.parse(j.out)[0].code, 'IDS0105');
});

test('eval: prints the value, JSON with --json, diagnostics with a column and exit 1', async (t) => {
  t.is((await cli('eval', 'Left([sn], 3)', '--attrs', '{"sn":"Lee-Smith"}')).out, 'Lee');
  t.is((await cli('eval', 'Split("a,b", ",")', '--json')).out, '{"value":["a","b"]}');
  const bad = await cli('eval', 'Trim([a]) &', '--attrs', '{}');
  t.is(bad.code, 1);
  t.regex(bad.out, /<expression>:1:\d+ error IDS0002/);
  const usage = await cli('eval', '1', '--attrs', 'not json');
  t.is(usage.code, 2);
});

test('fmt --check exits 1 when a file would change; fmt rewrites it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-fmt-'));
  const f = join(dir, 'x.sync');
  await writeFile(f, 'object   person {   name:string   }\n');
  t.is((await cli('fmt', '--check', f)).code, 1);
  t.is((await cli('fmt', f)).code, 0);
  t.is(await readFile(f, 'utf8'), 'object person {\n  name: string\n}\n');
  t.is((await cli('fmt', '--check', f)).code, 0);
});

test.serial('status --json lists agents and profiles', async (t) => {
  const r = await cli('status', '--project', demo, '--json');
  const s = JSON.parse(r.out);
  t.deepEqual(s.agents.map((a: { name: string }) => a.name), ['hr', 'contractors', 'departments', 'directory', 'cloud', 'app', 'ad']);
  t.deepEqual(s.profiles.map((p: { name: string }) => p.name), ['full-cycle', 'delta-cycle']);
});

test.serial('run a step, then a profile; history lists and shows them', async (t) => {
  const step = await cli('run', 'hr', 'full-import', '--project', demo);
  t.is(step.code, 0, step.err);
  t.regex(step.out, /hr full-import: success/);
  const profile = await cli('run', 'delta-cycle', '--project', demo, '--json');
  t.is(profile.code, 0);
  t.is(JSON.parse(profile.out).length, 15, 'every step of the delta cycle');
  const list = await cli('history', 'list', '--project', demo, '--limit', '3', '--json');
  const runs = JSON.parse(list.out) as { id: string }[];
  t.is(runs.length, 3);
  t.regex((await cli('history', 'show', runs[0]!.id, '--project', demo)).out, /app delta-sync: success/);
  t.is((await cli('run', 'nope', '--project', demo)).code, 2);
  t.is((await cli('run', 'hr', 'sideways', '--project', demo)).code, 2);
});

test('a number flag with a typo is a usage error naming the value, not NaN', async (t) => {
  for (const args of [['run', 'hr', 'full-import', '--wait', '1O'], ['run', 'hr', 'full-sync', '--limit', 'ten'], ['history', 'list', '--limit', '-3']]) {
    const r = await cli(...args, '--project', demo);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.err, /is not a whole number/, args.join(' '));
  }
});

test.serial('mv search and show --lineage; cs search and show', async (t) => {
  const found = JSON.parse((await cli('mv', 'search', 'person', '--where', 'employeeId=100015', '--project', demo, '--json')).out);
  t.is(found.length, 1);
  const shown = await cli('mv', 'show', 'person:employeeId=100015', '--lineage', '--project', demo);
  t.regex(shown.out, /displayName\s+Siobhán O'Connor-Ünal\s+hr:100015\s+'HR employees' .*inbound\.sync:\d+/);
  t.regex(shown.out, /workerId\s+C000015\s+contractors:C000015/);
  const cs = await cli('cs', 'search', 'directory', '--state', 'connector', '--limit', '2', '--project', demo, '--json');
  t.is(JSON.parse(cs.out).length, 2);
  const one = await cli('cs', 'show', 'hr', '100015', '--project', demo);
  t.regex(one.out, /state\s+connector/);
  t.is((await cli('cs', 'show', 'hr', 'nobody', '--project', demo)).code, 1);
});

test.serial('preview explains without committing; plan shows pending exports', async (t) => {
  const p = await cli('preview', 'hr', '100015', '--full', '--project', demo);
  t.regex(p.out, /rules in scope: 'HR employees'/);
  t.regex(p.out, /already joined to/);
  const plan = await cli('plan', '--project', demo);
  t.is(plan.code, 0);
  t.regex(plan.out, /nothing to export|add\(s\)/);
});

test.serial('disconnect --explicit keeps the object from re-joining; join reconnects it by hand', async (t) => {
  const before = JSON.parse((await cli('cs', 'show', 'app', '100001', '--project', demo, '--json')).out);
  t.truthy(before.mvId);
  t.is((await cli('disconnect', 'app', '100001', '--explicit', '--project', demo)).code, 0);
  await cli('run', 'app', 'full-sync', '--project', demo);
  const after = JSON.parse((await cli('cs', 'show', 'app', '100001', '--project', demo, '--json')).out);
  t.is(after.state, 'explicit-disconnector');
  t.is(after.mvId, null);
  t.is((await cli('join', 'app', '100001', before.mvId, '--project', demo)).code, 0);
  const joined = JSON.parse((await cli('cs', 'show', 'app', '100001', '--project', demo, '--json')).out);
  t.is(joined.state, 'explicit-connector');
});

test.serial('staging on: export sends nothing and status says so; staging off sends again', async (t) => {
  t.is((await cli('staging', 'on', '--project', demo)).code, 0);
  t.regex((await cli('status', '--project', demo)).out, /STAGING MODE/);
  const r = JSON.parse((await cli('run', 'app', 'export', '--project', demo, '--json')).out) as { notes: string[] }[];
  t.regex(r[0]!.notes.join(), /staging mode: nothing was sent/);
  t.is((await cli('staging', 'off', '--project', demo)).code, 0);
  t.notRegex((await cli('status', '--project', demo)).out, /STAGING MODE/);
  t.is((await cli('staging', 'maybe', '--project', demo)).code, 2);
});

test.serial('a locked store: exit 4 with a clear message', async (t) => {
  const { openProject } = await import('../../engine/project.ts');
  const p = await openProject(demo);
  try {
    const r = await cli('run', 'hr', 'full-import', '--project', demo);
    t.is(r.code, 4);
    t.regex(r.err, /locked by another idsync run/);
  } finally {
    await p.close();
  }
});

test('a project with rule errors refuses to run, naming the file and line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-bad-'));
  await writeFile(join(dir, 'x.sync'), 'agent hr type csv { pth = "x" object p { anchor id } }\n');
  const r = await cli('run', 'hr', 'full-import', '--project', dir);
  t.is(r.code, 1);
  t.regex(r.err, /x\.sync:1:21 error IDS0402 unknown setting 'pth'/);
});

test.serial('a bad IDSYNC_HEAP_GROWING_PERCENT is a usage error naming the variable, without a stack trace', async (t) => {
  process.env['IDSYNC_HEAP_GROWING_PERCENT'] = 'lots';
  try {
    for (const args of [['status', '--project', demo], ['demo', '--dir', join(await mkdtemp(join(tmpdir(), 'idsync-heap-')), 'd'), '--people', '20']]) {
      const r = await cli(...args);
      t.is(r.code, 2, args[0]);
      t.is(r.err, "idsync: IDSYNC_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000 (0 keeps V8's own policy), not 'lots'", args[0]);
    }
  } finally {
    delete process.env['IDSYNC_HEAP_GROWING_PERCENT'];
  }
});
