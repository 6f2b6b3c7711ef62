/**
 * References that could not be resolved yet, and when to try them again.
 *
 * A reference resolves once the object it names is joined in the agent it is
 * looked up in (or, by DN, renamed into the DN it names). Until some sync joins
 * or renames that object, trying again gives the same answer. Every sync used
 * to try them all: at 100,000 people, one department group waiting on one
 * person's directory object resolved its 10,000 members again in each of a
 * delta cycle's six syncs. Each pending object now keeps what its values
 * wait on: the anchor, in each agent it is looked up in, of a value named by
 * anchor; the metaverse object, in the target, of an outbound value; and only
 * the agent for a DN, whose spellings vary. A sync tries it when it linked
 * one of those; a full sync tries them all, as does every sync for an entry
 * written before these were kept.
 */
import type { SyncContext } from './sync-context.ts';

/** Persisted entries: a metaverse id alone (written before keys were kept: tried by every sync), or [id, ...keys]. */
export type PendingRefEntry = string | readonly string[];

/**
 * An entry waiting on more keys than this, and than a quarter of the values
 * the object was resolving, waits on their agents instead, so that it stays
 * small. Waiting on an agent costs the object every value at each sync that
 * links anything there: a department group of 10,000 members listing 33
 * people not joined, looked up in hr and contractors (66 keys), was resolved
 * whole at each HR delta sync that joined a new hire (about 25 ms a group at
 * 100,000 people). A key is about 20 bytes of the persisted list.
 */
const MAX_VALUES = 64;
/** The share of an object's values it may wait on one by one, as a divisor. */
const SHARE = 4;

/** What a pending value waits on: an agent, or an object in it (`agent\0a:anchor`, `agent\0m:metaverse id`). */
export const anchorKey = (agent: string, anchor: string) => `${agent}\0a:${anchor}`;
export const mvKey = (agent: string, mvId: string) => `${agent}\0m:${mvId}`;
const agentOfKey = (key: string) => { const i = key.indexOf('\0'); return i < 0 ? key : key.slice(0, i); };

export function readPendingRefs(entries: readonly PendingRefEntry[]): Map<string, Set<string> | null> {
  const out = new Map<string, Set<string> | null>();
  for (const e of entries) {
    if (typeof e === 'string') out.set(e, null);
    else if (e[0] !== undefined) out.set(e[0], new Set(e.slice(1)));
  }
  return out;
}

export function writePendingRefs(refs: ReadonlyMap<string, Set<string> | null>): PendingRefEntry[] {
  return [...refs].map(([id, keys]) => (keys ? [id, ...keys] : id));
}

/** The keys any pending entry waits on by object: links to record as they happen. */
export function waitedOn(refs: ReadonlyMap<string, Set<string> | null>): Set<string> {
  const out = new Set<string>();
  for (const keys of refs.values()) if (keys) for (const k of keys) if (k.includes('\0')) out.add(k);
  return out;
}

/**
 * Records that `mvId` holds a value waiting on one of `keys` (agents, or
 * objects in them). `of`: how many values the flow was resolving, which a
 * retry of the whole object resolves again.
 */
export function pendRef(s: SyncContext, mvId: string, keys: readonly string[], of = 0): void {
  let held = s.pendingRefs.get(mvId);
  if (held === null) return;
  if (!held) s.pendingRefs.set(mvId, (held = new Set()));
  for (const k of keys) {
    if (held.has(agentOfKey(k))) continue;
    held.add(k);
    if (k.includes('\0')) s.waiting.add(k);
  }
  if (held.size > MAX_VALUES && held.size > of / SHARE) {
    for (const k of [...held]) if (k.includes('\0')) { held.delete(k); held.add(agentOfKey(k)); }
  }
}

/**
 * A connector of `agent` was joined (`anchor`, `mvId`: the object it is), or a
 * joined one renamed (agent only): references waiting on it may resolve now.
 */
export function linked(s: SyncContext, agent: string, anchor?: string | null, mvId?: string | null): void {
  s.linked.add(agent);
  // Once per join of a full sync: keys only while something waits.
  if (!s.waiting.size) return;
  if (anchor && s.waiting.has(anchorKey(agent, anchor))) s.linked.add(anchorKey(agent, anchor));
  if (mvId && s.waiting.has(mvKey(agent, mvId))) s.linked.add(mvKey(agent, mvId));
}

/**
 * Takes out of the pending set the references waiting on something in
 * `linked` ('all': every one, as a full sync tries them); the others stay pending.
 */
export function takePendingRefs(s: SyncContext, linked: ReadonlySet<string> | 'all'): string[] {
  const ids: string[] = [];
  for (const [id, keys] of s.pendingRefs) {
    if (linked !== 'all' && keys && ![...keys].some((k) => linked.has(k))) continue;
    ids.push(id);
    s.pendingRefs.delete(id);
  }
  return ids;
}
