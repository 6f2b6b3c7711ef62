/** Settings of the entra agent. The authority and Graph base URL are settings, so the same code talks to a tenant or to the emulator. */
import type { AgentOptions } from '../management-agent.ts';
import { AgentError } from '../errors.ts';
import type { GraphClientOptions } from './entra-graph-client.ts';

export interface EntraAgentConfig extends GraphClientOptions {
  readonly concurrency: number;
  readonly hardMatch: boolean;
  readonly softMatch: boolean;
  readonly types: readonly { name: 'user' | 'group' | 'device'; attributes: readonly string[] }[];
}

export function readEntraConfig(o: AgentOptions): EntraAgentConfig {
  const s = o.settings;
  const str = (k: string) => (s[k] === undefined ? undefined : String(s[k]));
  const tenantId = str('tenant-id');
  const clientId = str('client-id');
  if (!tenantId || !clientId) throw new AgentError(o.name, 'Missing required settings `tenant-id` and `client-id`.');
  if (!str('client-secret') && !str('certificate')) throw new AgentError(o.name, 'Give `client-secret` or `certificate` (as env("…") or file("…")).');
  const types = o.objectTypes.map((t) => {
    if (t.name !== 'user' && t.name !== 'group' && t.name !== 'device') throw new AgentError(o.name, `object type '${t.name}' is not one of user, group, device`);
    return { name: t.name as 'user' | 'group' | 'device', attributes: t.attributes.filter((a) => a !== 'id') };
  });
  return {
    agent: o.name, tenantId, clientId, clientSecret: str('client-secret'), certificate: str('certificate'),
    authority: str('authority') ?? 'https://login.microsoftonline.com',
    graphUrl: (str('graph-url') ?? 'https://graph.microsoft.com/v1.0').replace(/\/+$/, ''),
    caFile: str('ca-file'),
    concurrency: Math.max(1, Number(s['concurrency'] ?? 4)),
    hardMatch: s['hard-match'] !== false,
    softMatch: s['soft-match'] !== false,
    types,
  };
}
