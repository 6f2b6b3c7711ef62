/** Runs one step or a named run profile. */
import type { EngineContext } from '../context.ts';
import type { RunRecord } from '../../data/objects.ts';
import type { StepType } from '../../data/model.ts';
import { combinedStepTypes, stepTypes } from '../../data/model.ts';
import { runImport } from '../import/run-import.ts';
import { runSync } from '../sync/run-sync.ts';
import { runExport } from '../export/run-export.ts';

export interface StepOptions {
  readonly pageSize?: number;
  readonly batchSize?: number;
  readonly limit?: number;
  readonly force?: boolean;
  readonly allowDeletes?: boolean;
  readonly profile?: string | null;
}

export function runStep(ctx: EngineContext, agent: string, type: StepType, o: StepOptions = {}): Promise<RunRecord> {
  switch (type) {
    case 'full-import': return runImport(ctx, agent, 'full', o);
    case 'delta-import': return runImport(ctx, agent, 'delta', o);
    case 'full-sync': return runSync(ctx, agent, 'full', o);
    case 'delta-sync': return runSync(ctx, agent, 'delta', o);
    case 'export': return runExport(ctx, agent, o);
  }
}

export function parseStepType(text: string): readonly StepType[] | undefined {
  if ((stepTypes as readonly string[]).includes(text)) return [text as StepType];
  return combinedStepTypes[text];
}

/** Statuses after which a profile does not go on. */
export const stoppingStatuses = new Set(['stopped-deletion-threshold-exceeded', 'stopped-error-limit', 'stopped-empty-source', 'stopped-server-down', 'failed']);

export async function runProfile(ctx: EngineContext, name: string, o: { allowDeletes?: boolean; onStep?: (r: RunRecord) => void } = {}): Promise<RunRecord[]> {
  const profile = ctx.rules.profiles.get(name);
  if (!profile) throw new Error(`unknown run profile '${name}'; profiles: ${[...ctx.rules.profiles.keys()].join(', ') || 'none'}`);
  const out: RunRecord[] = [];
  for (const step of profile.steps) {
    const r = await runStep(ctx, step.agent, step.type, {
      ...(step.pageSize !== undefined ? { pageSize: step.pageSize } : {}),
      ...(step.batchSize !== undefined ? { batchSize: step.batchSize } : {}),
      ...(step.limit !== undefined ? { limit: step.limit } : {}),
      force: step.force,
      allowDeletes: o.allowDeletes ?? false,
      profile: name,
    });
    out.push(r);
    o.onStep?.(r);
    if (stoppingStatuses.has(r.status)) break;
  }
  return out;
}
