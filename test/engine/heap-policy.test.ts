/** The engine's heap policy: which percentage applies, and that it keeps RSS nearer the live heap. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from '../../engine/heap-policy.ts';

test('the percentage: the default, a setting, 0 for V8 own policy, a bad value named, and Node given its own flag', (t) => {
  t.is(heapGrowingPercent({}, []), DEFAULT_HEAP_GROWING_PERCENT);
  t.is(heapGrowingPercent({ IDSYNC_HEAP_GROWING_PERCENT: '100' }, []), 100);
  t.is(heapGrowingPercent({ IDSYNC_HEAP_GROWING_PERCENT: '0' }, []), null);
  t.throws(() => heapGrowingPercent({ IDSYNC_HEAP_GROWING_PERCENT: 'half' }, []), { message: /IDSYNC_HEAP_GROWING_PERCENT must be a whole number .* not 'half'/ });
  t.is(heapGrowingPercent({ NODE_OPTIONS: '--max-old-space-size=4096 --heap-growing-percent=20' }, []), null);
  t.is(heapGrowingPercent({}, ['--heap_growing_percent=20']), null);
});

test('with the policy, peak RSS stays nearer the live heap than with V8 own policy', (t) => {
  const child = fileURLToPath(new URL('./heap-policy-child.ts', import.meta.url));
  const rss = (percent: string) => (JSON.parse(execFileSync(process.execPath, ['--import', 'tsx/esm', child], { env: { ...process.env, IDSYNC_HEAP_GROWING_PERCENT: percent }, encoding: 'utf8' })) as { rss: number }).rss;
  const v8Own = rss('0');
  const policy = rss(String(DEFAULT_HEAP_GROWING_PERCENT));
  t.log(`peak RSS: V8's own policy ${v8Own.toFixed(0)} MB, the engine's ${policy.toFixed(0)} MB`);
  t.true(policy < v8Own * 0.8, `${policy} MB is not well below ${v8Own} MB`);
});
