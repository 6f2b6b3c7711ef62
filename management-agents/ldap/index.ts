export { createLdapAgent } from './ldap-agent.ts';
