/**
 * Inbound synchronization of one connector-space object: apply its pending
 * import, then connector filter, join, projection. Attribute flow runs later
 * for every affected metaverse object, once all joins of the run are known.
 */
import { randomUUID } from 'node:crypto';
import { toStored } from '../../rules/values.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { applyPendingImport } from '../import/stage-object.ts';
import { findJoin } from './join.ts';
import { inScope, rowOf } from './attribute-flow.ts';
import { connect, disconnect, markRecompute, mvOf, type SyncContext } from './sync-context.ts';
import { linked } from './pending-references.ts';
import { noteValueChanges } from './value-level-refs.ts';

const isJoined = (cs: CsObject) => cs.state === 'connector' || cs.state === 'explicit-connector';

export function syncInbound(s: SyncContext, original: CsObject): void {
  const { rec, tx } = s;
  let cs = original;
  const pi = cs.pendingImport;
  if (pi?.op === 'delete') {
    if (cs.mvId) {
      disconnect(s, cs, 'disconnector', true);
      rec.count('connector-delete');
    }
    tx.deleteCs(cs.agent, cs.id);
    s.explain?.('deleted in the connected system: connector removed');
    return;
  }
  if (pi?.op === 'delete-add' && cs.mvId) {
    cs = disconnect(s, cs, 'disconnector', true);
    rec.count('connector-delete-add-processed');
  }
  if (pi) {
    const applied = applyPendingImport(cs);
    cs = { ...cs, ...applied, pendingImport: null };
    // A reference by DN waiting on the new name resolves now.
    if (cs.mvId && cs.dn !== original.dn) linked(s, cs.agent);
  }
  if (cs.state === 'explicit-disconnector') {
    tx.putCs(cs);
    rec.count('disconnector-remains');
    s.explain?.('explicit disconnector: never joined or projected unless joined by hand');
    return;
  }
  const row = rowOf(cs);
  const readBy = s.ctx.inboundFor(cs.agent, cs.objectType);
  const rules = readBy.filter((r) => inScope(r, row));
  s.explain?.(`rules in scope: ${rules.map((r) => `'${r.name}'`).join(', ') || 'none'}`);
  const filtered = rules.some((r) => r.filter && !!toStored(r.filter(row, {})));
  if (filtered) {
    if (isJoined(cs)) {
      cs = disconnect(s, cs, 'filtered-disconnector', true);
      rec.count('connector-filtered');
    } else {
      cs = { ...cs, state: 'filtered-disconnector' };
      rec.count('disconnector-filtered');
    }
    tx.putCs(cs);
    s.explain?.('connector filter matched: filtered disconnector');
    return;
  }
  if (cs.state === 'filtered-disconnector') cs = { ...cs, state: 'disconnector' };
  if (isJoined(cs)) {
    tx.putCs(cs);
    // Joins are sticky: a joined object stays joined until deleted, filtered or disconnected by hand.
    if (cs.mvId) {
      // Attribute flow takes only what this agent's rules flow or it gave: for a target's confirming import, nothing.
      markRecompute(s, cs.mvId, cs.agent);
      noteValueChanges(s, cs.id, pi);
      if (pi?.confirms) s.confirmed?.add(cs.id);
      // Outbound still compares this connector with its object: a change made in the connected system is drift.
      s.outbound.add(cs.mvId);
    }
    rec.count(pi ? 'connector-flow' : 'connector-no-change');
    s.explain?.(`already joined to ${cs.mvId}`);
    return;
  }
  if (cs.state === 'placeholder') return;
  const joinRules = rules.filter((r) => r.joinGroups.length > 0);
  const result = findJoin(s, joinRules, row, cs.agent);
  if (result.kind === 'joined') {
    connect(s, cs, result.mv, 'connector');
    rec.count('disconnector-joined');
    s.explain?.(`joined to ${result.mv.id} by group ${result.group}`);
    return;
  }
  if (result.kind === 'ambiguous') {
    const message = `ambiguous join: group ${result.group} found ${result.candidates.length} metaverse objects (${result.candidates.slice(0, 5).join(', ')}); not joined, not projected`;
    tx.putCs({ ...cs, syncError: message });
    rec.count('flow-failure');
    rec.error(`${cs.agent}:${cs.anchor ?? cs.dn}`, message);
    s.explain?.(message);
    return;
  }
  const projector = rules.find((r) => r.project && (!r.project.when || !!toStored(r.project.when(row, {}))));
  if (projector) {
    const mv: MvObject = { id: randomUUID(), objectType: projector.mvType, attrs: {}, lineage: {}, connectors: [], createdAt: s.now.toISOString(), deleteAt: null };
    tx.putMv(mv);
    connect(s, cs, mv, 'connector');
    rec.count('disconnector-projected');
    s.explain?.(`projected as a new ${projector.mvType} ${mv.id} by '${projector.name}'`);
    return;
  }
  tx.putCs({ ...cs, syncError: null });
  rec.count('disconnector-remains');
  s.explain?.('no join and no projection: stays a disconnector');
}

/** Manual join (MIM's Joiner): an explicit connector. */
export function joinByHand(s: SyncContext, cs: CsObject, mvId: string): void {
  const mv = mvOf(s, mvId);
  if (!mv) throw new Error(`no metaverse object ${mvId}`);
  if (cs.mvId) disconnect(s, cs, 'disconnector', false);
  connect(s, { ...cs, mvId: null }, s.ctx.store.mv(mvId)!, 'explicit-connector');
}
