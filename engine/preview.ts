/**
 * MIM's Preview: the synchronization of one connector-space object, explained
 * step by step, in a transaction that is rolled back. Nothing is committed.
 */
import type { EngineContext } from './context.ts';
import type { CsObject, PendingExport } from '../data/objects.ts';
import { StepRecorder } from './run/step-record.ts';
import { createSyncContext } from './sync/sync-context.ts';
import { syncInbound } from './sync/inbound.ts';
import { finishSync } from './sync/run-sync.ts';

export interface PreviewResult {
  readonly lines: string[];
  /** Pending exports the sync would stage, by agent and DN. */
  readonly exports: { agent: string; dn: string; export: PendingExport }[];
  readonly errors: string[];
}

export async function previewObject(ctx: EngineContext, agent: string, ref: string, full: boolean): Promise<PreviewResult> {
  const space = ctx.store.cs(agent);
  const cs = space.byAnchor(ref) ?? space.byDn(ref) ?? space.get(ref);
  if (!cs) throw new Error(`no object '${ref}' in the connector space of ${agent}`);
  const lines: string[] = [];
  const before = new Map<string, string>();
  const snapshot = (o: CsObject) => JSON.stringify(o.pendingExport);
  for (const a of ctx.rules.agents.keys()) for (const o of ctx.store.cs(a).withPendingExport()) if (o.pendingExport) before.set(o.id, snapshot(o));
  const tx = ctx.store.begin();
  const rec = new StepRecorder(agent, 'preview', null, ctx.now());
  const s = { ...createSyncContext(ctx, tx, rec), explain: (l: string) => lines.push(l) };
  // Only this object and what it touches: not the retries of unresolved references.
  s.pendingRefs.clear();
  try {
    lines.push(`${full ? 'full' : 'delta'} synchronization preview of ${agent} ${cs.dn}${cs.pendingImport ? ` (pending import: ${cs.pendingImport.op})` : ''}`);
    if (!full && !cs.pendingImport) lines.push('no pending import: a delta sync would not touch this object');
    else {
      syncInbound(s, cs);
      await finishSync(s);
    }
    const exports: PreviewResult['exports'] = [];
    for (const a of ctx.rules.agents.keys()) {
      for (const o of ctx.store.cs(a).withPendingExport()) {
        if (o.pendingExport && before.get(o.id) !== snapshot(o)) exports.push({ agent: a, dn: o.pendingExport.newDn ?? o.dn, export: o.pendingExport });
      }
    }
    return { lines, exports, errors: rec.errors.map((e) => `${e.object}: ${e.message}`) };
  } finally {
    await tx.rollback();
  }
}
