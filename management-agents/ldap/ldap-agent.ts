/** The ldap agent, with the Active Directory profile (objectGUID anchors, DirSync, AD object classes). */
import type { Client } from 'ldapts';
import type { AgentOptions, ImportChange, ManagementAgent } from '../management-agent.ts';
import { AgentUnavailableError } from '../errors.ts';
import { readLdapConfig } from './ldap-agent-config.ts';
import { connect, isNetworkError, notFoundAs } from './ldap-connection.ts';
import { deltaImport, expandRanges, fullImport, readOptions, typeOf } from './ldap-import.ts';
import { exportBatch } from './ldap-export.ts';
import { escapeFilterValue, toAttributes } from './ldap-values.ts';

export function createLdapAgent(o: AgentOptions): ManagementAgent {
  const cfg = readLdapConfig(o);
  const secure = cfg.url.startsWith('ldaps://') || cfg.startTls;
  let pool: Client[] = [];
  const clients = async (n: number): Promise<Client[]> => {
    while (pool.length < n) pool.push(await connect(o.name, cfg));
    return pool.slice(0, n);
  };
  const one = async () => (await clients(1))[0]!;
  /** A network failure mid-stream: drop the connections and report the server as away. */
  async function* guarded(run: (c: Client) => AsyncIterable<ImportChange>): AsyncIterable<ImportChange> {
    try {
      yield* run(await one());
    } catch (err) {
      if (err instanceof AgentUnavailableError || !isNetworkError(err)) throw err;
      await close();
      throw new AgentUnavailableError(o.name, `the directory went away during import: ${(err as Error).message}`, { cause: err });
    }
  }
  const close = async () => {
    const old = pool;
    pool = [];
    await Promise.all(old.map((c) => c.unbind().catch(() => {})));
  };
  return {
    name: o.name,
    type: 'ldap',
    // AD refuses a manager or member that does not exist yet: references go in a second pass.
    capabilities: { deltaImport: true, export: true, referencesInSecondPass: true, valueLevelMultiValue: true, rename: true },
    fullImport: (ctx) => guarded((c) => fullImport(c, cfg, ctx)),
    deltaImport: (ctx) => guarded((c) => deltaImport(c, cfg, ctx)),
    async export(batch) {
      try {
        return await exportBatch(o.name, await clients(cfg.concurrency), cfg, batch, secure);
      } catch (err) {
        await close();
        throw err;
      }
    },
    async findObject(q) {
      const c = await one();
      const base = q.anchor ? `<GUID=${q.anchor}>` : q.dn;
      if (!base) return null;
      const r = await c.search(base, { scope: 'base', ...readOptions(cfg) }).catch(notFoundAs(null));
      const found = r?.searchEntries[0];
      if (!found) return null;
      // A group taken over must come with all its members, not the first range of them.
      const e = await expandRanges(c, found);
      const type = typeOf(e, cfg.objectTypes) ?? q.objectType;
      const attrs = toAttributes(e, cfg.objectTypes.find((t) => t.name === type)?.attributes ?? []);
      return { anchor: String(toAttributes(e, ['objectGUID'])['objectGUID']), dn: e.dn, objectType: type, attrs };
    },
    async isValueInUse(_type, attribute, value) {
      const r = await (await one()).search(cfg.baseDn, { scope: 'sub', filter: `(${attribute}=${escapeFilterValue(String(value))})`, attributes: ['1.1'], sizeLimit: 1 });
      return r.searchEntries.length > 0;
    },
    async testConnection() {
      await (await one()).search('', { scope: 'base', attributes: ['defaultNamingContext'] });
    },
    close,
  };
}
