/** A connector-space object's pending export (and unconfirmed values to re-send) as an agent request. */
import type { AttrChange, CsObject } from '../../data/objects.ts';
import type { ExportRequest } from '../../management-agents/index.ts';

export function toRequest(cs: CsObject, referencesInSecondPass: boolean, secondPass: ExportRequest[]): ExportRequest {
  const pe = cs.pendingExport;
  const changes: Record<string, AttrChange> = {};
  // Unconfirmed values are re-sent on every export until an import confirms them.
  for (const [k, v] of Object.entries(cs.unconfirmed ?? {})) if (k !== '$dn') changes[k] = { op: 'replace', value: v };
  for (const [k, c] of Object.entries(pe?.changes ?? {})) changes[k] = c;
  const op = pe?.op ?? 'update';
  const unconfirmedDn = cs.unconfirmed?.['$dn'];
  const newDn = pe?.newDn ?? (typeof unconfirmedDn === 'string' && unconfirmedDn.toLowerCase() !== cs.dn.toLowerCase() ? unconfirmedDn : undefined);
  const req: ExportRequest = { id: cs.id, op, objectType: cs.objectType, dn: cs.dn, anchor: cs.anchor, changes: op === 'delete' ? {} : changes, ...(newDn ? { newDn } : {}) };
  const refs = pe?.referenceAttrs?.filter((a) => a in changes) ?? [];
  if (referencesInSecondPass && op === 'add' && refs.length) {
    const first: Record<string, AttrChange> = { ...changes };
    const later: Record<string, AttrChange> = {};
    for (const a of refs) { later[a] = first[a]!; delete first[a]; }
    secondPass.push({ ...req, op: 'update', changes: later });
    return { ...req, changes: first };
  }
  return req;
}
