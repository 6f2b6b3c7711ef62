/** Builds an engine on the in-memory store and memory agents, from rules text. */
import { randomUUID } from 'node:crypto';
import { compileSources, formatDiagnostic } from '../../rules/index.ts';
import { MemoryStore } from '../../data/store-state.ts';
import { createEngine, type EngineContext } from '../../engine/index.ts';
import { memorySystem, type MemorySystem } from '../../management-agents/memory/index.ts';
import type { Store } from '../../data/store.ts';

export interface TestEngine {
  readonly ctx: EngineContext;
  readonly store: Store;
  /** The scriptable system behind a memory agent of the rules. */
  system(agent: string): MemorySystem;
  /** Moves the clock. */
  advance(ms: number): void;
}

/** `$seed` in the rules is replaced by a unique prefix, so parallel tests do not share systems. */
export function testEngine(rules: string, o: { store?: Store; now?: Date } = {}): TestEngine {
  const prefix = randomUUID().slice(0, 8);
  const r = compileSources(new Map([['test.sync', rules.replaceAll('$seed', prefix)]]));
  if (!r.model) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  const store = o.store ?? (new MemoryStore() as unknown as Store);
  let now = o.now ?? new Date('2026-01-05T08:00:00Z');
  const ctx = createEngine({ rules: r.model, store, baseDir: process.cwd(), now: () => now });
  return {
    ctx,
    store,
    system: (agent) => memorySystem(`${prefix}-${agent}`),
    advance: (ms) => { now = new Date(now.getTime() + ms); },
  };
}

/** The standard test topology: an HR source, a directory target with references, an app with a scope. */
export const basicRules = `
object person {
  employeeId: string indexed
  givenName: string
  sn: string
  displayName: string
  department: string
  title: string
  manager: reference(person)
  status: string
  mail: string indexed
}
agent hr type memory {
  seed = "$seed-hr"
  object person { anchor employeeId attributes employeeId, givenName, sn, department, title, managerId, status, mail, nickname }
}
agent hr2 type memory {
  seed = "$seed-hr2"
  object worker { anchor workerId attributes workerId, employeeId, givenName, sn, title, mail }
}
agent ad type memory {
  seed = "$seed-ad"
  object user { anchor objectGUID attributes sAMAccountName, displayName, department, title, manager, userAccountControl, mail }
  threshold deletes 3
}
inbound "hr people" from hr.person to person precedence 10 {
  filter [status] = "test"
  join { group { match [employeeId] to [employeeId] } }
  project
  flow employeeId <- [employeeId]
  flow givenName <- [givenName]
  flow sn <- [sn]
  flow displayName <- Trim([givenName]) & " " & Trim([sn])
  flow department <- [department]
  flow title <- [title]
  flow manager <- [managerId]
  flow status <- [status]
  flow mail <- IIF([status] = "void", AuthoritativeNull, [mail])
}
inbound "hr2 workers" from hr2.worker to person precedence 20 {
  join {
    group { match [mail] to [mail] }
    group { match [employeeId] to [employeeId] }
  }
  flow title <- [title]
  flow mail <- [mail]
}
outbound "ad users" from person to ad.user {
  scope [status] <> "pending"
  provision when [status] = "active"
  dn "CN=" & EscapeDNComponent([displayName]) & ",OU=" & [department] & ",DC=corp"
  flow sAMAccountName <- SelectUniqueValue(ToLower(Left([givenName], 1) & [sn]), ToLower(Left([givenName], 2) & [sn])) once
  flow displayName <- [displayName]
  flow department <- [department]
  flow title <- [title] allow-null
  flow manager <- [manager]
  flow userAccountControl <- 512 once
  deprovision disable {
    flow userAccountControl <- BitOr([userAccountControl], 2)
  } then delete after 30d
}
deletion person when last-connector except ad
`;

/** `rules` with a metaverse group of people, projected from the departments of a memory agent `grp` that names members by HR anchor. */
export const withDepartmentGroups = (rules: string) => rules.replace('object person {', 'object group {\n  code: string indexed\n  member: reference(person) multi\n}\nobject person {') + `
agent grp type memory {
  seed = "$seed-grp"
  references-by = anchor
  references-agent = "hr"
  object department { anchor code attributes code, members }
}
inbound "groups" from grp.department to group {
  join { group { match [code] to [code] } }
  project
  flow code <- [code]
  flow member <- [members]
}
`;

/** `rules` with an `ad.group` object type, and the metaverse groups provisioned there with their members (`withDepartmentGroups`). */
export const withDirectoryGroups = (rules: string) => rules
  .replace('object user { anchor objectGUID', 'object group { anchor objectGUID attributes cn, member }\n  object user { anchor objectGUID') + `
outbound "ad groups" from group to ad.group {
  provision
  dn "CN=" & [code] & ",OU=Groups,DC=corp"
  flow cn <- [code]
  flow member <- [member]
}
`;

export const person = (id: string, extra: Record<string, string> = {}) => ({
  anchor: id,
  dn: `employeeId=${id}`,
  objectType: 'person',
  attrs: { employeeId: id, givenName: 'Ann', sn: 'Lee', department: 'Sales', status: 'active', ...extra },
});

import { runStep } from '../../engine/index.ts';
import type { StepType } from '../../data/model.ts';
import type { RunRecord } from '../../data/objects.ts';

/** Runs steps in order: "hr full-import", "hr delta-sync", "ad export". */
export async function steps(e: TestEngine, ...list: string[]): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (const s of list) {
    const [agent, type, ...flags] = s.split(' ');
    out.push(await runStep(e.ctx, agent!, type as StepType, { allowDeletes: flags.includes('--allow-deletes'), force: flags.includes('--force') }));
  }
  return out;
}

export const mvBy = (e: TestEngine, attr: string, value: string) => e.store.mvFind('person', attr, value)[0];
export const adByName = (e: TestEngine, displayName: string) => [...e.system('ad').objects.values()].find((o) => o.attrs['displayName'] === displayName);

type ReadMethod = 'get' | 'byAnchor' | 'byDn' | 'values' | 'refByDn' | 'refByAnchor' | 'joinedTo';
/** Counts from now on every read of a connector space's objects through `methods` (and withPendingExport, per object); the ref* and joinedTo lookups read none, and are counted only when asked. */
export function countReads(space: unknown, methods: readonly ReadMethod[] = ['get', 'byAnchor', 'byDn', 'values']): { n: number } {
  const s = space as Record<ReadMethod | 'withPendingExport', (...a: unknown[]) => unknown>;
  const count = { n: 0 };
  for (const m of methods) {
    const real = s[m].bind(s);
    s[m] = (...a: unknown[]) => { count.n++; return real(...a); };
  }
  const all = s.withPendingExport.bind(s);
  s.withPendingExport = () => { const r = all() as unknown[]; count.n += r.length; return r; };
  return count;
}
