/**
 * Full and delta synchronization of one agent. Delta: only connector-space
 * objects with pending imports, and the metaverse objects they touch. Full:
 * every object of the agent, as after a rule change.
 */
import type { EngineContext } from '../context.ts';
import type { RunRecord } from '../../data/objects.ts';
import { StepRecorder } from '../run/step-record.ts';
import { syncInbound } from './inbound.ts';
import { recomputeMv } from './attribute-flow.ts';
import { applyDeletionRules, processGraceDeletions } from './deletion.ts';
import { syncOutbound } from './outbound.ts';
import { processDeprovisionDeletes } from './deprovision-schedule.ts';
import { createSyncContext, markRecompute, persistSchedules, type SyncContext } from './sync-context.ts';
import { takePendingRefs } from './pending-references.ts';

export interface SyncOptions {
  /** MIM's object process limit: stop after this many connector-space objects. */
  readonly limit?: number;
  readonly profile?: string | null;
  /** Connector-space objects between two flushes (default CHUNK); tests use small ones. */
  readonly chunk?: number;
}

function guarded(s: SyncContext, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    s.rec.count('flow-failure');
    s.rec.error(what, (err as Error).message);
  }
}

async function guardedAsync(s: SyncContext, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    s.rec.count('flow-failure');
    s.rec.error(what, (err as Error).message);
  }
}

/**
 * Attribute flow, deletion rules and outbound for what the inbound pass has
 * touched so far. What the outbound pass adds to `recompute` waits, as it did
 * when this ran once per sync: provisioning only links the new connector.
 */
async function flushTouched(s: SyncContext): Promise<void> {
  for (const [id, agents] of s.recompute) guarded(s, `mv:${id}`, () => recomputeMv(s, id, agents));
  applyDeletionRules(s);
  for (const id of s.outbound) {
    s.moved.delete(id);
    await outboundOf(s, id);
  }
  await carryMoved(s);
  s.recompute.clear();
  s.valueChanges.clear();
  s.outbound.clear();
  s.lost.clear();
  s.refChanges.clear();
  s.confirmed?.clear();
}

/** Outbound for one object, with this flush's changes to its references; they are spent once it ran. */
async function outboundOf(s: SyncContext, id: string): Promise<void> {
  await guardedAsync(s, `mv:${id}`, () => syncOutbound(s, id));
  s.refChanges.delete(id);
}

/** Outbound again for the objects referring to one renamed after their outbound ran (outbound-by-value.ts). */
async function carryMoved(s: SyncContext): Promise<void> {
  for (const id of s.moved) {
    s.moved.delete(id);
    await outboundOf(s, id);
  }
}

/**
 * Ends a sync: retries the pending references that wait on what this run
 * linked (every one, `all`, for a full sync), finishes what the inbound pass
 * touched, then retries once more those waiting on what that finishing
 * provisioned after their referrers.
 */
export async function finishSync(s: SyncContext, all = false): Promise<void> {
  for (const id of takePendingRefs(s, all ? 'all' : s.linked)) { markRecompute(s, id); s.outbound.add(id); }
  const before = new Set(s.linked);
  await flushTouched(s);
  // What that flush provisioned may be what a reference computed earlier in it waits on.
  const since = new Set([...s.linked].filter((a) => !before.has(a)));
  for (const id of takePendingRefs(s, since)) {
    guarded(s, `mv:${id}`, () => recomputeMv(s, id));
    await outboundOf(s, id);
  }
  await carryMoved(s);
  s.refChanges.clear();
  persistSchedules(s);
}

/**
 * Connector-space objects synchronized between two flushes. A person's objects
 * (connector, metaverse object, its other connectors, its targets) are read by
 * inbound and again by attribute flow and outbound: flushing every CHUNK keeps
 * them in the store's cache between the two, where one flush at the end of a
 * 100,000-object sync read each of them from disk again.
 */
const CHUNK = 2_000;

export async function runSync(ctx: EngineContext, agentName: string, mode: 'full' | 'delta', o: SyncOptions = {}): Promise<RunRecord> {
  const rec = new StepRecorder(agentName, `${mode}-sync`, o.profile ?? null, ctx.now());
  if (!ctx.rules.agents.has(agentName)) throw new Error(`unknown agent '${agentName}'`);
  const tx = ctx.store.begin();
  const s = createSyncContext(ctx, tx, rec, mode === 'full');
  try {
    processGraceDeletions(s);
    processDeprovisionDeletes(s);
    const space = ctx.store.cs(agentName);
    // Ids only: objects are read one at a time as the loop reaches them, so a full sync does not hold the space.
    const ids = mode === 'full' ? space.ids() : space.pendingImportIds();
    const chunk = o.chunk ?? CHUNK;
    let done = 0;
    for (const id of ids) {
      if (o.limit !== undefined && done >= o.limit) {
        rec.notes.push(`object process limit ${o.limit} reached; ${ids.length - done} object(s) left for the next run`);
        break;
      }
      const cs = space.get(id);
      // A full sync skips placeholders without counting them, as it did when it filtered them up front.
      if (mode === 'full' && cs?.state === 'placeholder') continue;
      if (cs) guarded(s, `${agentName}:${cs.anchor ?? cs.dn}`, () => syncInbound(s, cs));
      done++;
      if (done % chunk === 0) {
        await flushTouched(s);
        tx.settled?.();
      }
      if (done % 1000 === 0) ctx.events.progress?.(`${agentName} ${mode}-sync`, done, ids.length);
      if (rec.overErrorLimit) break;
    }
    rec.count('objects-processed', done);
    // References pending from earlier runs are tried at the end, once every join of this run is known.
    await finishSync(s, mode === 'full');
    tx.addRun(rec.finish(rec.overErrorLimit ? 'stopped-error-limit' : undefined, ctx.now()));
    await tx.commit();
    return ctx.store.runs().at(-1)!;
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}
