/** The names declared across every file of a project, built before any check runs. */
import type { AgentDecl, Declaration, ObjectDecl, ProfileDecl, RulesDocument } from './ast.ts';
import { Codes, createSink, type Diagnostic } from './diagnostics.ts';
import type { MvAttributeDef, MvObjectTypeDef } from './model.ts';

export interface Symbols {
  readonly objects: ReadonlyMap<string, MvObjectTypeDef>;
  readonly agents: ReadonlyMap<string, AgentDecl>;
  readonly profiles: ReadonlyMap<string, ProfileDecl>;
}

export const attributeTypes = ['string', 'number', 'boolean', 'datetime', 'binary', 'reference'] as const;

export function toObjectType(d: ObjectDecl): MvObjectTypeDef {
  const attributes = new Map<string, MvAttributeDef>();
  for (const a of d.attributes) {
    const type = (attributeTypes as readonly string[]).includes(a.type) ? (a.type as MvAttributeDef['type']) : 'string';
    attributes.set(a.name, { name: a.name, type, refType: a.refType, multi: a.multi, indexed: a.indexed });
  }
  return { name: d.name, attributes };
}

export function buildSymbols(docs: readonly RulesDocument[], out: Diagnostic[]): Symbols {
  const objects = new Map<string, MvObjectTypeDef>();
  const agents = new Map<string, AgentDecl>();
  const profiles = new Map<string, ProfileDecl>();
  const seen = new Map<string, Declaration>();
  for (const doc of docs) {
    const accept = createSink(doc.file, out);
    for (const d of doc.declarations) {
      if (d.kind !== 'Object' && d.kind !== 'Agent' && d.kind !== 'Profile') continue;
      const key = `${d.kind}:${d.name}`;
      if (seen.has(key)) {
        accept('error', Codes.DuplicateDeclaration, `${d.kind.toLowerCase()} '${d.name}' is declared twice`, d.loc);
        continue;
      }
      seen.set(key, d);
      if (d.kind === 'Object') objects.set(d.name, toObjectType(d));
      else if (d.kind === 'Agent') agents.set(d.name, d);
      else profiles.set(d.name, d);
    }
  }
  return { objects, agents, profiles };
}

/** The attributes an agent object type exposes: its inclusion list, anchors and `dn`; undefined when not listed. */
export function inclusionList(agent: AgentDecl | undefined, objectType: string): Set<string> | undefined {
  const o = agent?.objects.find((x) => x.name === objectType);
  if (!o || o.attributes.length === 0) return undefined;
  return new Set([...o.attributes, ...o.anchor, 'dn']);
}
