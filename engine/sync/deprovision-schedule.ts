/**
 * Disabled objects waiting for their grace period before the delete is
 * staged. An entry is `agent\0id\0deleteAt`, so that every sync checks the
 * schedule without reading the objects; entries written before the time was
 * part of them (`agent\0id`) are read, as they always were.
 */
import type { CsObject } from '../../data/objects.ts';
import { disconnect, type SyncContext } from './sync-context.ts';

const key = (cs: CsObject) => `${cs.agent}\0${cs.id}\0${cs.deprovision?.deleteAt ?? ''}`;
const legacyKey = (cs: CsObject) => `${cs.agent}\0${cs.id}`;

export function scheduleDeprovisionDelete(s: SyncContext, cs: CsObject): void {
  s.deprovisionDeletes.add(key(cs));
}

export function unscheduleDeprovisionDelete(s: SyncContext, cs: CsObject): void {
  s.deprovisionDeletes.delete(key(cs));
  s.deprovisionDeletes.delete(legacyKey(cs));
}

/** Stages the delete of every disabled object whose grace period is over. */
export function processDeprovisionDeletes(s: SyncContext): void {
  for (const k of [...s.deprovisionDeletes]) {
    const [agent, id, at] = k.split('\0') as [string, string, string?];
    if (at && new Date(at) > s.now) continue;
    const cs = s.ctx.store.cs(agent).get(id);
    if (cs?.deprovision?.deleteAt && new Date(cs.deprovision.deleteAt) > s.now) continue;
    s.deprovisionDeletes.delete(k);
    if (!cs?.deprovision?.deleteAt) continue;
    const next = cs.mvId ? disconnect(s, cs, 'explicit-disconnector', false) : { ...cs, state: 'explicit-disconnector' as const };
    s.tx.putCs({ ...next, pendingExport: { op: 'delete', changes: {} } });
    s.rec.count(`${agent}/deprovisioned-delete`);
  }
}
