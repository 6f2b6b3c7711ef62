/**
 * Import from Entra ID. Full: /users (with manager), /groups (with their
 * members, paged) and /devices, $select from the inclusion list, $top=999,
 * paging by @odata.nextLink. Delta: /users/delta and /groups/delta from the
 * stored deltaLinks; an expired token (410) falls back to a full import.
 */
import type { ImportChange, ImportContext } from '../management-agent.ts';
import { AgentError } from '../errors.ts';
import type { GraphClient } from './entra-graph-client.ts';
import type { EntraAgentConfig } from './entra-agent-config.ts';
import { describeError, dnOf, pathOf, toAttributes } from './entra-values.ts';

type Page = { value?: Record<string, unknown>[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
type ObjectType = EntraAgentConfig['types'][number];

/** A failed read stops the import (retryable when Graph says so): staging an error body would empty the object. */
function graphError(agent: string, url: string, r: { status: number; body: unknown }): AgentError {
  const e = describeError(r.status, r.body);
  return new AgentError(agent, `GET ${url}: ${e.message}`, e.retryable);
}

async function* pages(client: GraphClient, agent: string, url: string): AsyncIterable<Page> {
  let next: string | undefined = url;
  while (next) {
    const r = await client.request('GET', next);
    if (r.status === 410) throw Object.assign(new Error('delta token expired'), { expired: true });
    if (r.status >= 400) throw graphError(agent, next, r);
    const p = r.body as Page;
    yield p;
    next = p['@odata.nextLink'];
  }
}

const selectFor = (t: ObjectType) => ['id', ...t.attributes.filter((a) => a !== 'manager' && a !== 'member')].join(',');
/** Users carry their manager by $expand; groups read their members separately, paged. */
const expandFor = (t: ObjectType) => (t.name === 'user' && t.attributes.includes('manager') ? '&$expand=manager($select=id)' : '');

async function members(client: GraphClient, agent: string, id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of pages(client, agent, `/groups/${id}/members?$select=id&$top=999`)) for (const m of p.value ?? []) out.push(String(m['id']));
  return out;
}

async function toObject(client: GraphClient, agent: string, t: ObjectType, o: Record<string, unknown>): Promise<ImportChange> {
  const id = String(o['id']);
  const attrs = toAttributes(o, t.attributes);
  if (t.name === 'group' && t.attributes.includes('member')) {
    const m = await members(client, agent, id);
    if (m.length) attrs['member'] = m;
  }
  return { kind: 'object', object: { anchor: id, dn: dnOf(t.name, id), objectType: t.name, attrs } };
}

export async function* fullImport(client: GraphClient, cfg: EntraAgentConfig, ctx: ImportContext): AsyncIterable<ImportChange> {
  const links: Record<string, string> = {};
  for (const t of cfg.types) {
    for await (const p of pages(client, cfg.agent, `/${pathOf(t.name)}?$select=${selectFor(t)}&$top=999${expandFor(t)}`)) {
      for (const o of p.value ?? []) yield await toObject(client, cfg.agent, t, o);
    }
    // A delta round started now: the deltaLink it ends with is the watermark for the next delta import.
    if (t.name !== 'device') {
      let link: string | undefined;
      for await (const p of pages(client, cfg.agent, `/${pathOf(t.name)}/delta?$select=${selectFor(t)}${t.name === 'group' ? ',members' : ''}`)) link = p['@odata.deltaLink'] ?? link;
      if (link) links[t.name] = link;
    }
  }
  ctx.setWatermark(JSON.stringify(links));
}

export async function* deltaImport(client: GraphClient, cfg: EntraAgentConfig, ctx: ImportContext): AsyncIterable<ImportChange> {
  const links = JSON.parse(ctx.watermark ?? '{}') as Record<string, string>;
  const next: Record<string, string> = {};
  const out: ImportChange[] = [];
  try {
    for (const t of cfg.types) {
      const start = links[t.name];
      if (!start) continue;
      for await (const p of pages(client, cfg.agent, start)) {
        for (const o of p.value ?? []) {
          const id = String(o['id']);
          if (o['@removed']) { out.push({ kind: 'delete', anchor: id }); continue; }
          const memberDelta = o['members@delta'] as { id: string; '@removed'?: unknown }[] | undefined;
          const otherProps = Object.keys(o).filter((k) => k !== 'id' && k !== 'members@delta' && !k.startsWith('@'));
          if (t.name === 'group' && memberDelta && otherProps.length === 0) {
            // Only members moved: value-level changes, without reading a membership that may be 50,000 long.
            const add = memberDelta.filter((m) => !m['@removed']).map((m) => m.id);
            const remove = memberDelta.filter((m) => m['@removed']).map((m) => m.id);
            out.push({ kind: 'object', partial: true, valueChanges: { member: { add, remove } }, object: { anchor: id, dn: dnOf('group', id), objectType: 'group', attrs: {} } });
            continue;
          }
          // Other changes: delta returns changed properties only; read the object whole for a complete picture.
          const url = `/${pathOf(t.name)}/${id}?$select=${selectFor(t)}${expandFor(t)}`;
          const r = await client.request('GET', url);
          if (r.status === 404) { out.push({ kind: 'delete', anchor: id }); continue; }
          if (r.status >= 400) throw graphError(cfg.agent, url, r);
          out.push(await toObject(client, cfg.agent, t, r.body as Record<string, unknown>));
        }
        if (p['@odata.deltaLink']) next[t.name] = p['@odata.deltaLink'];
      }
    }
  } catch (err) {
    if (!(err as { expired?: boolean }).expired) throw err;
    ctx.note('the delta token expired (410 syncStateNotFound): ran a full import instead');
    ctx.becameFull?.();
    yield* fullImport(client, cfg, ctx);
    return;
  }
  yield* out;
  ctx.setWatermark(JSON.stringify({ ...links, ...next }));
}
