export type * from './management-agent.ts';
export { AgentError, AgentUnavailableError } from './errors.ts';
export { agentFactories, agentFactory } from './registry.ts';
