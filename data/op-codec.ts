/**
 * How ops are written to the store's files. Lineage was over a third of a
 * store in JSON: every attribute of every metaverse object repeated its
 * contributor's agent, connector id, rule and time, though most attributes
 * of an object share one contributor. On disk lineage is grouped by
 * contributor; when read back, the attributes of a group share one Lineage
 * object, so memory holds each once too. Ops written before this (with a
 * plain `lineage` map) read as they are.
 */
import type { Lineage, MvObject } from './objects.ts';
import type { Op } from './store-state.ts';

/** [agent, csId, rule, at, ...attributes] */
type LineageGroup = [string, string, string, string, ...string[]];
type StoredMv = Omit<MvObject, 'lineage'> & { readonly lineage?: MvObject['lineage']; readonly lineageGroups?: readonly LineageGroup[] };

function group(lineage: MvObject['lineage']): LineageGroup[] {
  // An object has few contributors: a scan of the groups so far beats building a key per attribute.
  const groups: LineageGroup[] = [];
  for (const attr in lineage) {
    const l = lineage[attr]!;
    const g = groups.find((x) => x[1] === l.csId && x[3] === l.at && x[2] === l.rule && x[0] === l.agent);
    if (g) g.push(attr);
    else groups.push([l.agent, l.csId, l.rule, l.at, attr]);
  }
  return groups;
}

function ungroup(groups: readonly LineageGroup[]): Record<string, Lineage> {
  const lineage: Record<string, Lineage> = {};
  for (const [agent, csId, rule, at, ...attrs] of groups) {
    const l: Lineage = { agent, csId, rule, at };
    for (const a of attrs) lineage[a] = l;
  }
  return lineage;
}

/** The op as written to a file. */
export function encodeOp(op: Op): unknown {
  if (op[0] !== 'mv' || !op[2]) return op;
  const { lineage, ...rest } = op[2];
  return ['mv', op[1], { ...rest, lineageGroups: group(lineage) }];
}

/** An op as read from a file, in either form. */
export function decodeOp(raw: unknown): Op {
  const op = raw as Op;
  if (op[0] !== 'mv' || !op[2]) return op;
  const stored = op[2] as StoredMv;
  if (!stored.lineageGroups) return op;
  // Built field by field, in the engine's order, so that every MvObject has one shape.
  const { id, objectType, attrs, connectors, createdAt, deleteAt } = stored;
  return ['mv', op[1], { id, objectType, attrs, lineage: ungroup(stored.lineageGroups), connectors, createdAt, deleteAt }];
}
