/**
 * Outbound synchronization of one metaverse object: for each outbound rule,
 * provision, rename, flow, or deprovision its object in the target agent.
 */
import type { OutboundRule } from '../../rules/index.ts';
import { toStored } from '../../rules/values.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { newCsObject } from '../import/stage-object.ts';
import { exportChanges, markTaken, mergeExport } from './export-flow.ts';
import type { ManagementAgent } from '../../management-agents/index.ts';
import { connect, disconnect, joinedTo, type SyncContext } from './sync-context.ts';
import { carryRename } from './outbound-by-value.ts';
import { scheduleDeprovisionDelete, unscheduleDeprovisionDelete } from './deprovision-schedule.ts';

function agentOf(s: SyncContext, name: string): ManagementAgent | undefined {
  try {
    return s.ctx.agent(name);
  } catch {
    return undefined;
  }
}
/** Which attributes take value-level changes in this agent. */
function valueLevel(s: SyncContext, agent: string): (attribute: string) => boolean {
  const caps = agentOf(s, agent)?.capabilities;
  if (!caps?.valueLevelMultiValue) return () => false;
  const only = caps.valueLevelAttributes;
  return only ? (a) => only.includes(a) : () => true;
}
/** How many candidates to try against the connected system before giving up. */
const MAX_UNIQUE_TRIES = 20;

function targetOf(s: SyncContext, mv: MvObject, rule: OutboundRule): CsObject | undefined {
  for (const c of mv.connectors) {
    if (c.agent !== rule.agent) continue;
    const cs = s.ctx.store.cs(c.agent).get(c.csId);
    if (cs && cs.objectType === rule.objectType) return cs;
  }
  return undefined;
}

function computeDn(s: SyncContext, rule: OutboundRule, mv: MvObject): string | null {
  if (!rule.dn) return null;
  const space = s.ctx.store.cs(rule.agent);
  try {
    // SelectUniqueValue in a DN picks the first candidate no other object of the target holds.
    // The slot says whose a DN is: a taken candidate costs no read of the object holding it.
    const isUnique = (v: string) => { const o = space.refByDn(v); return s.externalDns.has(v.toLowerCase()) ? false : !o || o.mvId === mv.id; };
    const dn = toStored(rule.dn(mv.attrs, { ...s.env, isUnique }));
    if (dn === null || Array.isArray(dn)) return null;
    // "CN=,OU=…" comes from attributes that are gone: never provision or rename to it.
    const text = String(dn);
    const first = text.split(/(?<!\\),/)[0] ?? '';
    const eq = first.search(/(?<!\\)=/);
    const empty = eq >= 0 ? first.slice(eq + 1).trim() === '' : /\/\s*$|^\s*$/.test(text);
    if (empty) {
      s.rec.error(`mv:${mv.id}`, `DN expression of '${rule.name}' (${rule.source.file}:${rule.source.line}) gave '${dn}', whose first component has no value`);
      return null;
    }
    return String(dn);
  } catch (err) {
    s.rec.error(`mv:${mv.id}`, `DN expression of '${rule.name}' (${rule.source.file}:${rule.source.line}) failed: ${(err as Error).message}`);
    return null;
  }
}

/** The DN, with SelectUniqueValue candidates also checked against the connected system. */
async function uniqueDn(s: SyncContext, rule: OutboundRule, mv: MvObject, agent: ManagementAgent | undefined): Promise<string | null> {
  let dn = computeDn(s, rule, mv);
  if (!agent?.findObject || !rule.dnSelectsUnique) return dn;
  for (let i = 0; dn && i < MAX_UNIQUE_TRIES; i++) {
    const found = await agent.findObject({ dn, objectType: rule.objectType });
    if (!found || s.ctx.store.cs(rule.agent).byAnchor(found.anchor)?.mvId === mv.id) return dn;
    s.externalDns.add(dn.toLowerCase());
    dn = computeDn(s, rule, mv);
  }
  return dn;
}

async function provision(s: SyncContext, rule: OutboundRule, mv: MvObject): Promise<void> {
  const agent = agentOf(s, rule.agent);
  const dn = await uniqueDn(s, rule, mv, agent);
  const tag = `${rule.agent}/`;
  if (!dn) {
    s.rec.count(`${tag}provisioning-failure`);
    s.rec.error(`mv:${mv.id}`, `'${rule.name}' cannot provision: the DN expression gave no value`);
    return;
  }
  const space = s.ctx.store.cs(rule.agent);
  let cs = space.byDn(dn);
  if (cs && (cs.mvId !== null || cs.state !== 'disconnector')) {
    s.rec.count(`${tag}provisioning-failure`);
    s.rec.error(`mv:${mv.id}`, `'${rule.name}' cannot provision ${dn}: that DN already belongs to another object in ${rule.agent}`);
    return;
  }
  // An existing disconnector with the same DN is taken over rather than duplicated.
  const creating = !cs;
  const base = cs ?? newCsObject(rule.agent, { dn, objectType: rule.objectType, provisionedBy: rule.name });
  // Connected once its export is known: the new connector is written once, not once bare and again with it.
  cs = joinedTo(base, mv, 'connector');
  let { changes, referenceAttrs, deferred } = exportChanges(s, rule, rule.flows, mv.attrs, cs, mv, true, valueLevel(s, rule.agent));
  // SelectUniqueValue knows the connector space; where the agent can tell, the connected system has the last word.
  const uniqueFlows = agent?.isValueInUse ? rule.flows.filter((f) => f.selectsUnique) : [];
  for (let i = 0; i < MAX_UNIQUE_TRIES && uniqueFlows.length; i++) {
    let taken = false;
    for (const f of uniqueFlows) {
      const c = changes[f.target];
      const v = c?.op === 'replace' && typeof c.value === 'string' ? c.value : undefined;
      if (v !== undefined && (await agent!.isValueInUse!(rule.objectType, f.target, v))) {
        markTaken(s, rule.agent, rule.objectType, f.target, v);
        s.explain?.(`${f.target}: '${v}' is already used in ${rule.agent}; trying the next candidate`);
        taken = true;
      }
    }
    if (!taken) break;
    ({ changes, referenceAttrs, deferred } = exportChanges(s, rule, rule.flows, mv.attrs, cs, mv, true, valueLevel(s, rule.agent)));
  }
  connect(s, { ...base, provisionedBy: rule.name, pendingExport: mergeExport(base.pendingExport, creating ? 'add' : 'update', changes, { referenceAttrs, deferred }), applied: rule.flows.filter((f) => f.once).map((f) => f.target) }, mv, 'connector');
  s.rec.count(creating ? `${tag}provisioned-add` : `${tag}provisioned-join`);
  s.explain?.(`provision in ${rule.agent}: ${dn} (${Object.keys(changes).length} attributes)`);
}

function update(s: SyncContext, rule: OutboundRule, mv: MvObject, original: CsObject): void {
  let cs = original;
  const tag = `${rule.agent}/`;
  let reenabled = false;
  if (cs.deprovision) {
    // Back in scope: undo the disable by re-applying the creation values of the attributes it changed.
    unscheduleDeprovisionDelete(s, cs);
    cs = { ...cs, deprovision: null };
    reenabled = true;
  }
  const onceForReenable = reenabled ? rule.flows.filter((f) => f.once && rule.deprovision.flows.some((d) => d.target === f.target)) : [];
  const { changes, referenceAttrs, deferred } = exportChanges(s, rule, [...rule.flows.filter((f) => !f.once), ...onceForReenable.map((f) => ({ ...f, once: false }))], mv.attrs, cs, mv, false, valueLevel(s, rule.agent));
  const dn = computeDn(s, rule, mv);
  const current = cs.pendingExport?.newDn ?? cs.dn;
  const rename = dn && dn.toLowerCase() !== current.toLowerCase() ? dn : undefined;
  if (!rename && Object.keys(changes).length === 0 && Object.keys(deferred).length === 0) {
    if (reenabled) s.tx.putCs(cs);
    s.rec.count(`${tag}connector-no-flow`);
    return;
  }
  s.tx.putCs({ ...cs, pendingExport: mergeExport(cs.pendingExport, 'update', changes, { referenceAttrs, deferred, ...(rename ? { newDn: rename } : {}) }) });
  s.rec.count(rename ? `${tag}provisioned-rename` : `${tag}connector-flow`);
  if (rename) {
    s.explain?.(`rename in ${rule.agent}: ${current} -> ${rename}`);
    carryRename(s, rule.agent, mv.id, current);
  }
}

function deprovision(s: SyncContext, rule: OutboundRule, cs: CsObject, mvDeleted: boolean): void {
  const tag = `${rule.agent}/`;
  const { action, flows, deleteAfterMs } = rule.deprovision;
  s.explain?.(`deprovision in ${rule.agent}: ${action} ${cs.dn}`);
  if (action === 'disable') {
    if (cs.deprovision) {
      if (mvDeleted) disconnect(s, cs, 'disconnector', false);
      return;
    }
    const { changes } = exportChanges(s, rule, flows, { ...cs.hologram, dn: cs.dn }, cs, { id: cs.mvId ?? '' }, false, () => false);
    const deleteAt = deleteAfterMs !== undefined ? new Date(s.now.getTime() + deleteAfterMs).toISOString() : null;
    let next: CsObject = { ...cs, pendingExport: mergeExport(cs.pendingExport, 'update', changes, { disable: true }), deprovision: { action, at: s.now.toISOString(), deleteAt } };
    s.tx.putCs(next);
    if (mvDeleted) next = disconnect(s, next, 'disconnector', false);
    if (deleteAt) scheduleDeprovisionDelete(s, next);
  } else if (action === 'delete') {
    const next = disconnect(s, cs, 'explicit-disconnector', false);
    if (cs.anchor === null && cs.pendingExport?.op === 'add') s.tx.deleteCs(cs.agent, cs.id);
    else s.tx.putCs({ ...next, pendingExport: { op: 'delete', changes: {} } });
  } else {
    disconnect(s, { ...cs, pendingExport: null }, action === 'explicit-disconnect' ? 'explicit-disconnector' : 'disconnector', false);
  }
  s.rec.count(`${tag}deprovisioned`);
}

export async function syncOutbound(s: SyncContext, mvId: string): Promise<void> {
  const deleted = s.deleted.get(mvId);
  const mv = deleted ?? s.ctx.store.mv(mvId);
  if (!mv) return;
  const handled = new Set<string>();
  for (const rule of s.ctx.outboundFor(mv.objectType)) {
    const current = deleted ? mv : s.ctx.store.mv(mvId)!;
    const cs = targetOf(s, current, rule);
    if (cs) handled.add(cs.id);
    const inScope = !deleted && (!rule.scope || !!toStored(rule.scope(current.attrs, s.env)));
    s.explain?.(`outbound '${rule.name}': ${inScope ? 'in scope' : 'not in scope'}`);
    if (inScope) {
      if (!cs) {
        if (rule.provision && (!rule.provision.when || !!toStored(rule.provision.when(current.attrs, s.env)))) await provision(s, rule, current);
      } else update(s, rule, current, cs);
    } else if (cs && (cs.provisionedBy === rule.name || deleted)) {
      deprovision(s, rule, cs, !!deleted);
    }
  }
  if (deleted) {
    for (const c of mv.connectors) {
      const cs = s.ctx.store.cs(c.agent).get(c.csId);
      if (cs && !handled.has(cs.id) && cs.mvId === mvId) s.tx.putCs({ ...cs, state: 'disconnector', mvId: null });
    }
  }
}
