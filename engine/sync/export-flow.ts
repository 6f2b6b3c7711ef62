/**
 * Export attribute flow: what the target should hold, compared with what it
 * holds or is about to hold (hologram + unconfirmed + pending export), so
 * nothing is staged when nothing changed.
 */
import type { OutboundFlow, OutboundRule } from '../../rules/index.ts';
import { IgnoreThisFlow, Sentinel, toStored } from '../../rules/values.ts';
import type { AttrValue, Attributes, Scalar } from '../../data/model.ts';
import { asArray, valuesEqual } from '../../data/model.ts';
import type { AttrChange, CsObject, MvObject, PendingExport } from '../../data/objects.ts';
import { applyChanges, landed } from '../../data/objects.ts';
import { pendingInTarget, resolveOutbound } from './references.ts';
import type { SyncContext } from './sync-context.ts';
import { mvKey, pendRef } from './pending-references.ts';
import { membersByValue } from './outbound-by-value.ts';

/** The target object as it will be once every staged and sent change lands. */
export function escrowView(cs: CsObject): Attributes {
  const view: Attributes = { ...cs.hologram };
  for (const [k, v] of Object.entries(cs.unconfirmed ?? {})) {
    if (k === '$dn') continue;
    const next = landed(view[k], v);
    if (next === null) delete view[k];
    else view[k] = next;
  }
  return applyChanges(view, cs.pendingExport?.changes ?? {});
}

function chosen(s: SyncContext, agent: string, objectType: string, attr: string): Map<string, string> {
  const key = `${agent}\0${objectType}\0${attr}`;
  let map = s.taken.get(key);
  if (!map) s.taken.set(key, (map = new Map()));
  return map;
}

/**
 * Who holds `value` (lower-cased) for SelectUniqueValue: a value handed out
 * in this run, else the store's value index, checked against what each
 * candidate holds or is about to hold. Nothing scans the connector space.
 */
function ownerOf(s: SyncContext, agent: string, objectType: string, attr: string, value: string): string | undefined {
  const mine = chosen(s, agent, objectType, attr).get(value);
  if (mine !== undefined) return mine;
  for (const o of s.ctx.store.cs(agent).find(objectType, attr, value)) {
    if (asArray(escrowView(o)[attr]).some((v) => String(v).toLowerCase() === value)) return o.id;
  }
  return undefined;
}

/** Marks a value as used in the connected system, so SelectUniqueValue moves on to its next candidate. */
export function markTaken(s: SyncContext, agent: string, objectType: string, attr: string, value: string): void {
  chosen(s, agent, objectType, attr).set(value.toLowerCase(), '\0external');
}

export function evaluateFlow(s: SyncContext, rule: OutboundRule, flow: OutboundFlow, row: Attributes, cs: CsObject, mvId: string, deferred: string[] = []): AttrValue | null | Sentinel {
  // Closures only where SelectUniqueValue needs one: this runs per flow per object.
  const raw = flow.evaluate(row, flow.selectsUnique ? {
    now: s.env.now,
    isUnique: (v) => { const owner = ownerOf(s, rule.agent, rule.objectType, flow.target, v.toLowerCase()); return owner === undefined || owner === cs.id; },
  } : s.env);
  if (raw === IgnoreThisFlow) return IgnoreThisFlow;
  let value = toStored(raw);
  if (flow.selectsUnique && value !== null) {
    const mine = chosen(s, rule.agent, rule.objectType, flow.target);
    for (const v of asArray(value)) mine.set(String(v).toLowerCase(), cs.id);
  }
  if (flow.referenceAttribute && value !== null) {
    const out: string[] = [];
    const ids = asArray(value);
    for (const id of ids) {
      const target = resolveOutbound(s, rule.agent, String(id));
      if (target) out.push(target);
      else {
        pendRef(s, mvId, [mvKey(rule.agent, String(id))], ids.length);
        if (pendingInTarget(s, rule.agent, String(id))) deferred.push(String(id));
      }
    }
    value = out.length ? (Array.isArray(value) ? out : out[0]!) : null;
  }
  return value;
}

function change(cur: AttrValue | undefined, next: AttrValue | null, valueLevel: boolean): AttrChange {
  if (valueLevel && (Array.isArray(cur) || Array.isArray(next))) {
    const before = asArray(cur);
    const after = asArray(next);
    const had = new Set(before);
    const has = new Set(after);
    return { op: 'values', add: after.filter((v) => !had.has(v)), remove: before.filter((v) => !has.has(v)) };
  }
  return { op: 'replace', value: next };
}

/** The change that adds and removes these values, as `change` would give it for the resulting value. */
function byValues(cur: AttrValue | undefined, values: { add: Scalar[]; remove: Scalar[] }, valueLevel: boolean): AttrChange {
  if (valueLevel && Array.isArray(cur)) return { op: 'values', ...values };
  const gone = new Set(values.remove);
  const next = [...asArray(cur).filter((v) => !gone.has(v)), ...values.add];
  return { op: 'replace', value: Array.isArray(cur) || next.length !== 1 ? next : next[0]! };
}

export interface FlowOutcome {
  readonly changes: Record<string, AttrChange>;
  readonly referenceAttrs: string[];
  /** Reference values naming objects this export creates, resolved in its second pass. */
  readonly deferred: Record<string, string[]>;
}

/** Changes the flows of `rule` would stage on `cs`. `creating`: the object is being provisioned (apply-once flows run). */
export function exportChanges(s: SyncContext, rule: OutboundRule, flows: readonly OutboundFlow[], row: Attributes, cs: CsObject, mv: Pick<MvObject, 'id'>, creating: boolean, valueLevel: (attribute: string) => boolean): FlowOutcome {
  const view = escrowView(cs);
  const changes: Record<string, AttrChange> = {};
  const referenceAttrs: string[] = [];
  const deferred: Record<string, string[]> = {};
  for (const flow of flows) {
    if (flow.once && !creating) continue;
    let evaluated;
    const later: string[] = [];
    const byValue = flow.referenceAttribute && !creating ? membersByValue(s, rule, flow, view, mv.id, cs.id, later) : undefined;
    if (byValue) {
      if (later.length) deferred[flow.target] = later;
      referenceAttrs.push(flow.target);
      if (byValue.add.length || byValue.remove.length) changes[flow.target] = byValues(view[flow.target], byValue, valueLevel(flow.target));
      continue;
    }
    try {
      evaluated = evaluateFlow(s, rule, flow, row, cs, mv.id, later);
      if (later.length) deferred[flow.target] = later;
    } catch (err) {
      s.rec.count('flow-failure');
      s.rec.error(`${rule.agent}:${cs.dn}`, `flow '${flow.target} <- ${flow.text}' (${flow.source.file}:${flow.source.line}) failed: ${(err as Error).message}`);
      continue;
    }
    if (evaluated instanceof Sentinel) continue;
    const value: AttrValue | null = evaluated;
    if (flow.referenceAttribute) referenceAttrs.push(flow.target);
    if (value === null && (creating || !flow.allowNull)) {
      if (view[flow.target] !== undefined) s.explain?.(`${flow.target}: null not exported (the flow does not allow null)`);
      continue;
    }
    if (valuesEqual(view[flow.target], value)) continue;
    changes[flow.target] = change(view[flow.target], value, valueLevel(flow.target));
    s.explain?.(`${flow.target}: ${JSON.stringify(view[flow.target] ?? null)} -> ${JSON.stringify(value)} (${flow.source.file}:${flow.source.line})`);
  }
  return { changes, referenceAttrs, deferred };
}

/** Folds new changes into a pending export. */
export function mergeExport(pe: PendingExport | null, op: PendingExport['op'], changes: Record<string, AttrChange>, extra: Partial<PendingExport> = {}): PendingExport {
  const merged: Record<string, AttrChange> = { ...(pe?.changes ?? {}) };
  for (const [k, c] of Object.entries(changes)) {
    const prev = merged[k];
    if (prev?.op === 'values' && c.op === 'values') {
      const removing = new Set(c.remove);
      const adding = new Set(c.add);
      const add = new Set<Scalar>([...prev.add, ...c.add].filter((v) => !removing.has(v)));
      const remove = new Set<Scalar>([...prev.remove, ...c.remove].filter((v) => !adding.has(v)));
      merged[k] = { op: 'values', add: [...add], remove: [...remove] };
    } else merged[k] = c;
  }
  const referenceAttrs = [...new Set([...(pe?.referenceAttrs ?? []), ...(extra.referenceAttrs ?? [])])];
  // No empty `deferred`: export reads an object again for its deferred references only when it has some.
  const { deferred: before, ...kept } = pe ?? {};
  const { deferred: added, ...others } = extra;
  const deferred = { ...(before ?? {}), ...(added ?? {}) };
  return { ...kept, ...others, op: pe?.op === 'add' ? 'add' : op, changes: merged, referenceAttrs, ...(Object.keys(deferred).length ? { deferred } : {}) };
}
