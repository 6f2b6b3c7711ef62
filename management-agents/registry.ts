/** Agent types by name. Explicit: adding an agent means adding a line here. */
import type { AgentFactory } from './management-agent.ts';
import { AgentError } from './errors.ts';
import { createMemoryAgent } from './memory/index.ts';
import { createCsvAgent } from './csv/index.ts';
import { createLdifAgent } from './ldif/index.ts';
import { createWorkdayXmlAgent } from './workday-xml/index.ts';
import { createSuccessFactorsJsonAgent } from './successfactors-json/index.ts';
import { createLdapAgent } from './ldap/index.ts';
import { createEntraAgent } from './entra/index.ts';

export const agentFactories: Readonly<Record<string, AgentFactory>> = {
  memory: createMemoryAgent,
  csv: createCsvAgent,
  ldif: createLdifAgent,
  'workday-xml': createWorkdayXmlAgent,
  'successfactors-json': createSuccessFactorsJsonAgent,
  ldap: createLdapAgent,
  entra: createEntraAgent,
};

export function agentFactory(type: string, agentName: string): AgentFactory {
  const f = agentFactories[type];
  if (!f) throw new AgentError(agentName, `agent type '${type}' is not available yet; available: ${Object.keys(agentFactories).join(', ')}`);
  return f;
}
