export { createLdifAgent } from './ldif-agent.ts';
