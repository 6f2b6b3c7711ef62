/** Read-only summaries of a project's store, for `idsync status` and the demo. */
import type { Project } from './project.ts';
import type { CompiledRules } from '../rules/index.ts';
import type { Store } from '../data/store.ts';
import type { MvObject } from '../data/objects.ts';
import { STAGING_KEY } from './export/run-export.ts';

export function statusOf(p: Project) {
  const agents = [...p.rules.agents.values()].map((a) => {
    const states: Record<string, number> = {};
    let pendingImport = 0, pendingExport = 0, errors = 0, objects = 0;
    for (const cs of p.store.cs(a.name).values()) {
      objects++;
      states[cs.state] = (states[cs.state] ?? 0) + 1;
      if (cs.pendingImport) pendingImport++;
      if (cs.pendingExport) pendingExport++;
      if (cs.importError || cs.syncError || cs.exportError) errors++;
    }
    const lastRun = p.store.runs().findLast((r) => r.agent === a.name);
    return { name: a.name, type: a.type, objects, states, pendingImport, pendingExport, errors, lastRun: lastRun ? { step: lastRun.step, status: lastRun.status, endedAt: lastRun.endedAt } : null };
  });
  const profiles = [...p.rules.profiles.values()].map((x) => ({ name: x.name, steps: x.steps.map((s) => `${s.agent} ${s.type}`) }));
  return { agents, profiles, metaverse: { objects: p.store.mvCount }, staging: !!p.store.meta<boolean>(STAGING_KEY) };
}

export interface LineageRow {
  readonly attribute: string;
  readonly value: unknown;
  readonly agent: string;
  readonly anchor: string | null;
  readonly rule: string;
  /** file:line of the flow in the current rules, or why it cannot be found. */
  readonly where: string;
  readonly expression: string;
  readonly at: string;
}

/** Lineage made readable: the connector object's anchor, and the flow's file:line and expression from the rules. */
export function explainLineage(rules: CompiledRules, store: Store, mv: MvObject): LineageRow[] {
  return Object.entries(mv.lineage).map(([attribute, l]) => {
    const rule = rules.inbound.find((r) => r.name === l.rule && r.mvType === mv.objectType);
    const flow = rule?.flows.find((f) => f.target === attribute);
    return {
      attribute, value: mv.attrs[attribute], agent: l.agent, anchor: store.cs(l.agent).get(l.csId)?.anchor ?? null, rule: l.rule,
      where: flow ? `${flow.source.file}:${flow.source.line}` : '(the rule has changed since)', expression: flow?.text ?? '', at: l.at,
    };
  });
}
