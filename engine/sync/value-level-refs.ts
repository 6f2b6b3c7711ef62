/**
 * Reference values changed by value. A department group's import that adds
 * one member and removes another used to resolve every member again, inbound:
 * at 100,000 people, ten such groups cost 100,000 lookups per delta. Where
 * the metaverse value is known to be this connector's values resolved, only
 * the values added and removed are resolved, as Azure AD Connect applies a
 * group's member changes. Anything that would make that unsound falls back
 * to resolving every value.
 */
import type { InboundFlow, InboundRule, MvAttributeDef } from '../../rules/index.ts';
import type { Scalar } from '../../data/model.ts';
import { asArray } from '../../data/model.ts';
import { FEW, withoutPlaces } from '../../data/list-places.ts';
import { isValueChanges, type CsObject, type MvObject, type PendingImport, type ValueChanges } from '../../data/objects.ts';
import { refOf, resolveInbound, waitsOn } from './references.ts';
import { pendRef } from './pending-references.ts';
import type { SyncContext } from './sync-context.ts';

/** Keeps what a joined connector's pending import changed by value, for the attribute flow of this flush. */
export function noteValueChanges(s: SyncContext, csId: string, pi: PendingImport | null): void {
  if (pi?.op !== 'update') return;
  let changes: Record<string, ValueChanges> | undefined;
  for (const [k, v] of Object.entries(pi.delta)) if (isValueChanges(v)) (changes ??= {})[k] = v;
  if (changes) s.valueChanges.set(csId, changes);
}

/**
 * `values` less each of `gone` as many times as it counts (the first ones),
 * or undefined when one is not held that often. A few are found by
 * `indexOf` (up to FEW): walking a department group's 10,000 members through a
 * Map for the few a delta removes was most of this file's time at 100,000 people.
 */
export function without(values: readonly Scalar[], gone: ReadonlyMap<string, number>): Scalar[] | undefined {
  if (gone.size > FEW || values.some((v) => typeof v !== 'string')) {
    const left = new Map(gone);
    const out: Scalar[] = [];
    for (const id of values) {
      const n = left.get(String(id));
      if (n) left.set(String(id), n - 1);
      else out.push(id);
    }
    for (const n of left.values()) if (n > 0) return undefined;
    return out;
  }
  const places: number[] = [];
  for (const [id, n] of gone) {
    for (let at = -1, k = 0; k < n; k++) {
      at = values.indexOf(id, at + 1);
      if (at < 0) return undefined;
      places.push(at);
    }
  }
  return withoutPlaces(values, places);
}

/**
 * The metaverse value `flow` gives from `cs` after this flush's value
 * changes, from the value it holds; undefined when it must be computed from
 * every value. Sound only when the metaverse value is this connector's
 * values resolved: the attribute's lineage names this connector and rule, and
 * the flow copies one attribute without merging. A removed value that no
 * longer names a metaverse object (its person deleted since) falls back.
 */
export function byValue(s: SyncContext, mv: MvObject, cs: CsObject, rule: InboundRule, flow: InboundFlow, def: MvAttributeDef): { value: Scalar[] | null; add: string[]; remove: string[] } | undefined {
  const changed = flow.sourceAttribute !== undefined ? s.valueChanges.get(cs.id)?.[flow.sourceAttribute] : undefined;
  const by = mv.lineage[flow.target];
  if (!changed || !def.multi || flow.merge !== 'replace' || by?.csId !== cs.id || by.rule !== rule.name || by.agent !== cs.agent) return undefined;
  const gone = new Map<string, number>();
  for (const v of changed.remove) {
    const id = refOf(s, cs.agent, String(v));
    if (!id) return undefined;
    gone.set(id, (gone.get(id) ?? 0) + 1);
  }
  const out = without(asArray(mv.attrs[flow.target]), gone);
  // A removed value the metaverse value did not hold: it is not what this connector gave. Recompute.
  if (!out) return undefined;
  const add: string[] = [];
  // What recomputing the whole value would resolve: a pending entry is kept by value up to a share of it.
  const of = out.length + changed.add.length;
  for (const v of changed.add) {
    const id = resolveInbound(s, cs.agent, String(v), def.refType ?? cs.objectType);
    if (id) { out.push(id); add.push(id); }
    else pendRef(s, mv.id, waitsOn(s.ctx, cs.agent, String(v)), of);
  }
  s.explain?.(`${flow.target}: ${changed.add.length} value(s) added and ${changed.remove.length} removed in ${cs.agent}: only those resolved`);
  return { value: out.length ? out : null, add, remove: [...gone.keys()] };
}
