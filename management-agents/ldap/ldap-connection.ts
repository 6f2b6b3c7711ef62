/**
 * Opening a verified connection: LDAPS or StartTLS with the CA checked, and
 * no simple bind in clear text unless `allow-plain` says so.
 */
import { Client } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import { AgentError, AgentUnavailableError } from '../errors.ts';
import type { LdapAgentConfig } from './ldap-agent-config.ts';

/**
 * A failure that means the server is away (retryable), as opposed to an LDAP
 * result about one object: ldapts result errors carry a numeric result code.
 */
export function isNetworkError(err: unknown): boolean {
  return typeof (err as { code?: unknown }).code !== 'number';
}

/** For a read that may miss: an LDAP answer (no such object) becomes `value`; a server gone away still throws. */
export const notFoundAs = <T>(value: T) => (err: unknown): T => {
  if (isNetworkError(err)) throw err;
  return value;
};

export async function connect(agent: string, cfg: LdapAgentConfig): Promise<Client> {
  const secure = cfg.url.startsWith('ldaps://');
  if (!secure && !cfg.startTls && !cfg.allowPlain && cfg.bindDn) {
    throw new AgentError(agent, `refusing to bind over plain ldap:// (${cfg.url}); use ldaps://, start-tls = true, or allow-plain = true in a lab`);
  }
  const tlsOptions: ConnectionOptions = { ...(cfg.ca ? { ca: cfg.ca } : {}), ...(cfg.tlsServerName ? { servername: cfg.tlsServerName } : {}), rejectUnauthorized: true };
  const client = new Client({ url: cfg.url, timeout: 30_000, connectTimeout: 10_000, ...(secure ? { tlsOptions } : {}) });
  try {
    if (cfg.startTls && !secure) await client.startTLS(tlsOptions);
    if (cfg.bindDn) await client.bind(cfg.bindDn, cfg.password ?? '');
    return client;
  } catch (err) {
    await client.unbind().catch(() => {});
    const e = err as Error & { code?: string };
    // Never echo the password; ldapts messages do not contain it, and ours name only the account.
    if (/InvalidCredentials/.test(e.name)) throw new AgentError(agent, `bind as ${cfg.bindDn} failed: invalid credentials`);
    if (/certificate|self.signed|CERT|altnames/i.test(`${e.code ?? ''} ${e.message}`)) {
      throw new AgentError(agent, `the server certificate of ${cfg.url} was not accepted (${e.code ?? e.message}); set ca-file, and tls-server-name if the certificate names another host`);
    }
    throw new AgentUnavailableError(agent, `cannot reach ${cfg.url}: ${e.code ?? e.message}`, { cause: err });
  }
}
