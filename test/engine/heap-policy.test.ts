/** The engine's heap policy: which percentage applies, and that it keeps RSS nearer the live heap. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HEAP_GROWING_PERCENT, DEFAULT_HEAP_POLICY_FROM_MB, heapGrowingPercent, heapPolicyFrom } from '../../engine/heap-policy.ts';

test('the percentage: the default, a setting, 0 for V8 own policy, a bad value named, and Node given its own flag', (t) => {
  t.is(heapGrowingPercent({}, []), DEFAULT_HEAP_GROWING_PERCENT);
  t.is(heapGrowingPercent({ IDSYNC_HEAP_GROWING_PERCENT: '100' }, []), 100);
  t.is(heapGrowingPercent({ IDSYNC_HEAP_GROWING_PERCENT: '0' }, []), null);
  t.throws(() => heapGrowingPercent({ IDSYNC_HEAP_GROWING_PERCENT: 'half' }, []), { message: /IDSYNC_HEAP_GROWING_PERCENT must be a whole number .* not 'half'/ });
  t.is(heapGrowingPercent({ NODE_OPTIONS: '--max-old-space-size=4096 --heap-growing-percent=20' }, []), null);
  t.is(heapGrowingPercent({}, ['--heap_growing_percent=20']), null);
});

const child = fileURLToPath(new URL('./heap-policy-child.ts', import.meta.url));
const runChild = (env: Record<string, string>, flags: string[] = []) =>
  JSON.parse(execFileSync(process.execPath, [...flags, '--import', 'tsx/esm', child], { env: { ...process.env, ...env }, encoding: 'utf8' })) as { rss: number; engaged: boolean; young: number };

test('with the policy, peak RSS stays nearer the live heap than with V8 own policy', (t) => {
  // The policy from the first allocation: this child's heap is what a large sync's is, scaled down.
  const rss = (percent: string) => runChild({ IDSYNC_HEAP_GROWING_PERCENT: percent, IDSYNC_HEAP_POLICY_FROM_MB: '0' }).rss;
  const v8Own = rss('0');
  const policy = rss(String(DEFAULT_HEAP_GROWING_PERCENT));
  t.log(`peak RSS: V8's own policy ${v8Own.toFixed(0)} MB, the engine's ${policy.toFixed(0)} MB`);
  t.true(policy < v8Own * 0.8, `${policy} MB is not well below ${v8Own} MB`);
});

test('where the policy starts: the default, a setting, and a bad value named', (t) => {
  t.is(heapPolicyFrom({}), DEFAULT_HEAP_POLICY_FROM_MB * 2 ** 20);
  t.is(heapPolicyFrom({ IDSYNC_HEAP_POLICY_FROM_MB: '0' }), 0);
  t.is(heapPolicyFrom({ IDSYNC_HEAP_POLICY_FROM_MB: '64' }), 64 * 2 ** 20);
  t.throws(() => heapPolicyFrom({ IDSYNC_HEAP_POLICY_FROM_MB: '1.5' }), { message: /IDSYNC_HEAP_POLICY_FROM_MB must be a whole number of megabytes .* not '1.5'/ });
  t.throws(() => heapPolicyFrom({ IDSYNC_HEAP_POLICY_FROM_MB: '-1' }), { message: /not '-1'/ });
});

test('the policy engages once the heap in use passes where it starts, and not under it', (t) => {
  // The live set alone stays far under 256 MB: V8's own policy all along.
  t.false(runChild({ HEAP_CHILD_CHURN: '0' }).engaged);
  t.true(runChild({ HEAP_CHILD_CHURN: '0', IDSYNC_HEAP_POLICY_FROM_MB: '0' }).engaged, 'from the start');
  t.true(runChild({ HEAP_CHILD_CHURN: '0', IDSYNC_HEAP_POLICY_FROM_MB: '16' }).engaged, 'the live set passes 16 MB');
  t.false(runChild({ HEAP_CHILD_CHURN: '0', IDSYNC_HEAP_GROWING_PERCENT: '0', IDSYNC_HEAP_POLICY_FROM_MB: '0' }).engaged, '0 keeps V8 own policy');
});

test('the young generation keeps its first size until the heap passes where the policy starts, then grows', (t) => {
  // The churn makes V8 grow the young generation as far as it may: many objects survive each scavenge.
  const never = { IDSYNC_HEAP_POLICY_FROM_MB: '1048576', HEAP_CHILD_CHURN: '1000000' };
  const held = runChild(never).young;
  // The live set alone stays under 64 MB; with the churn the heap passes it part way.
  t.false(runChild({ HEAP_CHILD_CHURN: '0', IDSYNC_HEAP_POLICY_FROM_MB: '64' }).engaged);
  const grown = runChild({ ...never, IDSYNC_HEAP_POLICY_FROM_MB: '64' }).young;
  const own = runChild(never, ['--semi-space-growth-factor=2']).young;
  t.log(`young generation: held ${held / 2 ** 20} MB, past the start ${grown / 2 ** 20} MB, Node given its own factor ${own / 2 ** 20} MB`);
  t.true(grown >= 4 * held, `${grown} is not well above ${held}`);
  t.true(own >= 4 * held, 'a factor given to Node is left alone');
  // The old generation's percentage switched off leaves the young generation held.
  t.is(runChild({ ...never, IDSYNC_HEAP_GROWING_PERCENT: '0' }).young, held);
});

test('a step that never turns the event loop engages the young generation by checking as it goes', (t) => {
  // The collection observer runs only on a turn of the event loop; a sync over the store gives it none.
  const never = { IDSYNC_HEAP_POLICY_FROM_MB: '1048576', HEAP_CHILD_CHURN: '1000000', HEAP_CHILD_TURN: 'settled' };
  const held = runChild(never).young;
  const grown = runChild({ ...never, IDSYNC_HEAP_POLICY_FROM_MB: '64' });
  t.log(`young generation with only settled promises awaited: held ${held / 2 ** 20} MB, past the start ${grown.young / 2 ** 20} MB`);
  t.true(grown.engaged);
  t.true(grown.young >= 4 * held, `${grown.young} is not well above ${held}`);
});
