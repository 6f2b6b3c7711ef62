/** The benchmark's kept states and the comparison of checkouts on them, at N = 1,000, so that the code keeps working. Shapes and order only, never a time. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';

const tmp = mkdtempSync(join(os.tmpdir(), 'idsync-bench-compare-'));
const states = join(tmp, 'states');
const tsx = (script: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx/esm', script, ...args], { encoding: 'utf8', timeout: 120_000 });

test.before(() => {
  const r = tsx('test/bench/cycle-bench.ts', ['--n', '1000', '--json', '--fixed', '30', '--repeat', '1', '--keep', states]);
  if (r.status !== 0) throw new Error(r.stderr);
});
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

test('npm run bench -- --keep DIR keeps each size\'s state before each phase, as a project', (t) => {
  for (const stage of ['full', 'one-percent', 'fixed']) {
    t.true(existsSync(join(states, '1000', stage, 'rules')), `${stage} has the rules`);
    t.true(existsSync(join(states, '1000', stage, 'sources', 'hr.csv')), `${stage} has the sources`);
  }
  t.false(existsSync(join(states, '1000', 'full', '.idsync')), 'before the full cycle: no store yet');
  t.true(existsSync(join(states, '1000', 'fixed', '.idsync')), 'before the fixed delta: the store the 1% delta left');
});

/** This checkout under another name, its files linked, but for its heap policy: NODE_FLAGS with `flag` added. */
function linkedCheckout(name: string, flag: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'engine'), { recursive: true });
  for (const f of readdirSync('.')) if (f !== 'engine') symlinkSync(resolve(f), join(dir, f));
  for (const f of readdirSync('engine')) if (f !== 'heap-policy.ts') symlinkSync(resolve('engine', f), join(dir, 'engine', f));
  const policy = readFileSync('engine/heap-policy.ts', 'utf8');
  const flags = /export const NODE_FLAGS = \[[^\]]*/;
  if (!flags.test(policy)) throw new Error('engine/heap-policy.ts: NODE_FLAGS not found');
  writeFileSync(join(dir, 'engine', 'heap-policy.ts'), policy.replace(flags, (m) => `${m}, '${flag}'`));
  return dir;
}

test('bench:compare alternates the checkouts, each round starting with another, prints medians per checkout, and runs each with its flags', async (t) => {
  // This checkout under two names, the second with one more Node flag: two trees to alternate, with no second install.
  const other = linkedCheckout('other', '--stack-trace-limit=11');
  const r = tsx('test/bench/compare.ts', ['--states', states, '--stage', 'fixed', '--rounds', '2', '--json', process.cwd(), other]);
  t.is(r.status, 0, r.stderr);
  const order = [...r.stderr.matchAll(/^round (\d+), 1000, (.+?) on /gm)].map((m) => `${m[1]} ${m[2] === other ? 'B' : 'A'}`);
  t.deepEqual(order, ['1 A', '1 B', '2 B', '2 A']);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rows: Record<string, unknown>[]; ratios: unknown[] };
  t.deepEqual(out.rows.map((x) => [x['tree'] === other ? 'B' : 'A', x['n'], x['stage'], x['runs']]), [['A', 1000, 'fixed', 2], ['B', 1000, 'fixed', 2]]);
  for (const row of out.rows) for (const k of ['wall_s', 'cpu_s', 'peak_rss_mb']) t.true((row[k] as number) > 0, `${k} in ${JSON.stringify(row)}`);
  t.deepEqual(out.ratios, [], 'one size: no ratio');
  // What each checkout's processes said they ran with: its own flags.
  const { NODE_FLAGS } = await import('../../engine/heap-policy.ts');
  const own = ['--max-old-space-size=20000', ...NODE_FLAGS];
  t.deepEqual(out.rows.map((x) => x['node_flags']), [own, [...own, '--stack-trace-limit=11']]);
});

test('bench:compare runs a checkout named TREE=DIR on its own kept states: a commit that keeps other files is compared on states it made', (t) => {
  // The same states under another name: what each checkout ran on is what it was given.
  const mine = join(tmp, 'states-mine');
  mkdirSync(mine);
  symlinkSync(join(states, '1000'), join(mine, '1000'));
  const other = linkedCheckout('own-states', '--stack-trace-limit=12');
  const r = tsx('test/bench/compare.ts', ['--stage', 'fixed', '--rounds', '1', '--json', `${process.cwd()}=${states}`, `${other}=${mine}`]);
  t.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rows: Record<string, unknown>[] };
  t.deepEqual(out.rows.map((x) => [x['tree'] === other ? 'B' : 'A', x['states'], x['n'], x['runs']]), [['A', states, 1000, 1], ['B', mine, 1000, 1]]);
  const ran = [...r.stderr.matchAll(/^round 1, 1000, (.+?) on (.+?):/gm)].map((m) => [m[1] === other ? 'B' : 'A', m[2]]).sort();
  t.deepEqual(ran, [['A', join(states, '1000', 'fixed')], ['B', join(mine, '1000', 'fixed')]]);
  // States with no size in common, and a checkout named without states where no --states is given.
  const apart = join(tmp, 'states-apart');
  mkdirSync(apart);
  symlinkSync(join(states, '1000'), join(apart, '2000'));
  const r2 = tsx('test/bench/compare.ts', ['--rounds', '1', `${process.cwd()}=${states}`, `${other}=${apart}`]);
  t.is(r2.status, 2);
  t.regex(r2.stderr, /the checkouts' states hold no size in common/);
  const r3 = tsx('test/bench/compare.ts', ['--rounds', '1', `${process.cwd()}=${states}`, other]);
  t.is(r3.status, 2);
  t.regex(r3.stderr, /--states DIR is required for .*own-states: .*or name it as .*own-states=DIR/);
});

test('bench:compare says what is wrong with its arguments, and exits 2', (t) => {
  const bad = [
    { args: ['--states', states, '--stage', 'partial', '.'], says: /--stage must be one of full, one-percent, fixed, not 'partial'/ },
    { args: ['--stage', 'fixed', '.'], says: /--states DIR is required/ },
    { args: ['--states', join(tmp, 'nowhere'), '.'], says: /holds no kept states: run npm run bench -- --keep/ },
    { args: ['--states', states, '--n', '5000', '.'], says: /5000.fixed does not exist: run npm run bench -- --n 5000 --keep/ },
    { args: ['--states', states, tmp], says: /has no test\/bench\/bench-child.ts: not a checkout of idsync/ },
    { args: ['--states', states, '--rounds', '0', '.'], says: /--rounds must be a whole number of 1 or more, not '0'/ },
  ];
  for (const { args, says } of bad) {
    const r = tsx('test/bench/compare.ts', args);
    t.is(r.status, 2, args.join(' '));
    t.regex(r.stderr, says);
  }
});

test('bench:compare runs each checkout with its own Node flags and bundler, and says so where it has none', async (t) => {
  const { nodeFlagsOf, toolsOf } = await import('../bench/bench-process.ts');
  const { NODE_FLAGS } = await import('../../engine/heap-policy.ts');
  t.deepEqual(await nodeFlagsOf(process.cwd()), [...NODE_FLAGS]);
  // A checkout as far as its flags go: its package (ES modules) and its heap policy.
  const checkout = (name: string, policy: string) => {
    const dir = join(tmp, name);
    mkdirSync(join(dir, 'engine'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'engine', 'heap-policy.ts'), policy);
    return dir;
  };
  const tree = checkout('flags-tree', "export const NODE_FLAGS = ['--stack-size=900'] as const;\n");
  t.deepEqual(await nodeFlagsOf(tree), ['--stack-size=900']);
  const none = checkout('no-flags-tree', 'export const other = 1;\n');
  await t.throwsAsync(nodeFlagsOf(none), { message: /no-flags-tree.engine.heap-policy.ts exports no NODE_FLAGS/ });
  // Its bundler is its own: this one answers with where it was asked to build.
  mkdirSync(join(tree, 'engine', 'cli'), { recursive: true });
  writeFileSync(join(tree, 'engine', 'cli', 'bundle-cache.js'), 'export const bundled = async (entry) => `built by flags-tree: ${entry}`;\n');
  const tools = await toolsOf(tree);
  t.deepEqual(tools.flags, ['--stack-size=900']);
  t.is(await tools.bundled('x.ts'), 'built by flags-tree: x.ts');
  await t.throwsAsync(toolsOf(none), { message: /no-flags-tree.engine.cli.bundle-cache.js/ });
});
