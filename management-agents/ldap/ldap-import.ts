/**
 * Import from Active Directory. Full: a paged search per container, with
 * ranged retrieval of large multi-valued attributes. Delta: DirSync from the
 * stored cookie (deletes seen through tombstones); where DirSync is not
 * granted, uSNChanged above the stored USN plus a tombstone search.
 */
import type { Client, Entry } from 'ldapts';
import type { ImportChange, ImportContext } from '../management-agent.ts';
import type { LdapAgentConfig } from './ldap-agent-config.ts';
import { DirSyncControl, ShowDeletedControl } from './ldap-dirsync-control.ts';
import { binaryAttributes, toAttributes } from './ldap-values.ts';
import { notFoundAs } from './ldap-connection.ts';

export interface Watermark { dirsync?: string; usn: number }

const typeFilters: Record<string, string> = {
  user: '(&(objectCategory=person)(objectClass=user))',
  group: '(objectClass=group)',
  contact: '(objectClass=contact)',
  computer: '(objectClass=computer)',
};
export const filterFor = (types: readonly { name: string }[]) => `(|${types.map((t) => typeFilters[t.name] ?? `(objectClass=${t.name})`).join('')})`;

export function typeOf(entry: Entry, types: readonly { name: string }[]): string | undefined {
  const classes = (Array.isArray(entry['objectClass']) ? entry['objectClass'] : [entry['objectClass']]).map((c) => String(c).toLowerCase());
  const order = ['computer', 'user', 'group', 'contact'];
  for (const name of order) if (classes.includes(name) && types.some((t) => t.name === name)) return name;
  return types.find((t) => classes.includes(t.name.toLowerCase()))?.name;
}

interface ReadOptions { readonly attributes: string[]; readonly explicitBufferAttributes: string[] }
const readOptionsCache = new WeakMap<LdapAgentConfig, ReadOptions>();
/** The inclusion list (plus objectGUID and objectClass) and which of it is binary: worked out once per agent, not per object. */
export function readOptions(cfg: LdapAgentConfig): ReadOptions {
  let o = readOptionsCache.get(cfg);
  if (!o) {
    const attributes = [...new Set(['objectGUID', 'objectClass', ...cfg.objectTypes.flatMap((t) => t.attributes)])];
    o = { attributes, explicitBufferAttributes: attributes.filter((a) => binaryAttributes.has(a.toLowerCase())) };
    readOptionsCache.set(cfg, o);
  }
  return o;
}

/** Completes attributes the server sent in ranges (member;range=0-1499). */
export async function expandRanges(client: Client, entry: Entry): Promise<Entry> {
  for (const key of Object.keys(entry)) {
    const m = /^(.+);range=(\d+)-(\*|\d+)$/.exec(key);
    if (!m) continue;
    const name = m[1]!;
    const values = [...(entry[key] as string[])];
    let end = m[3]!;
    while (end !== '*') {
      const next = await client.search(entry.dn, { scope: 'base', attributes: [`${name};range=${Number(end) + 1}-*`] });
      const e = next.searchEntries[0];
      const k = e && Object.keys(e).find((x) => x.toLowerCase().startsWith(`${name.toLowerCase()};range=`));
      if (!e || !k) break;
      values.push(...((Array.isArray(e[k]) ? e[k] : [e[k]]) as string[]));
      end = /-(\*|\d+)$/.exec(k)![1]!;
    }
    delete entry[key];
    entry[name] = values;
  }
  return entry;
}

const inScope = (dn: string, cfg: LdapAgentConfig) => cfg.containers.some((c) => dn.toLowerCase().endsWith(c.toLowerCase()));
const guidOf = (e: Entry) => toAttributes(e, ['objectGUID'])['objectGUID'] as string | undefined;

/** An entry as an import change, ranged values completed; undefined when it is of no configured type. */
async function toObject(client: Client, cfg: LdapAgentConfig, raw: Entry): Promise<ImportChange | undefined> {
  const e = await expandRanges(client, raw);
  const type = typeOf(e, cfg.objectTypes);
  const anchor = guidOf(e);
  if (!type || !anchor) return undefined;
  return { kind: 'object', object: { anchor, dn: e.dn, objectType: type, attrs: toAttributes(e, cfg.objectTypes.find((t) => t.name === type)!.attributes) } };
}

export async function highestUsn(client: Client): Promise<number> {
  const r = await client.search('', { scope: 'base', attributes: ['highestCommittedUSN'] });
  return Number(r.searchEntries[0]?.['highestCommittedUSN'] ?? 0);
}

/**
 * Runs DirSync from `cookie` to the end, reporting what changed: objectGUID
 * and isDeleted. A type filter cannot be used: DirSync evaluates it against
 * the changed attributes only, which misses renames and tombstones.
 */
export async function dirSync(client: Client, cfg: LdapAgentConfig, cookie: Buffer, onEntry: (e: Entry) => Promise<void>): Promise<Buffer> {
  const control = new DirSyncControl(cookie);
  do {
    // DirSync reports an object only when a requested attribute changed: ask for the inclusion list, and name for renames.
    const { attributes, explicitBufferAttributes } = readOptions(cfg);
    const r = await client.search(cfg.baseDn, { scope: 'sub', filter: '(objectClass=*)', attributes: [...new Set([...attributes, 'name', 'isDeleted'])], explicitBufferAttributes }, [control, new ShowDeletedControl()]);
    for (const e of r.searchEntries) await onEntry(e);
  } while (control.moreResults);
  return control.cookie;
}

/** The whole current object, by GUID: DirSync says what changed, this says what it is now. */
async function readByGuid(client: Client, cfg: LdapAgentConfig, anchor: string): Promise<Entry | undefined> {
  const r = await client.search(`<GUID=${anchor}>`, { scope: 'base', ...readOptions(cfg) }).catch(notFoundAs(undefined));
  return r?.searchEntries[0];
}

export async function* fullImport(client: Client, cfg: LdapAgentConfig, ctx: ImportContext): AsyncIterable<ImportChange> {
  // The watermark is taken before reading, so a change made during the import is seen again, never missed.
  const usn = await highestUsn(client);
  let dirsync: string | undefined;
  if (cfg.dirSync) {
    try {
      dirsync = (await dirSync(client, cfg, Buffer.alloc(0), async () => {})).toString('base64');
    } catch (err) {
      ctx.note(`DirSync is not available (${(err as Error).name}): delta imports will use uSNChanged`);
    }
  }
  for (const container of cfg.containers) {
    const pages = client.searchPaginated(container, { scope: 'sub', filter: filterFor(cfg.objectTypes), ...readOptions(cfg), paged: { pageSize: ctx.pageSize } });
    for await (const page of pages) {
      for (const raw of page.searchEntries) {
        const change = await toObject(client, cfg, raw);
        if (change) yield change;
      }
    }
  }
  ctx.setWatermark(JSON.stringify({ usn, ...(dirsync ? { dirsync } : {}) } satisfies Watermark));
}

export async function* deltaImport(client: Client, cfg: LdapAgentConfig, ctx: ImportContext): AsyncIterable<ImportChange> {
  const mark = JSON.parse(ctx.watermark ?? '{"usn":0}') as Watermark;
  const usnNow = await highestUsn(client);
  if (cfg.dirSync && mark.dirsync) {
    const out: ImportChange[] = [];
    try {
      const cookie = await dirSync(client, cfg, Buffer.from(mark.dirsync, 'base64'), async (e) => {
        const anchor = guidOf(e);
        if (!anchor) return;
        const deleted = String(e['isDeleted'] ?? '').toUpperCase() === 'TRUE';
        const current = deleted ? undefined : await readByGuid(client, cfg, anchor);
        // Deleted, or moved out of the configured containers: gone, as far as this agent is concerned.
        if (!current || !inScope(current.dn, cfg)) { out.push({ kind: 'delete', anchor }); return; }
        const change = await toObject(client, cfg, current);
        if (change) out.push(change);
      });
      yield* out;
      ctx.setWatermark(JSON.stringify({ usn: usnNow, dirsync: cookie.toString('base64') } satisfies Watermark));
      return;
    } catch (err) {
      ctx.note(`DirSync failed (${(err as Error).name}: ${(err as Error).message}); fell back to uSNChanged`);
    }
  }
  const filter = `(&${filterFor(cfg.objectTypes)}(uSNChanged>=${mark.usn + 1}))`;
  for (const container of cfg.containers) {
    for await (const page of client.searchPaginated(container, { scope: 'sub', filter, ...readOptions(cfg), paged: { pageSize: ctx.pageSize } })) {
      for (const raw of page.searchEntries) {
        const change = await toObject(client, cfg, raw);
        if (change) yield change;
      }
    }
  }
  const tombstones = await client.search(`CN=Deleted Objects,${cfg.baseDn}`, { scope: 'one', filter: `(&(isDeleted=TRUE)(uSNChanged>=${mark.usn + 1}))`, attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] }, [new ShowDeletedControl()]).catch(() => ({ searchEntries: [] as Entry[] }));
  for (const e of tombstones.searchEntries) {
    const anchor = guidOf(e);
    if (anchor) yield { kind: 'delete', anchor };
  }
  ctx.setWatermark(JSON.stringify({ usn: usnNow, ...(mark.dirsync ? { dirsync: mark.dirsync } : {}) } satisfies Watermark));
}
