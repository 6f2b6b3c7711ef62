/**
 * Churns objects that live long enough to reach the old generation, over a fixed live set; prints peak
 * RSS in MB, whether the heap policy engaged, and the young generation's size in bytes.
 * HEAP_CHILD_CHURN: how many objects to churn (0: the live set alone, a small heap).
 * HEAP_CHILD_TURN=settled: between slices only a settled promise is awaited, and the policy checked, as a sync over the store does.
 */
import v8 from 'node:v8';
import { applyHeapPolicy, checkHeapPolicy, heapPolicyEngaged } from '../../engine/heap-policy.ts';

applyHeapPolicy();
const live = Array.from({ length: 200_000 }, (_, i) => ({ id: `live-${i}`, attrs: { a: i, b: `value ${i}` } }));
// A ring of objects replaced one by one: each survives many scavenges, is promoted, then dies in the old generation.
const ring = new Array<unknown>(300_000);
const churn = Number(process.env['HEAP_CHILD_CHURN'] ?? 6_000_000);
const settled = process.env['HEAP_CHILD_TURN'] === 'settled';
// In slices with a turn of the event loop between, as the engine's steps run: the observer that engages the policy runs there.
for (let i = 0; i < churn; i++) {
  ring[i % ring.length] = { id: `churn-${i}`, attrs: { a: i, b: `value ${i}`, c: [i, i + 1] } };
  if (i % 100_000 !== 99_999) continue;
  if (settled) {
    await Promise.resolve();
    checkHeapPolicy();
  } else await new Promise((r) => setImmediate(r));
}
// The observer that engages the policy is told of collections on the event loop, a few turns later: let it.
await new Promise((r) => setTimeout(r, 100));
process.stdout.write(`${JSON.stringify({ rss: process.resourceUsage().maxRSS / 1024, live: live.length, ring: ring.length, engaged: heapPolicyEngaged(), young: v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size })}\n`);
