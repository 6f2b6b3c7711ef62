/** Churns objects that live long enough to reach the old generation, over a fixed live set; prints peak RSS in MB. */
import { applyHeapPolicy } from '../../engine/heap-policy.ts';

applyHeapPolicy();
const live = Array.from({ length: 200_000 }, (_, i) => ({ id: `live-${i}`, attrs: { a: i, b: `value ${i}` } }));
// A ring of objects replaced one by one: each survives many scavenges, is promoted, then dies in the old generation.
const ring = new Array<unknown>(300_000);
for (let i = 0; i < 6_000_000; i++) ring[i % ring.length] = { id: `churn-${i}`, attrs: { a: i, b: `value ${i}`, c: [i, i + 1] } };
process.stdout.write(`${JSON.stringify({ rss: process.resourceUsage().maxRSS / 1024, live: live.length, ring: ring.length })}\n`);
