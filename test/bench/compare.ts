/**
 * npm run bench:compare -- [--states DIR] [--stage fixed] [--rounds 5] [--n N] [--json] TREE[=DIR]...
 *
 * Runs one phase of the cycle benchmark for two or more checkouts (commits)
 * of idsync, alternating between them, each run on a fresh copy of the same
 * kept state (`npm run bench -- --keep DIR`), and prints each one's medians.
 * The machine here moves between states that change a run by a tenth or more,
 * so commits are compared only in alternating runs on the same state; a table
 * of one commit and a table of another, taken at different times, are not.
 *
 * Stages: `full` (the full cycle on the generated sources), `one-percent` (the
 * 1% delta after it) and `fixed` (the fixed-size delta after that; with two
 * sizes the delta cost ratio is printed per tree). Each TREE is a checkout
 * with its packages installed (`git worktree add`, then `npm ci` or a link to
 * node_modules); it runs its own `test/bench/bench-child.ts`. The kept states
 * were made by the checkout that ran the benchmark: a commit that changes what
 * the store or the agents keep is compared on states it made itself, named
 * per checkout as `TREE=DIR` (a `--states` given is then for the others).
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureOnCopy, median, type Measured } from './bench-process.ts';

const STAGES = ['full', 'one-percent', 'fixed'] as const;
type Stage = (typeof STAGES)[number];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { states: { type: 'string' }, stage: { type: 'string', default: 'fixed' }, rounds: { type: 'string', default: '5' }, n: { type: 'string' }, json: { type: 'boolean', default: false } },
});

function fail(message: string): never {
  process.stderr.write(`bench:compare: ${message}\n`);
  process.exit(2);
}

const stage = values.stage as Stage;
if (!STAGES.includes(stage)) fail(`--stage must be one of ${STAGES.join(', ')}, not '${values.stage}'`);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds must be a whole number of 1 or more, not '${values.rounds}'`);
if (!positionals.length) fail('name one or more checkouts to run (two to compare)');
/** Each checkout and the kept states it runs on: its own (`TREE=DIR`, unless TREE itself is a path that holds '='), else --states. */
const checkouts = positionals.map((p) => {
  const at = existsSync(p) ? -1 : p.indexOf('=');
  const states = at < 0 ? values.states : p.slice(at + 1);
  if (!states) fail(`--states DIR is required for ${p}: the directory \`npm run bench -- --keep DIR\` filled (or name it as ${p}=DIR)`);
  return { tree: resolve(at < 0 ? p : p.slice(0, at)), states: resolve(states) };
});
const trees = checkouts.map((c) => c.tree);
for (const t of trees) if (!existsSync(join(t, 'test', 'bench', 'bench-child.ts'))) fail(`${t} has no test/bench/bench-child.ts: not a checkout of idsync`);
const statesOf = new Map(checkouts.map((c) => [c.tree, c.states]));
const kept = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((d) => /^\d+$/.test(d)).map(Number) : []);
for (const c of checkouts) if (!kept(c.states).length) fail(`${c.states} holds no kept states: run npm run bench -- --keep ${c.states}`);
// The sizes every checkout's states hold, unless one is named.
const sizes = values.n ? [Number(values.n)] : kept(checkouts[0]!.states).filter((n) => checkouts.every((c) => kept(c.states).includes(n))).sort((a, b) => a - b);
const stateOf = (tree: string, n: number) => join(statesOf.get(tree)!, String(n), stage);
for (const c of checkouts) for (const n of sizes) if (!existsSync(stateOf(c.tree, n))) fail(`${stateOf(c.tree, n)} does not exist: run npm run bench -- --n ${n} --keep ${c.states}`);
if (!sizes.length) fail(`the checkouts' states hold no size in common: ${checkouts.map((c) => c.states).join(', ')}`);

const runs = new Map<string, Measured[]>();
const key = (tree: string, n: number) => `${tree}\0${n}`;
const scratch = await mkdtemp(join(os.tmpdir(), 'idsync-compare-'));
try {
  for (let r = 0; r < rounds; r++) {
    for (const n of sizes) {
      // Each round starts with another tree, so that no tree always runs first after a copy.
      for (let i = 0; i < trees.length; i++) {
        const tree = trees[(r + i) % trees.length]!;
        const m = await measureOnCopy(stateOf(tree, n), join(scratch, 'project'), stage === 'full' ? 'full' : 'delta', { tree });
        process.stderr.write(`round ${r + 1}, ${n}, ${tree} on ${stateOf(tree, n)}: ${m.wall_s.toFixed(2)} s wall, ${m.cpu_s.toFixed(2)} s CPU, ${m.peak_rss_mb.toFixed(0)} MB\n`);
        const k = key(tree, n);
        if (!runs.has(k)) runs.set(k, []);
        runs.get(k)!.push(m);
      }
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

// The flags each checkout's processes reported they ran with (bench-child.ts): its own NODE_FLAGS, unless the harness is wrong.
const flagsOf = (tree: string, n: number) => runs.get(key(tree, n))![0]!.node_flags ?? [];
const rows = trees.flatMap((tree) => sizes.map((n) => ({ tree, states: statesOf.get(tree)!, n, stage, runs: runs.get(key(tree, n))!.length, ...median(runs.get(key(tree, n))!), node_flags: flagsOf(tree, n) })));
const wallOf = (tree: string, n: number) => rows.find((r) => r.tree === tree && r.n === n)!.wall_s;
const ratios = sizes.length === 2 && stage === 'fixed' ? trees.map((tree) => ({ tree, delta_cost_ratio: wallOf(tree, sizes[1]!) / wallOf(tree, sizes[0]!) })) : [];
if (values.json) process.stdout.write(JSON.stringify({ rows, ratios }) + '\n');
else {
  process.stdout.write(`Stage ${stage}: the median of ${rounds} alternating run(s) per checkout and size, each on a copy of its states' N/${stage} (${[...new Set(checkouts.map((c) => c.states))].join(', ')}).\n\n`);
  process.stdout.write('| checkout | N | wall s | CPU s | peak RSS MB |\n| --- | --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.tree} | ${r.n} | ${r.wall_s.toFixed(2)} | ${r.cpu_s.toFixed(2)} | ${r.peak_rss_mb.toFixed(0)} |\n`);
  for (const r of ratios) process.stdout.write(`\nDelta cost ratio ${sizes[1]} ÷ ${sizes[0]}, ${r.tree}: ${r.delta_cost_ratio.toFixed(2)}\n`);
  process.stdout.write('\n');
  for (const tree of trees) process.stdout.write(`Node flags, ${tree}: ${flagsOf(tree, sizes[0]!).join(' ')}\n`);
}
