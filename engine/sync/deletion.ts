/**
 * Metaverse object deletion rules, evaluated when a connector goes because
 * of an imported delete, a connector filter, or a manual disconnect (never
 * when provisioning disconnected it). A grace period defers the deletion.
 */
import type { SyncContext } from './sync-context.ts';

export function applyDeletionRules(s: SyncContext): void {
  for (const [mvId, lostAgents] of s.lost) {
    const mv = s.ctx.store.mv(mvId);
    if (!mv) continue;
    const rule = s.ctx.rules.deletion.get(mv.objectType);
    const mode = rule?.mode ?? 'last-connector';
    const agents = new Set(rule?.agents ?? []);
    const remaining = mv.connectors.filter((c) => !agents.has(c.agent));
    const doomed = mode === 'last-connector' ? remaining.length === 0 : [...lostAgents].some((a) => agents.has(a));
    if (!doomed) continue;
    const grace = rule?.graceMs ?? 0;
    if (grace > 0) {
      const deleteAt = new Date(s.now.getTime() + grace).toISOString();
      s.tx.putMv({ ...mv, deleteAt });
      s.graceDeletes.add(mv.id);
      s.rec.count('mv-deletion-scheduled');
      s.explain?.(`metaverse deletion rule: ${mv.id} is deleted after ${deleteAt}`);
    } else deleteMv(s, mv.id);
  }
}

export function deleteMv(s: SyncContext, mvId: string): void {
  const mv = s.ctx.store.mv(mvId);
  if (!mv) return;
  s.deleted.set(mv.id, mv);
  s.outbound.add(mv.id);
  s.tx.deleteMv(mv.id);
  s.rec.count('mv-deleted');
  s.explain?.(`metaverse object ${mv.id} deleted`);
}

/** Deletes metaverse objects whose grace period is over, unless a connector came back. */
export function processGraceDeletions(s: SyncContext): void {
  for (const id of [...s.graceDeletes]) {
    const mv = s.ctx.store.mv(id);
    if (mv && mv.deleteAt !== null && new Date(mv.deleteAt) > s.now) continue;
    s.graceDeletes.delete(id);
    if (mv && mv.deleteAt !== null) deleteMv(s, id);
  }
}
