/**
 * Join: the ordered groups of a rule. A group finding exactly one candidate
 * joins; zero or several move on; several without any later unique match is
 * an error on the object, never a guess.
 */
import type { InboundRule } from '../../rules/index.ts';
import type { MvObject } from '../../data/objects.ts';
import { asArray, type Scalar } from '../../data/model.ts';
import { normalizeKey } from '../../data/store.ts';
import type { Row } from '../../rules/index.ts';
import { toStored } from '../../rules/values.ts';
import type { SyncContext } from './sync-context.ts';

export type JoinResult =
  | { readonly kind: 'joined'; readonly mv: MvObject; readonly group: number }
  | { readonly kind: 'ambiguous'; readonly group: number; readonly candidates: readonly string[] }
  | { readonly kind: 'none' };

function candidatesFor(s: SyncContext, rule: InboundRule, group: InboundRule['joinGroups'][number], row: Row, agent: string): MvObject[] | null {
  let result: Map<string, MvObject> | null = null;
  for (const c of group) {
    const values = asArray(toStored(c.cs(row, {})));
    if (values.length === 0) return null;
    const keys = new Set(values.map((v) => normalizeKey(v)));
    let found: MvObject[];
    if (c.mvAttribute) {
      found = values.flatMap((v: Scalar) => s.ctx.store.mvFind(rule.mvType, c.mvAttribute!, v));
    } else {
      // An expression on the metaverse side cannot use an index: scan this type.
      found = [...s.ctx.store.mvValues()].filter((m) => m.objectType === rule.mvType && asArray(toStored(c.mv(m.attrs, {}))).some((v) => keys.has(normalizeKey(v))));
    }
    const next = new Map<string, MvObject>();
    for (const m of found) if (!result || result.has(m.id)) next.set(m.id, m);
    result = next;
    if (result.size === 0) return [];
  }
  // One metaverse object holds at most one connector per agent (Azure AD Connect's rule).
  return [...(result ?? new Map<string, MvObject>()).values()].filter((m) => !m.connectors.some((c) => c.agent === agent));
}

export function findJoin(s: SyncContext, rules: readonly InboundRule[], row: Row, agent: string): JoinResult {
  let ambiguous: JoinResult | null = null;
  for (const rule of rules) {
    for (let g = 0; g < rule.joinGroups.length; g++) {
      const c = candidatesFor(s, rule, rule.joinGroups[g]!, row, agent);
      s.explain?.(`join group ${g + 1} of '${rule.name}': ${c === null ? 'no value to join on' : `${c.length} candidate(s)`}`);
      if (!c || c.length === 0) continue;
      if (c.length === 1) return { kind: 'joined', mv: c[0]!, group: g + 1 };
      ambiguous ??= { kind: 'ambiguous', group: g + 1, candidates: c.map((m) => m.id) };
    }
  }
  return ambiguous ?? { kind: 'none' };
}

/**
 * Builds every join lookup the rules name before anything is written, as
 * primeReferrers does for references: an empty store builds them empty and
 * keeps them from the first write. Built at first use instead, the lookup of
 * a join group no earlier sync reached read every metaverse object of its type
 * (at 100,000 people the contractors' alias group read 90,000 people).
 */
export function primeJoinIndexes(s: SyncContext): void {
  for (const rule of s.ctx.rules.inbound) {
    for (const group of rule.joinGroups) for (const c of group) if (c.mvAttribute) s.ctx.store.mvIndexed(rule.mvType, c.mvAttribute);
  }
}
