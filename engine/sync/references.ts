/**
 * References between objects. Inbound, a connector-space value (a DN or an
 * anchor) becomes the metaverse id of the object it names; outbound, a
 * metaverse id becomes the target's DN or anchor. What cannot be resolved yet
 * waits: a placeholder in the connector space, and a retry on the next sync.
 */
import type { SyncContext } from './sync-context.ts';
import type { EngineContext } from '../context.ts';
import { newCsObject } from '../import/stage-object.ts';
import { anchorKey } from './pending-references.ts';

/** Whether `agent` names referenced objects by anchor (rules setting, else the agent's own default). */
export function referencesByAnchor(ctx: EngineContext, agent: string): boolean {
  const setting = ctx.rules.agents.get(agent)?.settings['references-by'];
  if (setting !== undefined) return setting === 'anchor';
  try {
    return ctx.agent(agent).capabilities.referencesBy === 'anchor';
  } catch {
    return false;
  }
}
const byAnchor = (s: SyncContext, agent: string) => referencesByAnchor(s.ctx, agent);

/** A metaverse id as `agent` names it now (anchor or DN), or null. */
export function targetIdentifier(ctx: EngineContext, agent: string, mvId: string): string | null {
  const ref = ctx.store.cs(agent).joinedTo(mvId);
  if (!ref) return null;
  return referencesByAnchor(ctx, agent) ? ref.anchor : ref.dn;
}

/** The agents whose connectors `agent`'s reference values name (references-agent; else the agent itself). */
function targetAgents(ctx: EngineContext, agent: string): string[] {
  const setting = ctx.rules.agents.get(agent)?.settings['references-agent'];
  return setting === undefined ? [agent] : Array.isArray(setting) ? setting.map(String) : [String(setting)];
}

/** What an unresolved reference value waits on: its anchor in each agent it is looked up in; a DN, only the agents. */
export function waitsOn(ctx: EngineContext, agent: string, value: string): string[] {
  const agents = targetAgents(ctx, agent);
  return referencesByAnchor(ctx, agent) ? agents.map((a) => anchorKey(a, value)) : agents;
}

/** The slot a connector-space reference value names, in the first agent that has it. */
function lookup(s: SyncContext, agent: string, value: string) {
  // Slots only: a group's members are named without reading them. A slot holds a metaverse id only while joined.
  for (const a of targetAgents(s.ctx, agent)) {
    const cs = s.ctx.store.cs(a);
    const target = byAnchor(s, agent) ? cs.refByAnchor(value) : cs.refByDn(value);
    if (target) return target;
  }
  return undefined;
}

/** The metaverse id a connector-space reference value names now, or null; nothing is kept for it. */
export const refOf = (s: SyncContext, agent: string, value: string): string | null => lookup(s, agent, value)?.mvId ?? null;

/** Connector-space reference value → metaverse id, or null when it does not resolve (yet). */
export function resolveInbound(s: SyncContext, agent: string, value: string, objectType: string): string | null {
  const target = lookup(s, agent, value);
  if (target?.mvId) return target.mvId;
  // Placeholders only in this agent's own connector space.
  if (!target && targetAgents(s.ctx, agent)[0] === agent) {
    // A referenced object not imported yet: keep a placeholder, never lose the value.
    s.tx.putCs(newCsObject(agent, { state: 'placeholder', dn: value, objectType, ...(byAnchor(s, agent) ? { anchor: value } : {}) }));
  }
  return null;
}

/**
 * Metaverse id → the target connector's DN (or anchor), or null while the
 * target object does not exist yet. Answered from the store's lookups: a
 * group's members are not read.
 */
export function resolveOutbound(s: SyncContext, agent: string, mvId: string): string | null {
  const ref = s.ctx.store.cs(agent).joinedTo(mvId);
  if (!ref) return null;
  return byAnchor(s, agent) ? ref.anchor : ref.newDn ?? ref.dn;
}

/** Whether the metaverse object has an object in `agent` waiting to be created (so its identifier comes with this export). */
export function pendingInTarget(s: SyncContext, agent: string, mvId: string): boolean {
  return !!s.ctx.store.cs(agent).joinedTo(mvId)?.pendingAdd;
}
