/** The in-memory agent: the engine's dummy resource for tests. */
import type { AgentOptions, ImportChange, ImportContext, ManagementAgent } from '../management-agent.ts';
import { AgentUnavailableError } from '../errors.ts';
import { memorySystem } from './memory-system.ts';
import { asArray } from '../../data/model.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createMemoryAgent(options: AgentOptions): ManagementAgent {
  const system = memorySystem(String(options.settings['seed'] ?? options.name));
  const check = async () => {
    if (system.delayMs) await sleep(system.delayMs);
    if (system.down) throw new AgentUnavailableError(options.name, 'the connected system is not reachable');
  };
  return {
    name: options.name,
    type: 'memory',
    get capabilities() { return system.capabilities; },
    async *fullImport(ctx: ImportContext): AsyncIterable<ImportChange> {
      await check();
      const seq = system.seq;
      for (const o of [...system.objects.values()]) yield { kind: 'object', object: structuredClone(o) };
      ctx.setWatermark(String(seq));
    },
    async *deltaImport(ctx: ImportContext): AsyncIterable<ImportChange> {
      await check();
      const since = Number(ctx.watermark ?? 0);
      const seq = system.seq;
      const latest = new Map<string, boolean>();
      for (const c of system.changes) if (c.seq > since && c.seq <= seq) latest.set(c.anchor, c.deleted);
      for (const [anchor, deleted] of latest) {
        const o = system.objects.get(anchor);
        if (deleted || !o) yield { kind: 'delete', anchor };
        else yield { kind: 'object', object: structuredClone(o) };
      }
      ctx.setWatermark(String(seq));
    },
    async export(batch) {
      await check();
      return batch.map((req) => system.apply(req));
    },
    // Lookups fail on a dead system as a real agent's would.
    async findObject(q) {
      await check();
      const o = q.anchor ? system.objects.get(q.anchor) : q.dn ? system.byDn(q.dn) : undefined;
      return o ? structuredClone(o) : null;
    },
    async isValueInUse(objectType, attribute, value) {
      await check();
      const v = String(value).toLowerCase();
      for (const o of system.objects.values()) {
        if (o.objectType === objectType && asArray(o.attrs[attribute]).some((x) => String(x).toLowerCase() === v)) return true;
      }
      return false;
    },
    async getSchema() {
      return { objectTypes: options.objectTypes.map((t) => ({ name: t.name, attributes: [...t.attributes] })) };
    },
    async testConnection() { await check(); },
  };
}
