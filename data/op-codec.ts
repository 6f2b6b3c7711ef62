/**
 * How ops are written to the store's files, and read back whole.
 * - Connector-space objects leave out the fields the op already names (id,
 *   agent) and their empty ones: nine of seventeen are null or empty on most.
 * - Lineage was over a third of a store: every attribute of every metaverse
 *   object repeated its contributor's agent, connector id, rule and time,
 *   though most attributes of an object share one contributor. It is grouped
 *   by contributor, and read back as one shared Lineage object per group.
 * Ops written before this, with every field and a plain `lineage` map, read
 * as they are.
 */
import type { CsObject, Lineage, MvObject } from './objects.ts';
import type { Op } from './store-state.ts';
import { unpackLists } from './short-lists.ts';

/** [agent, csId, rule, at, ...attributes] */
type LineageGroup = [string, string, string, string, ...string[]];
type StoredMv = Omit<MvObject, 'lineage'> & { readonly lineage?: MvObject['lineage']; readonly lineageGroups?: readonly LineageGroup[] };

function group(lineage: MvObject['lineage']): LineageGroup[] {
  // An object has few contributors: a scan of the groups so far beats building a key per attribute.
  const groups: LineageGroup[] = [];
  next: for (const attr in lineage) {
    const l = lineage[attr]!;
    for (const g of groups) {
      if (g[1] === l.csId && g[3] === l.at && g[2] === l.rule && g[0] === l.agent) {
        g.push(attr);
        continue next;
      }
    }
    groups.push([l.agent, l.csId, l.rule, l.at, attr]);
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

function encodeCs(o: CsObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k as keyof CsObject];
    if (k === 'id' || k === 'agent' || v === null || (k === 'applied' && (v as readonly string[]).length === 0)) continue;
    out[k] = v;
  }
  return out;
}

/** Every field, in the order newCsObject gives them, so that every CsObject has one shape. */
function decodeCs(agent: string, id: string, c: Partial<CsObject>): CsObject {
  return {
    id, agent, anchor: c.anchor ?? null, state: c.state ?? 'disconnector', mvId: c.mvId ?? null, hologram: c.hologram ?? {},
    pendingImport: c.pendingImport ?? null, pendingExport: c.pendingExport ?? null, unconfirmed: c.unconfirmed ?? null,
    exportError: c.exportError ?? null, importError: c.importError ?? null, syncError: c.syncError ?? null,
    provisionedBy: c.provisionedBy ?? null, deprovision: c.deprovision ?? null, applied: c.applied ?? [], dn: c.dn ?? '', objectType: c.objectType ?? '',
    importDigest: c.importDigest ?? null,
  };
}

/** The op as written to a file. */
export function encodeOp(op: Op): unknown {
  if (op[0] === 'cs') return op[3] ? ['cs', op[1], op[2], encodeCs(op[3])] : op;
  if (op[0] !== 'mv' || !op[2]) return op;
  const { lineage, ...rest } = op[2];
  return ['mv', op[1], { ...rest, lineageGroups: group(lineage) }];
}

/** An op as read from a file, in either form. */
export function decodeOp(raw: unknown): Op {
  const op = raw as Op;
  if (op[0] === 'cs') {
    if (!op[3]) return op;
    unpackLists(op[3].hologram);
    return ['cs', op[1], op[2], decodeCs(op[1], op[2], op[3])];
  }
  if (op[0] !== 'mv' || !op[2]) return op;
  const stored = op[2] as StoredMv;
  if (!stored.lineageGroups) return op;
  // Built field by field, in the engine's order, so that every MvObject has one shape.
  const { id, objectType, attrs, connectors, createdAt, deleteAt } = stored;
  return ['mv', op[1], { id, objectType, attrs, lineage: ungroup(stored.lineageGroups), connectors, createdAt, deleteAt }];
}
