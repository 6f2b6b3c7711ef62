export { createSuccessFactorsJsonAgent } from './successfactors-json-agent.ts';
