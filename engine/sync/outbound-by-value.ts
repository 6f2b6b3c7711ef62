/**
 * Reference values exported by value. A department group's outbound flow used
 * to resolve all of its members to the target's DNs whenever one changed: at
 * 100,000 people, ten groups of 10,000 per delta. When this flush changed the
 * metaverse value by value (value-level-refs.ts), the target's value is moved
 * by the members added and removed, as Azure AD Connect exports a group's
 * member changes.
 *
 * That is sound only while the target holds every member under the
 * identifier it has now. An anchor (Entra ID, SCIM) stays; a DN changes when
 * its object is renamed, so a rename staged here carries into the objects
 * referring to it (`carryRename`), as AD's linked attributes do: the
 * referrers remove the old DN and add the new one. Anything else falls back
 * to resolving every value.
 */
import type { OutboundFlow, OutboundRule } from '../../rules/index.ts';
import type { Attributes, Scalar } from '../../data/model.ts';
import { asArray } from '../../data/model.ts';
import { mvKey, pendRef } from './pending-references.ts';
import { pendingInTarget, referencesByAnchor, resolveOutbound } from './references.ts';
import type { SyncContext } from './sync-context.ts';

/** How a metaverse reference attribute changed in this flush: members added and removed; renamed ones, with the DN they had. */
export interface RefDelta {
  readonly add: string[];
  readonly remove: string[];
  readonly moved: Map<string, string>;
}

const NOTHING: RefDelta = { add: [], remove: [], moved: new Map() };

/** This flush's records of `mvId`'s reference attributes, made on first use. */
function changesOf(s: SyncContext, mvId: string): Map<string, RefDelta | null> {
  let attrs = s.refChanges.get(mvId);
  if (!attrs) s.refChanges.set(mvId, (attrs = new Map()));
  return attrs;
}

/** Records how `attr` of `mvId` changed: by value, or (null) not, which makes every outbound flow of it resolve every value. */
export function noteRefDelta(s: SyncContext, mvId: string, attr: string, delta: { add: string[]; remove: string[] } | null): void {
  const attrs = changesOf(s, mvId);
  // Changed twice in one flush (or a rename carried first): not composed, resolved whole.
  attrs.set(attr, delta && !attrs.has(attr) ? { ...delta, moved: new Map() } : null);
}

/** The metaverse attributes whose outbound flows to `agent` export references by DN, by metaverse type. */
function referrers(s: SyncContext, agent: string): readonly (readonly [string, string])[] {
  let pairs = s.referrers.get(agent);
  if (!pairs) {
    const found = new Map<string, readonly [string, string]>();
    if (!referencesByAnchor(s.ctx, agent)) {
      for (const type of s.ctx.rules.schema.keys()) {
        for (const rule of s.ctx.outboundFor(type)) {
          if (rule.agent !== agent) continue;
          for (const f of rule.flows) if (f.referenceAttribute) found.set(`${type}\0${f.referenceAttribute}`, [type, f.referenceAttribute]);
        }
      }
    }
    s.referrers.set(agent, (pairs = [...found.values()]));
  }
  return pairs;
}

/**
 * Builds the reverse lookups renames need (metaverse objects by the ids they
 * reference) before anything is written, so that an empty store builds them
 * empty and a snapshot keeps them, rather than a first rename reading every object.
 */
export function primeReferrers(s: SyncContext): void {
  for (const agent of s.ctx.rules.agents.keys()) for (const [type, attr] of referrers(s, agent)) s.ctx.store.mvIndexed(type, attr);
}

/**
 * The object of `mvId` in `agent` is being renamed from `oldDn`: every
 * metaverse object whose outbound flows to `agent` export a reference to it
 * replaces that DN, in this flush (see run-sync.ts).
 */
export function carryRename(s: SyncContext, agent: string, mvId: string, oldDn: string): void {
  for (const [type, attr] of referrers(s, agent)) {
    for (const referrer of s.ctx.store.mvFind(type, attr, mvId)) {
      const attrs = changesOf(s, referrer.id);
      const had = attrs.get(attr);
      if (had === undefined) attrs.set(attr, { add: [], remove: [], moved: new Map([[mvId, oldDn]]) });
      else had?.moved.set(mvId, oldDn);
      s.moved.add(referrer.id);
    }
  }
}

const NONE: ReadonlyMap<string, string> = new Map();

/**
 * The members `mvId` waits on in `agent` (pending-references.ts), by the key
 * each waits under; undefined when it waits on the agent as a whole, or on
 * everything (an entry from before keys were kept): then its flows resolve
 * every value. At 100,000 people one department group waiting on one person
 * not in the directory resolved its 10,000 members in two syncs of each delta.
 */
function waitingIn(s: SyncContext, mvId: string, agent: string): ReadonlyMap<string, string> | undefined {
  const held = s.pendingRefs.get(mvId);
  if (held === undefined) return NONE;
  if (held === null || held.has(agent)) return undefined;
  const prefix = mvKey(agent, '');
  let out: Map<string, string> | undefined;
  for (const k of held) if (k.startsWith(prefix)) (out ??= new Map()).set(k, k.slice(prefix.length));
  return out ?? NONE;
}

/**
 * Tries again the members `mvId` waits on in the target: one that resolves now
 * is added and waits no more; one no longer a member of `attr` waits no more.
 */
function retryWaiting(s: SyncContext, agent: string, mvId: string, attr: string, waiting: ReadonlyMap<string, string>, removed: ReadonlySet<string>, keep: (name: string) => void, deferred: string[]): void {
  const held = s.pendingRefs.get(mvId);
  const members = new Set(asArray(s.ctx.store.mv(mvId)?.attrs[attr]).map(String));
  for (const [k, id] of waiting) {
    const member = members.has(id) && !removed.has(id);
    const name = member ? resolveOutbound(s, agent, id) : null;
    if (member && name === null) {
      // Still waiting; created by this export, it joins in the export's second pass.
      if (pendingInTarget(s, agent, id) && !deferred.includes(id)) deferred.push(id);
      continue;
    }
    if (name !== null) keep(name);
    held?.delete(k);
  }
  if (held?.size === 0) s.pendingRefs.delete(mvId);
}

/**
 * How much shorter than `k` a value that is `k` in lower case can be: lower
 * case changes a string's length only by 'İ', which becomes 'i' and a
 * combining dot.
 */
function dotsIn(k: string, folds: boolean): number {
  let dots = 0;
  if (folds) for (let at = k.indexOf('\u0307'); at >= 0; at = k.indexOf('\u0307', at + 1)) dots++;
  return dots;
}

/**
 * Past this many keys asked for, the values are lower-cased into a Map once;
 * up to it, compared as they are. A scratch benchmark on 10,000 and 100,000
 * DNs: 10 keys took a third of the Map's time compared, 1,000 keys ten times
 * the Map's. The 1% delta at 1,000,000 people asks for about 1,000 per group.
 */
const MANY = 32;

/**
 * Where each key asked for is among `values` (the last value holding it), or
 * undefined; `asks`, how many keys the caller means to ask for. The values
 * are put in lists by their length once, and a key is compared only with the
 * values whose length can match it, from the end; past MANY keys, a Map. A
 * department group's 10,000 DNs, lower-cased into a Map for the ten or so
 * members a 100-person delta changes, were most of the departments sync at
 * 100,000 people.
 */
export function places(values: readonly Scalar[], folds: boolean, asks: number): (k: string) => number | undefined {
  let byLength: Map<number, number[]> | null = null;
  let all: Map<string, number> | null = null;
  let asked = 0;
  return (k) => {
    if (asks > MANY) {
      if (!all) {
        all = new Map();
        for (let i = 0; i < values.length; i++) all.set(folds ? String(values[i]).toLowerCase() : String(values[i]), i);
      }
      return all.get(k);
    }
    const dots = dotsIn(k, folds);
    // The first key is found by a walk of them all, which costs less than making the lists.
    if (asked++ === 0) {
      for (let i = values.length - 1; i >= 0; i--) {
        const v = String(values[i]);
        if (v.length <= k.length && v.length >= k.length - dots && sameKey(v, k, folds)) return i;
      }
      return undefined;
    }
    if (!byLength) {
      byLength = new Map();
      for (let i = 0; i < values.length; i++) {
        const n = String(values[i]).length;
        const list = byLength.get(n);
        if (list) list.push(i);
        else byLength.set(n, [i]);
      }
    }
    let found: number | undefined;
    for (let n = k.length - dots; n <= k.length; n++) {
      const list = byLength.get(n) ?? [];
      for (let j = list.length - 1; j >= 0; j--) {
        const i = list[j]!;
        if (found !== undefined && i < found) break;
        if (sameKey(String(values[i]), k, folds)) { found = i; break; }
      }
    }
    return found;
  };
}

/**
 * Whether `v` in lower case (`folds`) or as it is is `k`, told without
 * making the lower case while the two are ASCII: most DNs of one length
 * differ within their first words.
 */
function sameKey(v: string, k: string, folds: boolean): boolean {
  if (!folds) return v === k;
  if (v.length !== k.length) return v.toLowerCase() === k;
  for (let j = 0; j < v.length; j++) {
    const a = v.charCodeAt(j);
    const b = k.charCodeAt(j);
    if (a === b || (a >= 65 && a <= 90 && a + 32 === b)) continue;
    return a >= 128 || b >= 128 ? v.toLowerCase() === k : false;
  }
  return true;
}

/**
 * The values to add to and remove from the target's `view` of `flow` after
 * this flush's changes, resolving only the members they name; undefined when
 * every value must be resolved (see the file's comment).
 */
export function membersByValue(s: SyncContext, rule: OutboundRule, flow: OutboundFlow, view: Attributes, mvId: string, csId: string, deferred: string[]): { add: Scalar[]; remove: Scalar[] } | undefined {
  const attr = flow.referenceAttribute;
  const changed = attr === undefined ? null : s.refChanges.get(mvId)?.get(attr);
  // Unchanged here, and the target confirmed holding what the last export gave it: nothing to move.
  const delta = changed === undefined && s.confirmed?.has(csId) ? NOTHING : changed;
  const waiting = delta && waitingIn(s, mvId, rule.agent);
  if (!delta || !waiting || attr === undefined) return undefined;
  if (delta === NOTHING && !waiting.size) return { add: [], remove: [] };
  // An anchor is spelt one way; a DN's case does not matter.
  const anchors = referencesByAnchor(s.ctx, rule.agent);
  const key = anchors ? (v: string) => v : (v: string) => v.toLowerCase();
  const values = asArray(view[flow.target]);
  const placeOf = places(values, !anchors, delta.remove.length + delta.add.length + (anchors ? 0 : 2 * delta.moved.size) + waiting.size);
  const dropped = new Set<number>();
  const added = new Map<string, Scalar>();
  const drop = (name: string | null) => { const i = name === null ? undefined : placeOf(key(name)); if (i === undefined || dropped.has(i)) return false; dropped.add(i); return true; };
  // Held (again, if this flush dropped it) or added.
  const keep = (name: string) => { const i = placeOf(key(name)); if (i === undefined) added.set(key(name), name); else dropped.delete(i); };
  const removed = new Set(delta.remove);
  for (const id of delta.remove) {
    const ref = s.ctx.store.cs(rule.agent).joinedTo(id);
    // Not under its anchor, nor the DN it has or is being renamed to: the view is not what this assumes.
    if (!ref || !(anchors ? drop(ref.anchor) : drop(ref.dn) || drop(ref.newDn))) return undefined;
  }
  // A rename moves a DN; an anchor stays.
  for (const [id, oldDn] of anchors ? [] : delta.moved) {
    const dn = resolveOutbound(s, rule.agent, id);
    if (removed.has(id) || dn === null || dn.toLowerCase() === oldDn.toLowerCase()) continue;
    if (!drop(oldDn) && placeOf(key(dn)) === undefined) return undefined;
    keep(dn);
  }
  for (const id of delta.add) {
    const name = resolveOutbound(s, rule.agent, id);
    if (name !== null) keep(name);
    else {
      pendRef(s, mvId, [mvKey(rule.agent, id)], values.length + waiting.size + delta.add.length);
      if (pendingInTarget(s, rule.agent, id)) deferred.push(id);
    }
  }
  if (waiting.size) retryWaiting(s, rule.agent, mvId, attr, waiting, removed, keep, deferred);
  const add = [...added.values()];
  const remove = [...dropped].map((i) => values[i]!);
  // A value that becomes empty: the flow's null handling decides, as when every value is resolved.
  if (values.length - remove.length + add.length === 0) return undefined;
  s.explain?.(`${flow.target}: ${add.length} value(s) added and ${remove.length} removed in ${rule.agent}: only those resolved`);
  return { add, remove };
}
