/**
 * References that could not be resolved yet, and when to try them again.
 *
 * A reference resolves once the object it names is joined in the agent it is
 * looked up in (or, by DN, renamed into the DN it names). Until some sync joins
 * or renames a connector there, trying again gives the same answer. Every sync
 * used to try them all: at 100,000 people, one department group naming a
 * person never projected (a termination) resolved its 10,000 members again in
 * each of a delta cycle's six syncs. Each pending object now keeps the agents
 * its values wait on, and a sync tries it only when it linked a connector in
 * one of them. A full sync tries them all, as does a store written before
 * agents were kept.
 */
import type { SyncContext } from './sync-context.ts';

/** Persisted entries: a metaverse id alone (written before agents were kept: tried by every sync), or [id, ...agents]. */
export type PendingRefEntry = string | readonly string[];

export function readPendingRefs(entries: readonly PendingRefEntry[]): Map<string, Set<string> | null> {
  const out = new Map<string, Set<string> | null>();
  for (const e of entries) {
    if (typeof e === 'string') out.set(e, null);
    else if (e[0] !== undefined) out.set(e[0], new Set(e.slice(1)));
  }
  return out;
}

export function writePendingRefs(refs: ReadonlyMap<string, Set<string> | null>): PendingRefEntry[] {
  return [...refs].map(([id, agents]) => (agents ? [id, ...agents] : id));
}

/** Records that `mvId` holds a value waiting on an object in one of `agents`. */
export function pendRef(s: SyncContext, mvId: string, agents: readonly string[]): void {
  const held = s.pendingRefs.get(mvId);
  if (held === null) return;
  if (held) for (const a of agents) held.add(a);
  else s.pendingRefs.set(mvId, new Set(agents));
}

/** A connector of `agent` was joined, or a joined one renamed: references waiting on that agent may resolve now. */
export function linked(s: SyncContext, agent: string): void {
  s.linked.add(agent);
}

/**
 * Takes out of the pending set the references waiting on an agent in `linked`
 * ('all': every one, as a full sync tries them); the others stay pending.
 */
export function takePendingRefs(s: SyncContext, linked: ReadonlySet<string> | 'all'): string[] {
  const ids: string[] = [];
  for (const [id, agents] of s.pendingRefs) {
    if (linked !== 'all' && agents && ![...agents].some((a) => linked.has(a))) continue;
    ids.push(id);
    s.pendingRefs.delete(id);
  }
  return ids;
}
