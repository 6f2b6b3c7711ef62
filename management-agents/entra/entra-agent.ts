/** The entra agent: Microsoft Entra ID over Microsoft Graph v1.0. */
import type { AgentOptions, ManagementAgent } from '../management-agent.ts';
import { readEntraConfig } from './entra-agent-config.ts';
import { GraphClient } from './entra-graph-client.ts';
import { deltaImport, fullImport } from './entra-import.ts';
import { exportBatch } from './entra-export.ts';
import { pathOf, toAttributes, dnOf } from './entra-values.ts';

export function createEntraAgent(o: AgentOptions): ManagementAgent {
  const cfg = readEntraConfig(o);
  const client = new GraphClient(cfg);
  const noteThrottle = (note: (m: string) => void, before: number) => {
    const ms = client.throttledMs - before;
    if (ms > 0) note(`throttled for ${(ms / 1000).toFixed(1)} s (429/503 with Retry-After or backoff)`);
  };
  return {
    name: o.name,
    type: 'entra',
    capabilities: {
      deltaImport: true, export: true, rename: false,
      // manager and members name objects by id, which a new object has only once created.
      referencesInSecondPass: true, referencesBy: 'anchor',
      valueLevelMultiValue: true, valueLevelAttributes: ['member'],
      exportBatchSize: 200,
    },
    async *fullImport(ctx) {
      const before = client.throttledMs;
      yield* fullImport(client, cfg, ctx);
      noteThrottle(ctx.note, before);
    },
    async *deltaImport(ctx) {
      const before = client.throttledMs;
      yield* deltaImport(client, cfg, ctx);
      noteThrottle(ctx.note, before);
    },
    async export(batch, ctx) {
      const before = client.throttledMs;
      const r = await exportBatch(client, cfg, batch, ctx.note);
      noteThrottle(ctx.note, before);
      return r;
    },
    async findObject(q) {
      const type = cfg.types.find((t) => t.name === q.objectType) ?? cfg.types[0]!;
      const id = q.anchor ?? q.dn?.split('/').pop();
      if (!id) return null;
      const r = await client.request('GET', `/${pathOf(type.name)}/${id}`);
      if (r.status >= 400) return null;
      return { anchor: id, dn: dnOf(type.name, id), objectType: type.name, attrs: toAttributes(r.body as Record<string, unknown>, type.attributes) };
    },
    async isValueInUse(_type, attribute, value) {
      const r = await client.request('GET', `/users?$filter=${attribute} eq '${encodeURIComponent(String(value).replace(/'/g, "''"))}'&$select=id`);
      return ((r.body as { value?: unknown[] } | undefined)?.value ?? []).length > 0;
    },
    async testConnection() {
      await client.request('GET', '/users?$top=1&$select=id');
    },
    close: () => client.close(),
  };
}
