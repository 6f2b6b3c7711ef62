/** Settings of the ldap agent (Active Directory profile). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AgentOptions } from '../management-agent.ts';
import { AgentError } from '../errors.ts';

export interface LdapAgentConfig {
  readonly url: string;
  readonly bindDn: string | undefined;
  /** Resolved from env()/file() by the engine; never stored or logged. */
  readonly password: string | undefined;
  readonly baseDn: string;
  readonly containers: readonly string[];
  readonly ca: Buffer | undefined;
  /** Name to verify the server certificate against, when it differs from the URL's host. */
  readonly tlsServerName: string | undefined;
  readonly startTls: boolean;
  readonly allowPlain: boolean;
  readonly concurrency: number;
  readonly pageSize: number;
  readonly dirSync: boolean;
  /** random (default) or a secret: the initial password of new users, set through unicodePwd. */
  readonly initialPassword: string;
  readonly objectTypes: readonly { name: string; attributes: readonly string[] }[];
}

export function readLdapConfig(o: AgentOptions): LdapAgentConfig {
  const s = o.settings;
  const str = (k: string) => (s[k] === undefined ? undefined : String(s[k]));
  const url = str('url');
  const baseDn = str('base-dn');
  if (!url) throw new AgentError(o.name, 'Missing required setting `url`.');
  if (!baseDn) throw new AgentError(o.name, 'Missing required setting `base-dn`.');
  const caFile = str('ca-file');
  let ca: Buffer | undefined;
  if (caFile) {
    try {
      ca = readFileSync(resolve(o.baseDir, caFile));
    } catch (err) {
      throw new AgentError(o.name, `cannot read ca-file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const containers = s['containers'];
  return {
    url,
    bindDn: str('bind-dn'),
    password: str('password'),
    baseDn,
    containers: Array.isArray(containers) ? containers.map(String) : containers === undefined ? [baseDn] : [String(containers)],
    ca,
    tlsServerName: str('tls-server-name'),
    startTls: s['start-tls'] === true,
    allowPlain: s['allow-plain'] === true,
    concurrency: Math.max(1, Number(s['concurrency'] ?? 1)),
    pageSize: Math.max(1, Number(s['page-size'] ?? 500)),
    dirSync: s['dirsync'] !== false,
    initialPassword: str('initial-password') ?? 'random',
    objectTypes: o.objectTypes.map((t) => ({ name: t.name, attributes: [...new Set([...t.anchor, ...t.attributes])] })),
  };
}
