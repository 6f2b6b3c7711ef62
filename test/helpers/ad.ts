/** Helpers for tests against the Samba DC: an admin client, OUs, and an ldap agent wired to it. */
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { createLdapAgent } from '../../management-agents/ldap/index.ts';
import type { ManagementAgent } from '../../management-agents/index.ts';
import type { SambaDc } from './samba.ts';

export async function adminClient(dc: SambaDc): Promise<Client> {
  const c = new Client({ url: dc.url, tlsOptions: { ca: readFileSync(dc.caFile), servername: dc.serverName } });
  await c.bind(dc.adminDn, dc.password);
  return c;
}

export async function ensureOu(c: Client, dn: string): Promise<void> {
  await c.add(dn, { objectClass: ['top', 'organizationalUnit'] }).catch((e: Error) => { if (e.name !== 'AlreadyExistsError') throw e; });
}

export async function addUser(c: Client, dn: string, sam: string, extra: Record<string, string | string[]> = {}): Promise<void> {
  await c.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: sam, ...extra });
}

export const replace = (type: string, values: string[]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

export function adSettings(dc: SambaDc, extra: Record<string, unknown> = {}) {
  return { url: dc.url, 'bind-dn': dc.adminDn, password: dc.password, 'base-dn': dc.baseDn, 'ca-file': dc.caFile, 'tls-server-name': dc.serverName, ...extra };
}

export const userType = (attributes: string[]) => ({ name: 'user', anchor: ['objectGUID'], attributes });

export function adAgent(dc: SambaDc, containers: string[], extra: Record<string, unknown> = {}, attributes = ['objectGUID', 'sAMAccountName', 'displayName', 'givenName', 'sn', 'title', 'department', 'manager', 'userAccountControl', 'mail', 'objectSid', 'whenChanged', 'uSNChanged', 'mS-DS-ConsistencyGuid', 'employeeID', 'userPrincipalName']) {
  const agent = createLdapAgent({
    name: 'ad',
    settings: adSettings(dc, { containers, ...extra }),
    objectTypes: [userType(attributes), { name: 'group', anchor: ['objectGUID'], attributes: ['objectGUID', 'sAMAccountName', 'member', 'displayName', 'description'] }],
    baseDir: '/',
  });
  made.add(agent);
  return agent;
}

const made = new Set<ManagementAgent>();

/** Closes every agent adAgent made, so that no connection keeps the test process alive. */
export async function closeAdAgents(): Promise<void> {
  for (const a of made) await a.close?.().catch(() => {});
  made.clear();
}
