/** Disabled objects waiting for their grace period before the delete is staged. */
import type { CsObject } from '../../data/objects.ts';
import { disconnect, type SyncContext } from './sync-context.ts';

export const DEPROVISION_KEY = 'deprovision-deletes';
const key = (cs: CsObject) => `${cs.agent}\0${cs.id}`;

export function scheduleDeprovisionDelete(s: SyncContext, cs: CsObject): void {
  const list = new Set(s.ctx.store.meta<string[]>(DEPROVISION_KEY) ?? []);
  list.add(key(cs));
  s.tx.setMeta(DEPROVISION_KEY, [...list]);
}

export function unscheduleDeprovisionDelete(s: SyncContext, cs: CsObject): void {
  const list = (s.ctx.store.meta<string[]>(DEPROVISION_KEY) ?? []).filter((k) => k !== key(cs));
  s.tx.setMeta(DEPROVISION_KEY, list);
}

/** Stages the delete of every disabled object whose grace period is over. */
export function processDeprovisionDeletes(s: SyncContext): void {
  const list = s.ctx.store.meta<string[]>(DEPROVISION_KEY) ?? [];
  if (!list.length) return;
  const keep: string[] = [];
  for (const k of list) {
    const [agent, id] = k.split('\0') as [string, string];
    const cs = s.ctx.store.cs(agent).get(id);
    if (!cs?.deprovision?.deleteAt) continue;
    if (new Date(cs.deprovision.deleteAt) > s.now) {
      keep.push(k);
      continue;
    }
    const next = cs.mvId ? disconnect(s, cs, 'explicit-disconnector', false) : { ...cs, state: 'explicit-disconnector' as const };
    s.tx.putCs({ ...next, pendingExport: { op: 'delete', changes: {} } });
    s.rec.count(`${agent}/deprovisioned-delete`);
  }
  s.tx.setMeta(DEPROVISION_KEY, keep);
}
