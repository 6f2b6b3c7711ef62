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
 * IDSYNC_HEAP_GROWING_PERCENT sets another percentage; 0 leaves V8's own
 * policy. IDSYNC_HEAP_POLICY_FROM_MB sets where it starts; 0 from the first
 * allocation. A --heap-growing-percent given to Node itself is left alone.
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
 * RSS 1.06–1.12 GB against 1.22 GB; the 100-person delta did not move.
 */
export const NODE_FLAGS = ['--max-semi-space-size=32'] as const;

/** A bad IDSYNC_HEAP_GROWING_PERCENT: a setting for the user to fix, not a bug. */
export class HeapPolicyError extends Error {
  override name = 'HeapPolicyError';
}
let applied = false;
let engaged = false;

/** The percentage to apply, or null to leave V8's policy (0, or Node given its own). */
export function heapGrowingPercent(env: NodeJS.ProcessEnv, execArgv: readonly string[]): number | null {
  if ([...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) => /^--heap[-_]growing[-_]percent/.test(a))) return null;
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
  if (percent !== null) holdGrowthPast(percent, from);
  return percent;
}

/** Holds growth to `percent` from the first collection after which `from` bytes or more are in use. */
function holdGrowthPast(percent: number, from: number): void {
  const engage = () => {
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
    engaged = true;
  };
  if (v8.getHeapStatistics().used_heap_size >= from) { engage(); return; }
  // Asked after each collection (an observer does not keep the process alive); the next limit is set from then on.
  const watch = new PerformanceObserver(() => {
    if (v8.getHeapStatistics().used_heap_size < from) return;
    engage();
    watch.disconnect();
  });
  watch.observe({ entryTypes: ['gc'] });
}
