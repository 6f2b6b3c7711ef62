/**
 * JSON $batch: up to 20 requests per envelope; an object's requests are
 * chained with dependsOn; throttled (429) or unavailable (503) requests are
 * sent again after Retry-After, or an exponential backoff with jitter.
 */
import type { GraphClient } from './entra-graph-client.ts';
import { backoff, retryAfterMs, sleep } from './entra-graph-client.ts';
import { AgentError } from '../errors.ts';

export interface Sub { id: string; method: string; url: string; body?: unknown; dependsOn?: string[] }
export interface SubResult { status: number; body: unknown }

const transient = (s: number) => s === 429 || s === 503 || s === 504;

/** Sends subs (≤ 20, dependsOn within them) until each has a final answer. */
export async function sendEnvelope(client: GraphClient, agent: string, subs: readonly Sub[]): Promise<Map<string, SubResult>> {
  const done = new Map<string, SubResult>();
  let pending = [...subs];
  for (let attempt = 0; pending.length; attempt++) {
    const ids = new Set(pending.map((s) => s.id));
    const requests = pending.map((s) => ({
      id: s.id, method: s.method, url: s.url,
      ...(s.body !== undefined ? { body: s.body, headers: { 'Content-Type': 'application/json' } } : {}),
      ...(s.dependsOn?.some((d) => ids.has(d)) ? { dependsOn: s.dependsOn.filter((d) => ids.has(d)) } : {}),
    }));
    const r = await client.request('POST', '/$batch', { requests });
    if (r.status >= 400) throw new AgentError(agent, `$batch failed: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`, r.status >= 500);
    const responses = ((r.body as { responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] }).responses ?? []);
    let wait = 0;
    const retry: Sub[] = [];
    for (const sub of pending) {
      const resp = responses.find((x) => x.id === sub.id);
      const status = resp?.status ?? 500;
      const dependencyRetried = status === 424 && sub.dependsOn?.some((d) => !done.has(d) || transient(done.get(d)!.status));
      if ((transient(status) || dependencyRetried) && attempt < 8) {
        retry.push(sub);
        wait = Math.max(wait, retryAfterMs(resp?.headers?.['Retry-After'] ?? resp?.headers?.['retry-after']) ?? backoff(attempt));
      } else done.set(sub.id, { status, body: resp?.body });
    }
    // A request retried must not keep a failed dependency's answer.
    for (const s of retry) done.delete(s.id);
    pending = retry;
    if (pending.length) {
      client.throttledMs += wait;
      await sleep(wait);
    }
  }
  return done;
}

/** Packs units (an object's chained subs, ≤ 20) into envelopes of at most 20, never splitting a unit. */
export function pack(units: readonly Sub[][]): Sub[][] {
  const envelopes: Sub[][] = [];
  let current: Sub[] = [];
  for (const u of units) {
    if (current.length + u.length > 20) { envelopes.push(current); current = []; }
    current.push(...u);
  }
  if (current.length) envelopes.push(current);
  return envelopes;
}

/** Runs `fn` over items with at most `n` in flight. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => { while (next < items.length) await fn(items[next++]!); }));
}
