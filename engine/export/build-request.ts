/**
 * A connector-space object's pending export (and unconfirmed values to re-send)
 * as agent requests. For agents that need referenced objects to exist first
 * (MIM's NoReferenceValuesInFirstExport), reference values go in a second pass,
 * after every first-pass request of the run.
 */
import { landed, type AttrChange, type CsObject } from '../../data/objects.ts';
import type { ExportRequest } from '../../management-agents/index.ts';

export interface Requests {
  readonly first: ExportRequest | undefined;
  readonly second: ExportRequest | undefined;
}

export function toRequests(cs: CsObject, referencesInSecondPass: boolean): Requests {
  const pe = cs.pendingExport;
  const changes: Record<string, AttrChange> = {};
  // Unconfirmed values are re-sent on every export until an import confirms them;
  // values added and removed go as the whole list they make, as before they were kept as changes.
  for (const [k, v] of Object.entries(cs.unconfirmed ?? {})) if (k !== '$dn') changes[k] = { op: 'replace', value: landed(cs.hologram[k], v) };
  for (const [k, c] of Object.entries(pe?.changes ?? {})) changes[k] = c;
  const op = pe?.op ?? 'update';
  const unconfirmedDn = cs.unconfirmed?.['$dn'];
  const newDn = pe?.newDn ?? (typeof unconfirmedDn === 'string' && unconfirmedDn.toLowerCase() !== cs.dn.toLowerCase() ? unconfirmedDn : undefined);
  const req: ExportRequest = { id: cs.id, op, objectType: cs.objectType, dn: cs.dn, anchor: cs.anchor, changes: op === 'delete' ? {} : changes, ...(newDn ? { newDn } : {}) };
  const refs = op === 'delete' ? [] : (pe?.referenceAttrs ?? []).filter((a) => a in changes);
  if (!referencesInSecondPass || refs.length === 0) return { first: req, second: undefined };
  const first: Record<string, AttrChange> = { ...changes };
  const later: Record<string, AttrChange> = {};
  for (const a of refs) { later[a] = first[a]!; delete first[a]; }
  const second: ExportRequest = { id: cs.id, op: 'update', objectType: cs.objectType, dn: newDn ?? cs.dn, anchor: cs.anchor, changes: later };
  // An update carrying only references needs no first pass.
  if (op === 'update' && Object.keys(first).length === 0 && !newDn) return { first: undefined, second };
  return { first: { ...req, changes: first }, second };
}
