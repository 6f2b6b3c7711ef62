/**
 * The composition root: rules + store + agents, wired into one plain object
 * that every run step receives.
 */
import type { CompiledRules, InboundRule, OutboundRule } from '../rules/index.ts';
import type { Store } from '../data/store.ts';
import type { ManagementAgent } from '../management-agents/index.ts';
import { agentFactory } from '../management-agents/index.ts';
import { resolveSettings } from './secrets.ts';

export interface EngineEvents {
  /** Progress of a long step: `done` of `total` (total may be unknown). */
  progress?(step: string, done: number, total: number | undefined): void;
}

export interface EngineContext {
  readonly rules: CompiledRules;
  readonly store: Store;
  readonly baseDir: string;
  agent(name: string): ManagementAgent;
  /** Agents created so far (to close them). */
  instantiated(): ManagementAgent[];
  readonly now: () => Date;
  readonly events: EngineEvents;
  /** Inbound rules by agent and agent object type. */
  inboundFor(agent: string, objectType: string): readonly InboundRule[];
  /** The metaverse attributes inbound rules from `agent` flow into objects of `mvType` (none for a rule that only joins). */
  flowedBy(agent: string, mvType: string): ReadonlySet<string>;
  outboundFor(mvType: string): readonly OutboundRule[];
}

export interface EngineOptions {
  readonly rules: CompiledRules;
  readonly store: Store;
  readonly baseDir: string;
  readonly now?: () => Date;
  readonly events?: EngineEvents;
  /** Agents supplied directly (tests); others are built from the rules through the registry. */
  readonly agents?: ReadonlyMap<string, ManagementAgent>;
}

export function createEngine(o: EngineOptions): EngineContext {
  const agents = new Map(o.agents ?? []);
  const inbound = new Map<string, InboundRule[]>();
  for (const r of o.rules.inbound) {
    const k = `${r.agent}\0${r.objectType}`;
    inbound.set(k, [...(inbound.get(k) ?? []), r]);
  }
  const flowed = new Map<string, Set<string>>();
  for (const r of o.rules.inbound) {
    const k = `${r.agent}\0${r.mvType}`;
    const set = flowed.get(k) ?? new Set<string>();
    for (const f of r.flows) set.add(f.target);
    flowed.set(k, set);
  }
  const none: ReadonlySet<string> = new Set();
  const outbound = new Map<string, OutboundRule[]>();
  for (const r of o.rules.outbound) outbound.set(r.mvType, [...(outbound.get(r.mvType) ?? []), r]);
  /** Tells a new agent which attributes SelectUniqueValue will ask it about. */
  const prepared = (a: ManagementAgent): ManagementAgent => {
    for (const r of o.rules.outbound) {
      const unique = r.flows.filter((f) => f.selectsUnique).map((f) => f.target);
      if (r.agent === a.name && unique.length) a.expectValueChecks?.(r.objectType, unique);
    }
    return a;
  };
  for (const a of agents.values()) prepared(a);
  return {
    rules: o.rules,
    store: o.store,
    baseDir: o.baseDir,
    now: o.now ?? (() => new Date()),
    events: o.events ?? {},
    agent(name) {
      let a = agents.get(name);
      if (!a) {
        const cfg = o.rules.agents.get(name);
        if (!cfg) throw new Error(`unknown agent '${name}'; agents: ${[...o.rules.agents.keys()].join(', ')}`);
        a = prepared(agentFactory(cfg.type, name)({
          name,
          settings: resolveSettings(cfg, o.baseDir),
          objectTypes: [...cfg.objectTypes.values()],
          baseDir: o.baseDir,
        }));
        agents.set(name, a);
      }
      return a;
    },
    instantiated: () => [...agents.values()],
    inboundFor: (agent, objectType) => inbound.get(`${agent}\0${objectType}`) ?? [],
    flowedBy: (agent, mvType) => flowed.get(`${agent}\0${mvType}`) ?? none,
    outboundFor: (mvType) => outbound.get(mvType) ?? [],
  };
}
