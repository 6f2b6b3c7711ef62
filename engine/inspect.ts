/** Read-only summaries of a project's store, for `idsync status` and the demo. */
import type { Project } from './project.ts';
import { STAGING_KEY } from './export/run-export.ts';

export function statusOf(p: Project) {
  const agents = [...p.rules.agents.values()].map((a) => {
    const states: Record<string, number> = {};
    let pendingImport = 0, pendingExport = 0, errors = 0, objects = 0;
    for (const cs of p.store.cs(a.name).values()) {
      objects++;
      states[cs.state] = (states[cs.state] ?? 0) + 1;
      if (cs.pendingImport) pendingImport++;
      if (cs.pendingExport) pendingExport++;
      if (cs.importError || cs.syncError || cs.exportError) errors++;
    }
    const lastRun = [...p.store.runs()].reverse().find((r) => r.agent === a.name);
    return { name: a.name, type: a.type, objects, states, pendingImport, pendingExport, errors, lastRun: lastRun ? { step: lastRun.step, status: lastRun.status, endedAt: lastRun.endedAt } : null };
  });
  const profiles = [...p.rules.profiles.values()].map((x) => ({ name: x.name, steps: x.steps.map((s) => `${s.agent} ${s.type}`) }));
  return { agents, profiles, metaverse: { objects: p.store.mvCount }, staging: !!p.store.meta<boolean>(STAGING_KEY) };
}
