/** `idsync plan`: every pending export, as a readable diff, before anything is sent. */
import type { EngineContext } from './context.ts';
import { escrowView } from './sync/export-flow.ts';
import type { CsObject } from '../data/objects.ts';

const show = (v: unknown) => (v === undefined || v === null ? '(none)' : Array.isArray(v) ? v.join('; ') : String(v));

export function planLines(cs: CsObject): string[] {
  const pe = cs.pendingExport!;
  const current = cs.hologram;
  const out: string[] = [];
  const verb = pe.op === 'add' ? '+ add' : pe.op === 'delete' ? '- delete' : pe.disable ? '~ disable' : '~ update';
  out.push(`${verb} ${cs.dn}${pe.newDn ? ` -> ${pe.newDn}` : ''}`);
  for (const [k, c] of Object.entries(pe.changes)) {
    if (c.op === 'replace') out.push(`    ${k}: ${pe.op === 'add' ? '' : `${show(current[k])} -> `}${show(c.value)}`);
    else out.push(`    ${k}:${c.add.length ? ` +${c.add.length} (${c.add.slice(0, 3).join('; ')}${c.add.length > 3 ? '; …' : ''})` : ''}${c.remove.length ? ` -${c.remove.length} (${c.remove.slice(0, 3).join('; ')}${c.remove.length > 3 ? '; …' : ''})` : ''}`);
  }
  return out;
}

export interface Plan {
  readonly agent: string;
  readonly adds: number;
  readonly updates: number;
  readonly deletes: number;
  readonly objects: { dn: string; op: string; changes: unknown; after: unknown }[];
}

export function planOf(ctx: EngineContext, agent: string): Plan {
  // The pending-export index, not a scan of the connector space (it also holds unconfirmed-only objects).
  const objects = ctx.store.cs(agent).withPendingExport().filter((c) => c.pendingExport);
  return {
    agent,
    adds: objects.filter((c) => c.pendingExport!.op === 'add').length,
    updates: objects.filter((c) => c.pendingExport!.op === 'update').length,
    deletes: objects.filter((c) => c.pendingExport!.op === 'delete' || c.pendingExport!.disable).length,
    objects: objects.map((c) => ({ dn: c.dn, op: c.pendingExport!.op, changes: c.pendingExport!.changes, after: escrowView(c) })),
  };
}
