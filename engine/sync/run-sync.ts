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
import { createSyncContext, persistSchedules, type SyncContext } from './sync-context.ts';

export interface SyncOptions {
  /** MIM's object process limit: stop after this many connector-space objects. */
  readonly limit?: number;
  readonly profile?: string | null;
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

/** Attribute flow, deletion rules and outbound for everything the inbound pass touched. */
export async function finishSync(s: SyncContext): Promise<void> {
  const retry = [...s.pendingRefs];
  s.pendingRefs.clear();
  for (const id of retry) { s.recompute.add(id); s.outbound.add(id); }
  for (const id of s.recompute) guarded(s, `mv:${id}`, () => recomputeMv(s, id));
  applyDeletionRules(s);
  for (const id of s.outbound) await guardedAsync(s, `mv:${id}`, () => syncOutbound(s, id));
  // References to objects provisioned later in this same run resolve now.
  const again = [...s.pendingRefs];
  s.pendingRefs.clear();
  for (const id of again) {
    guarded(s, `mv:${id}`, () => recomputeMv(s, id));
    await guardedAsync(s, `mv:${id}`, () => syncOutbound(s, id));
  }
  persistSchedules(s);
}

export async function runSync(ctx: EngineContext, agentName: string, mode: 'full' | 'delta', o: SyncOptions = {}): Promise<RunRecord> {
  const rec = new StepRecorder(agentName, `${mode}-sync`, o.profile ?? null, ctx.now());
  if (!ctx.rules.agents.has(agentName)) throw new Error(`unknown agent '${agentName}'`);
  const tx = ctx.store.begin();
  const s = createSyncContext(ctx, tx, rec);
  try {
    processGraceDeletions(s);
    processDeprovisionDeletes(s);
    const space = ctx.store.cs(agentName);
    // Ids only: objects are read one at a time as the loop reaches them, so a full sync does not hold the space.
    const ids = mode === 'full' ? space.ids() : space.pendingImportIds();
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
      if (done % 1000 === 0) ctx.events.progress?.(`${agentName} ${mode}-sync`, done, ids.length);
      if (rec.overErrorLimit) break;
    }
    rec.count('objects-processed', done);
    await finishSync(s);
    tx.addRun(rec.finish(rec.overErrorLimit ? 'stopped-error-limit' : undefined, ctx.now()));
    await tx.commit();
    return ctx.store.runs().at(-1)!;
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}
