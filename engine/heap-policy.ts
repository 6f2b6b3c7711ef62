/**
 * The engine's heap policy, applied once per process when a project opens.
 *
 * A sync allocates fast and keeps little: at 100,000 people the live heap
 * stays near 0.5 GB while V8, left to itself, let the old generation grow to
 * about four times that before collecting it (peak RSS 1.9–2.2 GB). Growing
 * it by at most 50% over what was live after the last full collection holds
 * RSS near the live heap, for a few percent more GC time (measured on the
 * 100,000 HR full sync: RSS 843 → 596 MB, wall 26.1 → 26.7 s).
 *
 * The percentage is held only once the heap in use passes 256 MB: a delta
 * cycle's heap stays under about 100 MB, where V8's own policy costs little
 * memory, and the 50% made the 100-person delta at 100,000 people run nine
 * full collections instead of four (100 against 41 ms of marking; five runs
 * each, median 1.54 against 1.47 s, peak RSS within 20 MB).
 *
 * The young generation is held at its first size until then too (V8 would
 * double it each time many objects survive a scavenge, up to NODE_FLAGS'
 * 32 MB): a delta loads a few large objects that survive, V8 grew the young
 * generation to 2 × 32 MB for them, and every page it touched first cost a
 * page fault (about 12 µs each on the benchmark's machine). Held, the
 * 100-person delta at 100,000 people ran its steps in 898 against 989 ms
 * (449 against 475 ms at 10,000; medians of four, alternating), while a full
 * cycle, past 256 MB within its first import, keeps the larger young
 * generation that made it faster (see NODE_FLAGS).
 *
 * IDSYNC_HEAP_GROWING_PERCENT sets another percentage; 0 leaves V8's own
 * policy for the old generation. IDSYNC_HEAP_POLICY_FROM_MB sets where both
 * start; 0 from the first allocation. A --heap-growing-percent or
 * --semi-space-growth-factor given to Node itself is left alone.
 */
import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';

export const DEFAULT_HEAP_GROWING_PERCENT = 50;
export const DEFAULT_HEAP_POLICY_FROM_MB = 256;

/**
 * Node flags the CLI starts with (the shebang of engine/cli/bin.js, which
 * cannot import this) and the benchmark's processes too. A semi-space of
 * 32 MB instead of 16: V8 sizes the young generation when the process starts,
 * so `v8.setFlagsFromString` cannot set it later. A full sync allocates
 * short-lived objects fast; with the larger young generation fewer of them
 * are promoted before they die. Measured on the 100,000-person directory full
 * sync, four alternating runs each: 38.8–40.1 s against 40.4–48.8 s, peak
 * RSS 1.06–1.12 GB against 1.22 GB; the whole full cycle at 100,000 in a
 * later session, two alternating runs each: 117.2 and 127.8 s against 125.4
 * and 139.6 s. A small run does not grow into it (`applyHeapPolicy`).
 *
 * It starts at 8 MB rather than V8's 1 MB, and is held there until the policy
 * engages: with 1 MB a delta at 100,000 people scavenged every megabyte or so
 * while its steps held department groups of 10,000 members: 57 scavenges and
 * 168 ms in the departments step of the 1% delta, 14 and 98 ms with 8 MB
 * (all its steps: 274 scavenges and 557 ms, then 65 and 323). Eight alternating
 * runs each: the 1% delta's steps 2,259 against 2,490 ms (every run faster
 * than every run without), the 100-person delta's 823 against 1,000 ms at
 * 100,000 and 493 against 543 ms at 10,000. 16 MB made the HR step slower.
 */
export const NODE_FLAGS = ['--max-semi-space-size=32', '--min-semi-space-size=8'] as const;

/** A bad IDSYNC_HEAP_GROWING_PERCENT: a setting for the user to fix, not a bug. */
export class HeapPolicyError extends Error {
  override name = 'HeapPolicyError';
}
let applied = false;
let engaged = false;

/** Whether Node was started with a flag matching `flag`, on its command line or in NODE_OPTIONS. */
const givenToNode = (env: NodeJS.ProcessEnv, execArgv: readonly string[], flag: RegExp) => [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) => flag.test(a));

/** The percentage to apply, or null to leave V8's policy (0, or Node given its own). */
export function heapGrowingPercent(env: NodeJS.ProcessEnv, execArgv: readonly string[]): number | null {
  if (givenToNode(env, execArgv, /^--heap[-_]growing[-_]percent/)) return null;
  const raw = env['IDSYNC_HEAP_GROWING_PERCENT'];
  const percent = raw === undefined || raw === '' ? DEFAULT_HEAP_GROWING_PERCENT : Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new HeapPolicyError(`IDSYNC_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000 (0 keeps V8's own policy), not '${raw}'`);
  }
  return percent === 0 ? null : percent;
}

/** The heap in use, in bytes, past which the percentage is held. */
export function heapPolicyFrom(env: NodeJS.ProcessEnv): number {
  const raw = env['IDSYNC_HEAP_POLICY_FROM_MB'];
  const mb = raw === undefined || raw === '' ? DEFAULT_HEAP_POLICY_FROM_MB : Number(raw);
  if (!Number.isInteger(mb) || mb < 0 || mb > 1_048_576) {
    throw new HeapPolicyError(`IDSYNC_HEAP_POLICY_FROM_MB must be a whole number of megabytes from 0 to 1048576 (0: from the start), not '${raw}'`);
  }
  return mb * 2 ** 20;
}

/** Whether the percentage is held yet in this process: once the heap in use passed where it starts. */
export function heapPolicyEngaged(): boolean { return engaged; }

/** Sets the policy once per process; a bad setting throws every time, so that each command reports it. */
export function applyHeapPolicy(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): number | null {
  const percent = heapGrowingPercent(env, execArgv);
  const from = heapPolicyFrom(env);
  if (applied) return null;
  applied = true;
  const holdYoung = !givenToNode(env, execArgv, /^--semi[-_]space[-_]growth[-_]factor/);
  if (percent !== null || holdYoung) holdGrowthPast(percent, holdYoung, from);
  return percent;
}

/** V8's own factor by which the young generation grows. */
const V8_YOUNG_GROWTH = 2;

/**
 * From the first collection after which `from` bytes or more are in use:
 * old-generation growth held to `percent` (null: V8's), and the young
 * generation, held at its size until then (`holdYoung`), let grow.
 */
function holdGrowthPast(percent: number | null, holdYoung: boolean, from: number): void {
  const engage = () => {
    if (percent !== null) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
    if (holdYoung) v8.setFlagsFromString(`--semi-space-growth-factor=${V8_YOUNG_GROWTH}`);
    engaged = percent !== null;
  };
  if (v8.getHeapStatistics().used_heap_size >= from) { engage(); return; }
  // Read by V8 each time it would grow the young generation, so it may change while the process runs.
  if (holdYoung) v8.setFlagsFromString('--semi-space-growth-factor=1');
  waiting = () => {
    if (v8.getHeapStatistics().used_heap_size < from) return;
    waiting = null;
    watch.disconnect();
    engage();
  };
  // Asked after each collection (an observer does not keep the process alive); the next limit is set from then on.
  const watch = new PerformanceObserver(() => checkHeapPolicy());
  watch.observe({ entryTypes: ['gc'] });
}

/** While the policy waits for the heap to pass where it starts: the check that engages it. */
let waiting: (() => void) | null = null;

/**
 * Engages the policy now if the heap in use has passed where it starts. The
 * observer above is told of collections only on a turn of the event loop, and
 * a step that awaits nothing but settled promises (a sync over the store)
 * gives it none: a 100,000-object directory full sync opened from a kept
 * state ran to its end with the young generation held (1,960 scavenges
 * against 541-575 once checked). The engine calls this as its steps report progress.
 */
export function checkHeapPolicy(): void {
  waiting?.();
}
