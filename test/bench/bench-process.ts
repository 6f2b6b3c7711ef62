/**
 * What the benchmarks share: a measured child process, a copy of a project's
 * state, and medians. Each measurement is its own process, so that one run's
 * heap and caches never help the next.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NODE_FLAGS } from '../../engine/heap-policy.ts';
import { demoRulesDir } from '../../engine/demo.ts';
import { generatePeople, type Person } from '../../data/demo/people.ts';
import { writeSources } from '../../data/demo/write-sources.ts';
import { bundled } from '../../engine/cli/bundle-cache.js';

/** `open_s`: how long the child took to open the store, where it was asked to say (BENCH_OPEN); `node_flags`: the flags it ran with (BENCH_FLAGS). */
export type Measured = { wall_s: number; cpu_s: number; peak_rss_mb: number; open_s?: number; node_flags?: string[] };

/**
 * Runs `script` (a path) in its own Node process, as the CLI runs its own
 * sources (bundled, else through tsx: engine/cli/bundle-cache.js), and measures it:
 * wall time from here, CPU time and peak RSS as the child reads them from the
 * OS (its last stdout line). `cwd`: where the child resolves tsx, so that a
 * checkout of another commit runs with its own packages; `flags` and
 * `bundled`: its Node flags and its bundler (`toolsOf`; this checkout's by
 * default). `steps`: the child
 * prints each step's time on stderr (BENCH_STEPS).
 *
 * The files written before it (a state copied for the run: 0.95 GB at
 * 100,000 people, 96 MB at 10,000) are flushed to disk first, outside the
 * time. While the kernel still wrote them back, the run's fsyncs waited
 * behind them: the 37 fsync and fdatasync calls of a 100-person delta took
 * 409 ms in all at 100,000 people (up to 106 ms each) and 103 ms at 10,000,
 * against 44 and 43 ms once flushed (strace -T). That is the harness, not
 * the engine, and it grew with the size.
 */
export async function measure(script: string, args: readonly string[], o: { cwd?: string; steps?: boolean; sayFlags?: boolean } & Partial<TreeTools> = {}): Promise<Measured> {
  // Built (if not fresh) before the time starts, as an installed idsync's first run builds it once.
  const bundle = await (o.bundled ?? bundled)(script);
  if (process.platform !== 'win32') spawnSync('sync');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ['--max-old-space-size=20000', ...(o.flags ?? NODE_FLAGS), ...(bundle ? [bundle] : ['--import', 'tsx/esm', script]), ...args], {
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(o.steps ? { BENCH_STEPS: '1' } : {}), ...(o.sayFlags ? { BENCH_FLAGS: '1' } : {}) },
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      const wall_s = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${out}`));
      resolve({ wall_s, ...(JSON.parse(out.trim().split('\n').at(-1)!) as Omit<Measured, 'wall_s'>) });
    });
  });
}

/**
 * A copy of a project's state, timestamps to the nanosecond (the file agents
 * check their indexes against the files' modification times): cp -a, or
 * Node's copy where there is none (Windows), whose coarser times make the
 * agents read their files again.
 */
export async function copyState(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  if (process.platform !== 'win32' && spawnSync('cp', ['-a', from, to]).status === 0) return;
  await cp(from, to, { recursive: true, preserveTimestamps: true });
}

/**
 * A new project in the system's temporary folder (`idsync-<name>-N-…/project`):
 * the demo rules, an `out` folder, and the sources of `n` generated people.
 */
export async function demoProject(name: string, n: number, now: Date): Promise<{ dir: string; people: Person[] }> {
  const dir = join(await mkdtemp(join(os.tmpdir(), `idsync-${name}-${n}-`)), 'project');
  await mkdir(join(dir, 'out'), { recursive: true });
  await cp(demoRulesDir, join(dir, 'rules'), { recursive: true });
  const people = generatePeople(n, now);
  await writeSources(dir, people);
  return { dir, people };
}

/** Each column's median over the runs: one run moved a size's delta by a tenth or more. */
export function median(runs: readonly Measured[]): Measured {
  const mid = (k: 'wall_s' | 'cpu_s' | 'peak_rss_mb') => {
    const v = runs.map((r) => r[k]).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  return { wall_s: mid('wall_s'), cpu_s: mid('cpu_s'), peak_rss_mb: mid('peak_rss_mb') };
}

/** This checkout: the one a run measures unless told another. */
const here = resolve(new URL('.', import.meta.url).pathname, '..', '..');

/**
 * One run of the engine's `phase` on a fresh copy `copy` of the project at
 * `state`, so that every run of a comparison starts from the same bytes.
 * `tree`: the checkout whose engine runs (its own bench-child.ts and packages).
 */
export async function measureOnCopy(state: string, copy: string, phase: 'full' | 'delta', o: { tree?: string; steps?: boolean } = {}): Promise<Measured> {
  await copyState(state, copy);
  const tools = o.tree ? await toolsOf(o.tree) : {};
  // A checkout's run says the flags it ran with: bench:compare prints them.
  return measure(join(o.tree ?? here, 'test', 'bench', 'bench-child.ts'), [phase, copy], { cwd: o.tree, steps: o.steps, sayFlags: !!o.tree, ...tools });
}

/** How a checkout starts a measured process: its Node flags, and its bundler (which decides what the bundle holds). */
export interface TreeTools {
  readonly flags: readonly string[];
  readonly bundled: (entry: string) => Promise<string | null>;
}

/**
 * `tree`'s own flags and bundler (`engine/cli/bundle-cache.js`), so that a
 * commit that changes either is measured with its own. Until the thirty-sixth
 * session every checkout ran with the comparing checkout's: a comparison of a
 * change to them compared nothing.
 */
export async function toolsOf(tree: string): Promise<TreeTools> {
  const path = join(tree, 'engine', 'cli', 'bundle-cache.js');
  const bundler = ((await load(path)) as { bundled?: unknown }).bundled;
  if (typeof bundler !== 'function') throw new Error(`${path} exports no bundled()`);
  return { flags: await nodeFlagsOf(tree), bundled: (entry) => (bundler as TreeTools['bundled'])(entry) };
}

/** The Node flags `tree` (a checkout) starts its processes with: its NODE_FLAGS. */
export async function nodeFlagsOf(tree: string): Promise<readonly string[]> {
  const path = join(tree, 'engine', 'heap-policy.ts');
  const flags = ((await load(path)) as { NODE_FLAGS?: unknown }).NODE_FLAGS;
  if (!Array.isArray(flags) || !flags.every((f) => typeof f === 'string')) throw new Error(`${path} exports no NODE_FLAGS (a list of Node flags)`);
  return flags as string[];
}

/** A checkout's module, or an error naming it (the loader's own does not always reach the caller as an Error). */
async function load(path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${path} cannot be loaded: ${(err as { message?: string }).message ?? String(err)}`);
  }
}
