export { createWorkdayXmlAgent, refuseDtd } from './workday-xml-agent.ts';
