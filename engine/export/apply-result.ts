/** Records one export result on its connector-space object. */
import type { StoreTransaction, ConnectorSpaceView } from '../../data/store.ts';
import { applyValues, mergeValueChanges, isValueChanges, type CsObject, type StagedValue } from '../../data/objects.ts';
import type { ExportRequest, ExportResult, ManagementAgent } from '../../management-agents/index.ts';
import type { StepRecorder } from '../run/step-record.ts';
import { escrowView } from '../sync/export-flow.ts';

const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000];

/**
 * What the object should hold after this export, to be confirmed by the next
 * import: whole values, or for value-level changes the values added and
 * removed (on top of those still awaited), not the whole list.
 */
function unconfirmedAfter(cs: CsObject, req: ExportRequest): Record<string, StagedValue> {
  // Only a whole value still awaited needs the view (a copy of a 10,000-member list and more): made then.
  let view: ReturnType<typeof escrowView> | undefined;
  const out: Record<string, StagedValue> = {};
  for (const [k, c] of Object.entries(req.changes)) {
    const before = cs.unconfirmed?.[k];
    if (c.op === 'replace') out[k] = c.value;
    else if (before === undefined || isValueChanges(before)) out[k] = mergeValueChanges(before, c);
    else {
      const set = applyValues((view ??= escrowView(cs))[k], c.add, c.remove);
      out[k] = set.length ? set : null;
    }
  }
  if (req.newDn) out['$dn'] = req.newDn;
  return out;
}

/** `secondPass`: the request carried the references deferred to after the run's first pass (run-export.ts). */
export async function applyResult(agent: ManagementAgent, space: ConnectorSpaceView, tx: StoreTransaction, rec: StepRecorder, r: ExportResult, req: ExportRequest, now: Date, secondPass = false): Promise<void> {
  const cs = space.get(r.id);
  if (!cs) return;
  const label = `${cs.agent}:${cs.anchor ?? cs.dn}`;
  if (r.ok) {
    if (req.op === 'delete') {
      tx.deleteCs(cs.agent, cs.id);
      rec.count('export-delete');
      return;
    }
    const unconfirmed = { ...(cs.unconfirmed ?? {}), ...unconfirmedAfter(cs, req) };
    // What this request did not carry (references kept for the second pass) stays pending.
    const rest = Object.fromEntries(Object.entries(cs.pendingExport?.changes ?? {}).filter(([k]) => !(k in req.changes)));
    // References to objects this run creates go in the second pass: a first pass carrying the same attribute's other values leaves them waiting.
    const deferred = Object.fromEntries(Object.entries(cs.pendingExport?.deferred ?? {}).filter(([k]) => !secondPass || !(k in req.changes)));
    const more = Object.keys(rest).length || Object.keys(deferred).length;
    const pendingExport = more ? { op: 'update' as const, changes: rest, referenceAttrs: cs.pendingExport?.referenceAttrs ?? [], ...(Object.keys(deferred).length ? { deferred } : {}) } : null;
    tx.putCs({ ...cs, anchor: r.anchor ?? cs.anchor, dn: r.dn ?? req.newDn ?? cs.dn, pendingExport, exportError: null, unconfirmed });
    rec.count(req.op === 'add' ? 'export-add' : req.newDn ? 'export-rename' : 'export-update');
    return;
  }
  if (req.op === 'add' && r.code === 'already-exists' && agent.findObject) {
    // Idempotent export: the object is there (a resend after a crash, or created by hand): take it over.
    const found = await agent.findObject({ dn: req.dn, objectType: req.objectType });
    if (found && !space.byAnchor(found.anchor)) {
      tx.putCs({ ...cs, anchor: found.anchor, dn: found.dn, hologram: found.attrs, importDigest: null, pendingExport: cs.pendingExport ? { ...cs.pendingExport, op: 'update' } : null, exportError: null });
      rec.count('export-discovered');
      rec.notes.push(`${req.dn} already existed in ${cs.agent}; joined to it, its attributes are updated on the next export`);
      return;
    }
  }
  if (r.code === 'not-found' && req.op === 'delete') {
    tx.deleteCs(cs.agent, cs.id);
    rec.count('export-delete');
    return;
  }
  const attempts = (cs.exportError?.attempts ?? 0) + 1;
  const wait = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!;
  tx.putCs({ ...cs, exportError: { message: r.message, retryable: r.retryable, attempts, nextAttemptAt: r.retryable ? new Date(now.getTime() + wait).toISOString() : null } });
  rec.count('export-failure');
  rec.error(label, `${r.message}${r.retryable ? ` (retryable; attempt ${attempts})` : ''}`);
}
