export { createCsvAgent } from './csv-agent.ts';
export { neutralizeFormula } from './csv-encoding.ts';
