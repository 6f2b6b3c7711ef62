/**
 * Import attribute flow. An attribute is recomputed from all its contributors
 * at once, so precedence, fallback and recall fall out of one rule: per
 * attribute, the lowest precedence number with a value wins. A sync recomputes
 * the attributes the changed connectors' rules flow or gave; no other can move.
 *
 * - NULL lets a lower precedence contribute; if nobody does, the value goes.
 * - AuthoritativeNull wins as a null: lower precedences are ignored.
 * - IgnoreThisFlow contributes nothing and keeps the current value.
 * - merge / merge-case-insensitive take the union of every contributor.
 */
import type { InboundFlow, InboundRule, MvAttributeDef } from '../../rules/index.ts';
import { AuthoritativeNull, IgnoreThisFlow, toStored, type Value } from '../../rules/values.ts';
import type { AttrValue, Attributes, Scalar } from '../../data/model.ts';
import { asArray, valuesEqual } from '../../data/model.ts';
import type { CsObject, Lineage, MvObject } from '../../data/objects.ts';
import { resolveInbound, waitsOn } from './references.ts';
import { pendRef } from './pending-references.ts';
import { byValue } from './value-level-refs.ts';
import { noteRefDelta } from './outbound-by-value.ts';
import type { SyncContext } from './sync-context.ts';

interface Candidate {
  readonly value: Value;
  readonly flow: InboundFlow;
  readonly rule: InboundRule;
  readonly cs: CsObject;
  /** The metaverse ids this value adds to and removes from the one the attribute holds, when computed by value. */
  readonly delta?: { add: string[]; remove: string[] } | undefined;
}

export const rowOf = (cs: CsObject): Attributes & { dn: string } => ({ ...cs.hologram, dn: cs.dn });

export function inScope(rule: InboundRule, row: Attributes): boolean {
  return !rule.scope || !!toStored(rule.scope(row, {}));
}

function resolveRefs(s: SyncContext, value: Value, cs: CsObject, def: MvAttributeDef, mvId: string): Value {
  const out: string[] = [];
  const values = asArray(toStored(value));
  for (const v of values) {
    const id = resolveInbound(s, cs.agent, String(v), def.refType ?? cs.objectType);
    if (id) out.push(id);
    else pendRef(s, mvId, waitsOn(s.ctx, cs.agent, String(v)), values.length);
  }
  return out.length === 0 ? null : def.multi ? out : out[0]!;
}

/** Every contributor's candidates for the attributes `only` names (all, when null). */
function collect(s: SyncContext, mv: MvObject, only: ReadonlySet<string> | null): Map<string, Candidate[]> {
  const type = s.ctx.rules.schema.get(mv.objectType);
  const out = new Map<string, Candidate[]>();
  for (const link of mv.connectors) {
    // A connector that flows none of these attributes gives nothing: not read.
    if (only && !intersects(s.ctx.flowedBy(link.agent, mv.objectType), only)) continue;
    const cs = s.ctx.store.cs(link.agent).get(link.csId);
    if (!cs || (cs.state !== 'connector' && cs.state !== 'explicit-connector')) continue;
    const row = rowOf(cs);
    for (const rule of s.ctx.inboundFor(cs.agent, cs.objectType)) {
      if (rule.mvType !== mv.objectType || !inScope(rule, row)) continue;
      for (const flow of rule.flows) {
        if (only && !only.has(flow.target)) continue;
        let value: Value;
        let delta: Candidate['delta'];
        try {
          const def = type?.attributes.get(flow.target);
          const changed = flow.reference && def && s.valueChanges.size && only !== null ? byValue(s, mv, cs, rule, flow, def) : undefined;
          if (changed !== undefined) ({ value, ...delta } = changed);
          else {
            value = flow.evaluate(row, s.env);
            if (flow.reference && def && value !== null && !(value === AuthoritativeNull || value === IgnoreThisFlow)) value = resolveRefs(s, value, cs, def, mv.id);
          }
        } catch (err) {
          s.rec.count('flow-failure');
          s.rec.error(`${cs.agent}:${cs.anchor ?? cs.dn}`, `flow '${flow.target} <- ${flow.text}' (${flow.source.file}:${flow.source.line}) failed: ${(err as Error).message}`);
          continue;
        }
        const c = { value, flow, rule, cs, delta };
        const list = out.get(flow.target);
        if (list) list.push(c);
        else out.set(flow.target, [c]);
      }
    }
  }
  return out;
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/**
 * The attributes a change to connectors of `agents` can move: those their
 * rules flow, and those they gave (a value recalled, or a flow removed since).
 * Any other attribute's contributors are as they were at its last recompute.
 */
function attributesFrom(s: SyncContext, mv: MvObject, agents: ReadonlySet<string>): Set<string> {
  const names = new Set<string>();
  for (const agent of agents) for (const name of s.ctx.flowedBy(agent, mv.objectType)) names.add(name);
  for (const name in mv.lineage) if (agents.has(mv.lineage[name]!.agent)) names.add(name);
  return names;
}

type Outcome = { kind: 'set'; value: AttrValue | null; by: Candidate | undefined } | { kind: 'keep' };

function decide(cands: Candidate[], def: MvAttributeDef | undefined): Outcome {
  const sorted = [...cands].sort((a, b) => a.flow.precedence - b.flow.precedence);
  const merge = sorted[0]?.flow.merge ?? 'replace';
  if (merge !== 'replace') {
    const seen = new Map<string, Scalar>();
    for (const c of sorted) {
      for (const v of asArray(toStored(c.value))) {
        const key = merge === 'merge-case-insensitive' ? String(v).toLowerCase() : String(v);
        if (!seen.has(key)) seen.set(key, v);
      }
    }
    const values = [...seen.values()];
    return { kind: 'set', value: values.length ? (def?.multi ? values : values[0]!) : null, by: sorted.find((c) => toStored(c.value) !== null) };
  }
  let ignored = false;
  for (const c of sorted) {
    if (c.value === IgnoreThisFlow) { ignored = true; continue; }
    if (c.value === AuthoritativeNull) return { kind: 'set', value: null, by: c };
    const v = toStored(c.value);
    if (v === null) continue;
    return { kind: 'set', value: def?.multi ? asArray(v) : Array.isArray(v) ? v[0]! : v, by: c };
  }
  return ignored ? { kind: 'keep' } : { kind: 'set', value: null, by: undefined };
}

const sameContributor = (a: Lineage, b: Lineage) => is(a, b.agent, b.csId, b.rule, b.at);
const is = (l: Lineage, agent: string, csId: string, rule: string, at: string) => l.csId === csId && l.at === at && l.rule === rule && l.agent === agent;

function sameLineage(a: Record<string, Lineage>, b: Readonly<Record<string, Lineage>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = a[k]!;
    const y = b[k];
    if (!y || (x !== y && !sameContributor(x, y))) return false;
  }
  return true;
}

/** One already used for this object, else the old one if equal, else a new one: allocated only then. */
function sharedLineage(shared: Lineage[], old: Lineage | undefined, agent: string, csId: string, rule: string, at: string): Lineage {
  for (const l of shared) if (is(l, agent, csId, rule, at)) return l;
  const l = old && is(old, agent, csId, rule, at) ? old : { agent, csId, rule, at };
  shared.push(l);
  return l;
}

/**
 * Recomputes one metaverse object; returns the attributes that changed.
 * `agents`: only the attributes connectors of these agents can move (a
 * directory's confirming import then evaluates no HR flow, and a connector
 * whose rules only join evaluates nothing); null or absent: all, as after a
 * pending reference.
 */
export function recomputeMv(s: SyncContext, mvId: string, agents: ReadonlySet<string> | null = null): string[] {
  const mv = s.ctx.store.mv(mvId);
  if (!mv) return [];
  const type = s.ctx.rules.schema.get(mv.objectType);
  const only = agents ? attributesFrom(s, mv, agents) : null;
  if (only?.size === 0) {
    s.explain?.('no inbound rule flows a value from this object and it gave no value its metaverse object holds: attributes not recomputed');
    return [];
  }
  const cands = collect(s, mv, only);
  const attrs: Attributes = { ...mv.attrs };
  const lineage: Record<string, Lineage> = { ...mv.lineage };
  const changed: string[] = [];
  const connected = new Set(mv.connectors.map((c) => c.csId));
  // Attributes with the same contributor, rule and time share one Lineage object: most of an object's do.
  const shared: Lineage[] = [];
  const nowIso = s.now.toISOString();
  for (const name of only ?? new Set([...cands.keys(), ...Object.keys(mv.attrs)])) {
    const outcome = decide(cands.get(name) ?? [], type?.attributes.get(name));
    if (outcome.kind === 'keep') continue;
    const old = lineage[name];
    // "Do not recall attributes contributed by this agent when disconnected."
    if (!outcome.by && old && !connected.has(old.csId) && s.ctx.rules.agents.get(old.agent)?.recall === false) continue;
    const same = valuesEqual(attrs[name], outcome.value ?? undefined);
    if (outcome.value === null) delete attrs[name];
    else attrs[name] = outcome.value;
    if (!same) {
      changed.push(name);
      if (type?.attributes.get(name)?.type === 'reference') noteRefDelta(s, mv.id, name, outcome.by?.delta ?? null);
    }
    if (!outcome.by) delete lineage[name];
    else {
      const c = outcome.by;
      const at = same && old ? old.at : nowIso;
      lineage[name] = sharedLineage(shared, old, c.cs.agent, c.cs.id, c.rule.name, at);
    }
    s.explain?.(`${name}: ${same ? 'unchanged' : `${JSON.stringify(mv.attrs[name] ?? null)} -> ${JSON.stringify(outcome.value)}`}${outcome.by ? ` from ${outcome.by.cs.agent} by '${outcome.by.rule.name}' (precedence ${outcome.by.flow.precedence})` : ''}${(cands.get(name)?.length ?? 0) > 1 ? `; ${cands.get(name)!.length - 1} other contributor(s) skipped: not precedent` : ''}`);
  }
  if (changed.length || !sameLineage(lineage, mv.lineage)) s.tx.putMv({ ...mv, attrs, lineage });
  if (changed.length) s.outbound.add(mv.id);
  return changed;
}
