/**
 * Churns objects that live long enough to reach the old generation, over a fixed live set; prints peak
 * RSS in MB, and whether the heap policy engaged. HEAP_CHILD_CHURN=0: the live set alone (a small heap).
 */
import { applyHeapPolicy, heapPolicyEngaged } from '../../engine/heap-policy.ts';

applyHeapPolicy();
const live = Array.from({ length: 200_000 }, (_, i) => ({ id: `live-${i}`, attrs: { a: i, b: `value ${i}` } }));
// A ring of objects replaced one by one: each survives many scavenges, is promoted, then dies in the old generation.
const ring = new Array<unknown>(300_000);
const churn = process.env['HEAP_CHILD_CHURN'] === '0' ? 0 : 6_000_000;
for (let i = 0; i < churn; i++) ring[i % ring.length] = { id: `churn-${i}`, attrs: { a: i, b: `value ${i}`, c: [i, i + 1] } };
// The observer that engages the policy is told of collections on the event loop, a few turns later: let it.
await new Promise((r) => setTimeout(r, 100));
process.stdout.write(`${JSON.stringify({ rss: process.resourceUsage().maxRSS / 1024, live: live.length, ring: ring.length, engaged: heapPolicyEngaged() })}\n`);
