/**
 * Full and delta import: stream the connected system into the connector
 * space as pending imports. The whole step commits as one transaction.
 */
import type { EngineContext } from '../context.ts';
import type { ImportContext } from '../../management-agents/index.ts';
import { AgentError } from '../../management-agents/index.ts';
import type { RunRecord } from '../../data/objects.ts';
import { StepRecorder } from '../run/step-record.ts';
import { applyPendingImport, importDigest, stageObject } from './stage-object.ts';
import { applyValues, type CsObject } from '../../data/objects.ts';
import type { Scalar } from '../../data/model.ts';
import type { ImportedObject } from '../../management-agents/index.ts';

/** A partial change (only changed attributes) completed from what the connector space holds. */
function completePartial(obj: ImportedObject, found: CsObject | undefined, valueChanges?: Readonly<Record<string, { readonly add: readonly Scalar[]; readonly remove: readonly Scalar[] }>>): ImportedObject {
  const base = found ? applyPendingImport(found) : undefined;
  const attrs = { ...(base?.hologram ?? {}) };
  for (const [k, v] of Object.entries(obj.attrs)) {
    if (Array.isArray(v) && v.length === 0) delete attrs[k];
    else attrs[k] = v;
  }
  for (const [k, c] of Object.entries(valueChanges ?? {})) {
    const set = applyValues(attrs[k], c.add, c.remove);
    if (set.length) attrs[k] = set;
    else delete attrs[k];
  }
  return { ...obj, objectType: obj.objectType || base?.objectType || '', attrs };
}

export interface ImportOptions {
  readonly pageSize?: number;
  /** Accept an empty source that would delete everything. */
  readonly force?: boolean;
  readonly profile?: string | null;
}

export async function runImport(ctx: EngineContext, agentName: string, mode: 'full' | 'delta', o: ImportOptions = {}): Promise<RunRecord> {
  const agent = ctx.agent(agentName);
  const rec = new StepRecorder(agentName, `${mode}-import`, o.profile ?? null, ctx.now());
  const watermarkKey = `watermark:${agentName}`;
  const stored = ctx.store.meta<string>(watermarkKey) ?? null;
  const useDelta = mode === 'delta' && agent.capabilities.deltaImport && !!agent.deltaImport && stored !== null;
  if (mode === 'delta' && !useDelta) rec.notes.push(stored === null ? 'no watermark yet: ran a full import' : 'the agent has no delta import: ran a full import, comparing with the connector space');
  let watermark: string | null = stored;
  let full = !useDelta;
  const ictx: ImportContext = {
    becameFull: () => { full = true; },
    pageSize: o.pageSize ?? 500,
    watermark: useDelta ? stored : null,
    setWatermark: (w) => { watermark = w; },
    note: (m) => rec.notes.push(m),
  };
  const cs = ctx.store.cs(agentName);
  const tx = ctx.store.begin();
  const seen = new Set<string>();
  let seenCount = 0;
  /** A second object under one anchor is an error on it, not a second connector object. */
  const twice = (id: string, anchor: string): boolean => {
    if (!seen.has(id)) { seen.add(id); return false; }
    rec.count('stage-failure');
    rec.error(anchor, `the anchor ${anchor} appears twice in this import; the second occurrence was ignored`);
    return true;
  };
  try {
    const stream = useDelta ? agent.deltaImport!(ictx) : agent.fullImport(ictx);
    for await (const change of stream) {
      if (change.kind === 'error') {
        rec.count('stage-failure');
        rec.error(change.anchor ?? `${change.file ?? agentName}:${change.line ?? '?'}`, change.message, change);
        const existing = change.anchor ? cs.byAnchor(change.anchor) : undefined;
        if (existing) {
          seen.add(existing.id);
          tx.putCs({ ...existing, importError: { message: change.message, ...(change.file ? { file: change.file } : {}), ...(change.line ? { line: change.line } : {}) } });
        }
        continue;
      }
      if (change.kind === 'delete') {
        const existing = cs.byAnchor(change.anchor);
        if (existing && existing.pendingImport?.op !== 'delete') {
          tx.putCs({ ...existing, pendingImport: { op: 'delete', delta: {} } });
          rec.count('stage-delete');
        }
        continue;
      }
      seenCount++;
      if (seenCount % 1000 === 0) ctx.events.progress?.(`${agentName} ${mode}-import`, seenCount, undefined);
      // Unchanged, with nothing pending on it: known from the store's slot, without reading the object.
      const digest = change.partial ? null : importDigest(change.object);
      const ref = digest === null ? undefined : cs.refByAnchor(change.object.anchor);
      if (ref && ref.cleanDigest === digest) {
        if (!twice(ref.id, change.object.anchor)) rec.count('stage-no-change');
        continue;
      }
      // An export object waiting for its anchor is found by its DN.
      const found = cs.byAnchor(change.object.anchor) ?? (() => { const byDn = cs.byDn(change.object.dn); return byDn && byDn.anchor === null ? byDn : undefined; })();
      const obj = change.partial ? completePartial(change.object, found, change.valueChanges) : change.object;
      if (!obj.objectType) {
        rec.count('stage-failure');
        rec.error(obj.anchor, 'a partial change for an object this connector space does not hold; run a full import');
        continue;
      }
      const staged = stageObject(agentName, found, obj);
      if (twice(staged.object.id, obj.anchor)) continue;
      rec.count(staged.counter);
      for (const k of staged.notConfirmed) rec.notes.push(`exported-change-not-reimported: ${obj.dn} ${k}`);
      // Written when it changed, or to record the digest that lets the next import skip it.
      if (staged.counter !== 'stage-no-change' || found?.pendingImport || found?.unconfirmed || found?.importError || found?.importDigest !== digest) {
        tx.putCs({ ...staged.object, importDigest: digest });
      }
      // Each object is staged once: the transaction may write out between two.
      tx.settled?.();
    }
    if (full) {
      // From the slots: what the source no longer returns, and how much there was; only the missing are read.
      const imported = cs.importedIds();
      const total = imported.length;
      const missing = imported.filter((id) => !seen.has(id)).map((id) => cs.get(id)!);
      // An empty source where there were objects is far more often an outage than a mass leave.
      if (seenCount === 0 && total > 0 && !o.force) {
        await tx.rollback();
        rec.notes.push(`the source returned no objects where the connector space holds ${total}; nothing was staged (run with --force if this is intended)`);
        return await record(ctx, rec, 'stopped-empty-source');
      }
      for (const x of missing) {
        if (x.pendingImport?.op === 'delete') continue;
        tx.putCs({ ...x, pendingImport: { op: 'delete', delta: {} } });
        rec.count('stage-delete');
      }
    }
    tx.setMeta(watermarkKey, watermark);
    tx.addRun(rec.finish(rec.overErrorLimit ? 'stopped-error-limit' : undefined, ctx.now()));
    await tx.commit();
    return ctx.store.runs().at(-1)!;
  } catch (err) {
    await tx.rollback();
    const retryable = err instanceof AgentError && err.retryable;
    rec.error(agentName, (err as Error).message);
    return await record(ctx, rec, retryable ? 'stopped-server-down' : 'failed');
  }
}

/** Records a step that changed nothing else. */
export async function record(ctx: EngineContext, rec: StepRecorder, status: RunRecord['status'] | undefined): Promise<RunRecord> {
  const run = rec.finish(status, ctx.now());
  const tx = ctx.store.begin();
  tx.addRun(run);
  await tx.commit();
  return run;
}
