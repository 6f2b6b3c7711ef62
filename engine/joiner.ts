/** MIM's Joiner: join a disconnector by hand, or disconnect a connector so it never re-joins on its own. */
import type { EngineContext } from './context.ts';
import { StepRecorder } from './run/step-record.ts';
import { createSyncContext, disconnect } from './sync/sync-context.ts';
import { joinByHand } from './sync/inbound.ts';
import { finishSync } from './sync/run-sync.ts';

function find(ctx: EngineContext, agent: string, ref: string) {
  const space = ctx.store.cs(agent);
  const cs = space.byAnchor(ref) ?? space.byDn(ref) ?? space.get(ref);
  if (!cs) throw new Error(`no object '${ref}' in the connector space of ${agent}`);
  return cs;
}

export async function manualJoin(ctx: EngineContext, agent: string, ref: string, mvId: string): Promise<void> {
  const cs = find(ctx, agent, ref);
  const mv = ctx.store.mv(mvId);
  if (!mv) throw new Error(`no metaverse object ${mvId}`);
  if (mv.connectors.some((c) => c.agent === agent && c.csId !== cs.id)) throw new Error(`metaverse object ${mvId} already has a connector in ${agent}`);
  const tx = ctx.store.begin();
  const rec = new StepRecorder(agent, 'join', null, ctx.now());
  const s = createSyncContext(ctx, tx, rec);
  joinByHand(s, cs, mvId);
  await finishSync(s);
  tx.addRun(rec.finish(undefined, ctx.now()));
  await tx.commit();
}

export async function manualDisconnect(ctx: EngineContext, agent: string, ref: string, explicit: boolean): Promise<void> {
  const cs = find(ctx, agent, ref);
  if (!cs.mvId && !explicit) throw new Error(`${agent} ${cs.dn} is not joined`);
  const tx = ctx.store.begin();
  const rec = new StepRecorder(agent, 'disconnect', null, ctx.now());
  const s = createSyncContext(ctx, tx, rec);
  // evaluateDeletion: a manual disconnect runs the deletion rules, as in MIM (finishSync applies them).
  disconnect(s, cs, explicit ? 'explicit-disconnector' : 'disconnector', true);
  await finishSync(s);
  tx.addRun(rec.finish(undefined, ctx.now()));
  await tx.commit();
}
