/**
 * Export: send pending exports in batches, record each result as it comes
 * (one transaction per batch, so a crash loses at most one batch's results,
 * and resending is harmless: an add that meets "already exists" is resolved
 * by finding the object and taking it over).
 */
import type { EngineContext } from '../context.ts';
import type { CsObject, RunRecord } from '../../data/objects.ts';
import type { ExportRequest } from '../../management-agents/index.ts';
import type { ConnectorSpaceView } from '../../data/store.ts';
import { AgentError } from '../../management-agents/index.ts';
import { StepRecorder } from '../run/step-record.ts';
import { record } from '../import/run-import.ts';
import { applyResult } from './apply-result.ts';
import { toRequests } from './build-request.ts';
import { targetIdentifier } from '../sync/references.ts';
import type { AttrChange } from '../../data/objects.ts';

export interface ExportOptions {
  readonly batchSize?: number;
  /** Override the deletion threshold once. */
  readonly allowDeletes?: boolean;
  readonly profile?: string | null;
}

export const STAGING_KEY = 'staging-mode';

function due(cs: CsObject, now: Date): boolean {
  if (!cs.pendingExport && !cs.unconfirmed) return false;
  if (cs.state === 'placeholder') return false;
  if (cs.exportError && (!cs.exportError.retryable && cs.exportError.attempts > 0 && !cs.pendingExport)) return false;
  return !cs.exportError?.nextAttemptAt || new Date(cs.exportError.nextAttemptAt) <= now;
}

/** Whether the metaverse attribute an outbound rule of `cs` exports to `attr` holds several values (one deferred member is still one of many). */
function multiValued(ctx: EngineContext, cs: CsObject, attr: string): boolean {
  for (const rule of ctx.rules.outbound) {
    if (rule.agent !== cs.agent || rule.objectType !== cs.objectType) continue;
    const ref = rule.flows.find((f) => f.target === attr)?.referenceAttribute;
    if (ref && ctx.rules.schema.get(rule.mvType)?.attributes.get(ref)?.multi) return true;
  }
  return false;
}

/**
 * Whether `deletes` are more than `percent` of the space. Its size is read
 * only when the bounds that ask nothing cannot tell: after a 1% delta at
 * 100,000 people, the size looked up 1,000 replayed ids in the snapshot.
 */
export function overPercent(space: ConnectorSpaceView, deletes: number, percent: number): boolean {
  // Falls as the size grows: the smallest size bounds the share from above, the largest from below.
  const share = (size: number) => (deletes / size) * 100;
  const { min, max } = space.sizeRange();
  if (min > 0 && share(min) <= percent) return false;
  if (min > 0 && share(max) > percent) return true;
  const size = space.size;
  return size > 0 && share(size) > percent;
}

export async function runExport(ctx: EngineContext, agentName: string, o: ExportOptions = {}): Promise<RunRecord> {
  const now = ctx.now();
  const rec = new StepRecorder(agentName, 'export', o.profile ?? null, now);
  const cfg = ctx.rules.agents.get(agentName);
  if (!cfg) throw new Error(`unknown agent '${agentName}'`);
  const space = ctx.store.cs(agentName);
  // Ids, read batch by batch: an export of 100,000 objects neither holds them all nor reads one twice.
  const ids = space.pendingExportIds();
  const dueCount = () => ids.filter((id) => { const cs = space.get(id); return cs && due(cs, now); }).length;
  const deletes = space.pendingDeletes();
  const { count, percent } = cfg.deletionThreshold;
  const over = (count !== undefined && deletes > count) || (percent !== undefined && deletes > 0 && overPercent(space, deletes, percent));
  if (over && !o.allowDeletes) {
    rec.count('pending-deletes', deletes);
    rec.notes.push(`${deletes} deletes and disables pending, over the threshold (${[count !== undefined ? `${count}` : '', percent !== undefined ? `${percent}%` : ''].filter(Boolean).join(' / ')}); nothing was sent. Check with 'idsync plan', then run with --allow-deletes`);
    return record(ctx, rec, 'stopped-deletion-threshold-exceeded');
  }
  if (ctx.store.meta<boolean>(STAGING_KEY)) {
    rec.count('pending-exports', dueCount());
    rec.notes.push('staging mode: nothing was sent');
    return record(ctx, rec, undefined);
  }
  const agent = ctx.agent(agentName);
  if (!agent.export || !agent.capabilities.export) {
    rec.notes.push(`${agent.type} agents do not export`);
    return record(ctx, rec, dueCount() ? 'failed' : undefined);
  }
  const batchSize = o.batchSize ?? agent.capabilities.exportBatchSize ?? 100;
  const exportFn = agent.export.bind(agent);
  /** Sends requests in batches; each batch's results are one transaction. */
  const send = async (requests: readonly ExportRequest[], done: number, total: number, secondPass = false): Promise<boolean> => {
    for (let i = 0; i < requests.length; i += batchSize) {
      const batch = requests.slice(i, i + batchSize);
      const results = await exportFn(batch, { note: (m) => rec.notes.push(m) });
      const byId = new Map(batch.map((q) => [q.id, q]));
      const tx = ctx.store.begin();
      for (const r of results) await applyResult(agent, space, tx, rec, r, byId.get(r.id)!, now, secondPass);
      await tx.commit();
      ctx.events.progress?.(`${agentName} export`, Math.min(done + i + batchSize, total), total);
      if (rec.overErrorLimit) return false;
    }
    return true;
  };
  /** Lets the agent fold what it journaled per batch, then records the step. */
  const finish = async (status: RunRecord['status'] | undefined): Promise<RunRecord> => {
    try {
      await agent.endExport?.();
    } catch (err) {
      // The results are already durable with the agent; only its housekeeping failed.
      rec.error(agentName, `export sent, but finishing it failed: ${(err as Error).message}`);
    }
    return record(ctx, rec, status);
  };
  // Keyed by connector-space id: deferred references below add to an object's second-pass request.
  const secondPass = new Map<string, ExportRequest>();
  const withDeferred: string[] = [];
  try {
    for (let i = 0; i < ids.length; i += batchSize) {
      const batch = ids.slice(i, i + batchSize).flatMap((id) => { const cs = space.get(id); return cs && due(cs, now) ? [cs] : []; });
      for (const cs of batch) if (cs.pendingExport?.deferred) withDeferred.push(cs.id);
      const split = batch.map((cs) => toRequests(cs, agent.capabilities.referencesInSecondPass));
      for (const r of split) if (r.second) secondPass.set(r.second.id, r.second);
      const requests = split.flatMap((r) => (r.first ? [r.first] : []));
      if (!(await send(requests, i, ids.length))) return finish('stopped-error-limit');
    }
    // References to objects this run created: their identifiers exist now.
    for (const id of withDeferred) {
      const cs = space.get(id);
      const deferred = cs?.pendingExport?.deferred;
      if (!cs || !deferred) continue;
      const changes: Record<string, AttrChange> = {};
      for (const [attr, mvIds] of Object.entries(deferred)) {
        const values = mvIds.map((mvId) => targetIdentifier(ctx, agentName, mvId)).filter((v): v is string => !!v);
        if (!values.length) continue;
        const multi = mvIds.length > 1 || agent.capabilities.valueLevelAttributes?.includes(attr) || multiValued(ctx, cs, attr);
        changes[attr] = multi ? { op: 'values', add: values, remove: [] } : { op: 'replace', value: values[0]! };
      }
      if (!Object.keys(changes).length) continue;
      const existing = secondPass.get(cs.id);
      secondPass.set(cs.id, existing ? { ...existing, changes: { ...existing.changes, ...changes } } : { id: cs.id, op: 'update', objectType: cs.objectType, dn: cs.dn, anchor: cs.anchor, changes });
    }
    if (secondPass.size) {
      rec.notes.push(`second pass: ${secondPass.size} object(s) with reference values`);
      // Objects whose first pass failed wait for the next export.
      const requests = [...secondPass.values()].flatMap((r) => { const cs = space.get(r.id); return cs && !cs.exportError && cs.anchor ? [{ ...r, anchor: cs.anchor, dn: cs.dn }] : []; });
      if (!(await send(requests, 0, requests.length, true))) return finish('stopped-error-limit');
    }
    return finish(undefined);
  } catch (err) {
    const retryable = err instanceof AgentError && err.retryable;
    rec.error(agentName, (err as Error).message);
    return finish(retryable ? 'stopped-server-down' : 'failed');
  }
}
