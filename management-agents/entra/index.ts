export { createEntraAgent } from './entra-agent.ts';
