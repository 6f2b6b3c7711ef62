/**
 * Metaverse object deletion rules, evaluated when a connector goes because
 * of an imported delete, a connector filter, or a manual disconnect (never
 * when provisioning disconnected it). A grace period defers the deletion.
 */
import { GRACE_KEY, type SyncContext } from './sync-context.ts';

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
      const pending = new Set(s.ctx.store.meta<string[]>(GRACE_KEY) ?? []);
      pending.add(mv.id);
      s.tx.setMeta(GRACE_KEY, [...pending]);
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
  const pending = s.ctx.store.meta<string[]>(GRACE_KEY) ?? [];
  if (!pending.length) return;
  const keep: string[] = [];
  for (const id of pending) {
    const mv = s.ctx.store.mv(id);
    if (!mv || mv.deleteAt === null) continue;
    if (new Date(mv.deleteAt) <= s.now) deleteMv(s, id);
    else keep.push(id);
  }
  s.tx.setMeta(GRACE_KEY, keep);
}
