/** State shared by the passes of one synchronization run. */
import type { EngineContext } from '../context.ts';
import type { StoreTransaction } from '../../data/store.ts';
import type { CsObject, MvObject, ValueChanges } from '../../data/objects.ts';
import type { StepRecorder } from '../run/step-record.ts';
import type { EvalContext } from '../../rules/index.ts';
import { primeReferrers, type RefDelta } from './outbound-by-value.ts';
import { primeJoinIndexes } from './join.ts';
import { linked, readPendingRefs, waitedOn, writePendingRefs, type PendingRefEntry } from './pending-references.ts';

export const PENDING_REFS_KEY = 'pending-references';
export const GRACE_KEY = 'grace-deletes';
export const DEPROVISION_KEY = 'deprovision-deletes';

export interface SyncContext {
  readonly ctx: EngineContext;
  readonly tx: StoreTransaction;
  readonly rec: StepRecorder;
  readonly now: Date;
  /** What flows evaluate with (Now() is the run's start): one object for the run, not one per evaluation. */
  readonly env: EvalContext;
  /**
   * Metaverse objects whose attributes must be recomputed (inbound flow), with
   * the agents whose connectors changed; null: every attribute (see markRecompute).
   */
  readonly recompute: Map<string, Set<string> | null>;
  /** Values added and removed by the pending imports of joined connectors in this flush, by connector id (value-level-refs.ts). */
  readonly valueChanges: Map<string, Readonly<Record<string, ValueChanges>>>;
  /** Metaverse objects to run outbound rules for. */
  readonly outbound: Set<string>;
  /** How this flush changed metaverse reference attributes, by object and attribute; null: not by value (outbound-by-value.ts). */
  readonly refChanges: Map<string, Map<string, RefDelta | null>>;
  /**
   * Joined connectors whose pending import only confirmed exports, in a delta
   * sync: outbound reference flows to them have nothing to correct unless the
   * metaverse value changed (outbound-by-value.ts). Null in a full sync, which
   * evaluates every flow, as after a rule change.
   */
  readonly confirmed: Set<string> | null;
  /** Objects referring to one renamed since their outbound ran in this flush: it runs again for them. */
  readonly moved: Set<string>;
  /** Per agent, the metaverse type and attribute pairs exported to it as references by DN (outbound-by-value.ts). */
  readonly referrers: Map<string, readonly (readonly [string, string])[]>;
  /** Metaverse objects that lost a connector in this run, with the agents they lost, for the deletion rules. */
  readonly lost: Map<string, Set<string>>;
  /** Metaverse objects deleted in this run: outbound deprovisions their connectors. */
  readonly deleted: Map<string, MvObject>;
  /** Metaverse objects with references not resolvable yet, with what they wait on; persisted (pending-references.ts). */
  readonly pendingRefs: Map<string, Set<string> | null>;
  /** Agents in which this run joined a connector, or renamed a joined one, and the joined objects pending references wait on. */
  readonly linked: Set<string>;
  /** The objects pending references wait on (pending-references.ts). */
  readonly waiting: Set<string>;
  /** Metaverse objects waiting out a deletion grace period; persisted. */
  readonly graceDeletes: Set<string>;
  /** Disabled connector-space objects (agent\0id\0deleteAt) whose delete waits for its time; persisted. */
  readonly deprovisionDeletes: Set<string>;
  /**
   * SelectUniqueValue values handed out in this run, or found taken in the connected system:
   * agent\0type\0attribute → lower value → csId ('\0external'). The store's value index holds the rest.
   */
  readonly taken: Map<string, Map<string, string>>;
  /** DNs the connected systems hold outside their connector spaces (lower case), for SelectUniqueValue in DNs. */
  readonly externalDns: Set<string>;
  /** Preview mode: compute, explain, never commit. */
  readonly explain?: (line: string) => void;
}

export function createSyncContext(ctx: EngineContext, tx: StoreTransaction, rec: StepRecorder, full = false): SyncContext {
  const now = ctx.now();
  const pendingRefs = readPendingRefs(ctx.store.meta<PendingRefEntry[]>(PENDING_REFS_KEY) ?? []);
  const s: SyncContext = {
    ctx, tx, rec, now, env: { now: () => now },
    recompute: new Map(), valueChanges: new Map(), outbound: new Set(), refChanges: new Map(), confirmed: full ? null : new Set(), moved: new Set(), referrers: new Map(), lost: new Map(), deleted: new Map(),
    pendingRefs,
    linked: new Set(),
    waiting: waitedOn(pendingRefs),
    graceDeletes: new Set(ctx.store.meta<string[]>(GRACE_KEY) ?? []),
    deprovisionDeletes: new Set(ctx.store.meta<string[]>(DEPROVISION_KEY) ?? []),
    taken: new Map(),
    externalDns: new Set(),
  };
  primeReferrers(s);
  primeJoinIndexes(s);
  return s;
}

/** Writes the persisted sets once, at the end of a run, rather than re-reading and rewriting a list per object. */
export function persistSchedules(s: SyncContext): void {
  const lists: [string, unknown[]][] = [[PENDING_REFS_KEY, writePendingRefs(s.pendingRefs)], [GRACE_KEY, [...s.graceDeletes]], [DEPROVISION_KEY, [...s.deprovisionDeletes]]];
  for (const [key, list] of lists) if (list.length || s.ctx.store.meta(key) !== undefined) s.tx.setMeta(key, list);
}

/** The current version of a metaverse object, as this run sees it. */
export const mvOf = (s: SyncContext, id: string | null): MvObject | undefined => (id ? s.ctx.store.mv(id) : undefined);

export function putMv(s: SyncContext, mv: MvObject): void {
  s.tx.putMv(mv);
}

/**
 * Marks a metaverse object for attribute flow because a connector of `agent`
 * changed, joined or left; without an agent, every attribute is recomputed.
 */
export function markRecompute(s: SyncContext, mvId: string, agent?: string): void {
  const agents = s.recompute.get(mvId);
  if (agents === null) return;
  if (agent === undefined) s.recompute.set(mvId, null);
  else if (agents) agents.add(agent);
  else s.recompute.set(mvId, new Set([agent]));
}

/** The connector-space object as linked to `mv`, not yet written. */
export const joinedTo = (cs: CsObject, mv: MvObject, state: 'connector' | 'explicit-connector'): CsObject => ({ ...cs, state, mvId: mv.id, syncError: null });

export function connect(s: SyncContext, cs: CsObject, mv: MvObject, state: 'connector' | 'explicit-connector'): CsObject {
  const joined = joinedTo(cs, mv, state);
  s.tx.putCs(joined);
  linked(s, cs.agent, cs.anchor, mv.id);
  if (!mv.connectors.some((c) => c.csId === cs.id)) {
    // A connector arriving during a deletion grace period cancels the deletion.
    s.tx.putMv({ ...mv, connectors: [...mv.connectors, { agent: cs.agent, csId: cs.id }], deleteAt: null });
  }
  markRecompute(s, mv.id, cs.agent);
  s.outbound.add(mv.id);
  return joined;
}

/** Breaks a link. `evaluateDeletion` is false when provisioning caused it (MIM does not run deletion rules then). */
export function disconnect(s: SyncContext, cs: CsObject, state: CsObject['state'], evaluateDeletion: boolean): CsObject {
  const next: CsObject = { ...cs, state, mvId: null };
  s.tx.putCs(next);
  const mv = mvOf(s, cs.mvId);
  if (mv) {
    s.tx.putMv({ ...mv, connectors: mv.connectors.filter((c) => c.csId !== cs.id) });
    markRecompute(s, mv.id, cs.agent);
    s.outbound.add(mv.id);
    if (evaluateDeletion) {
      const set = s.lost.get(mv.id) ?? new Set<string>();
      set.add(cs.agent);
      s.lost.set(mv.id, set);
    }
  }
  return next;
}
