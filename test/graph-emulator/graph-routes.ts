/**
 * Graph v1.0 endpoints the agent uses, as Microsoft documents them; one
 * dispatcher serves direct requests and the requests inside a $batch.
 */
import { GraphDirectory, GraphError, refId, type GraphObject } from './graph-directory.ts';
import { page, parseFilter, select } from './graph-odata.ts';

export interface Reply { status: number; body?: unknown; headers?: Record<string, string> }

const json = (status: number, body?: unknown): Reply => ({ status, body });
const list = (ctx: string, r: { value: unknown[]; next: string | undefined }): Reply =>
  json(200, { '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#${ctx}`, value: r.value, ...(r.next ? { '@odata.nextLink': r.next } : {}) });

export interface DeltaToken { kind: 'users' | 'groups'; seq: number; to?: number; offset?: number; select?: string }
const encode = (t: DeltaToken) => Buffer.from(JSON.stringify(t)).toString('base64url');
const decode = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString()) as DeltaToken;

export class GraphRoutes {
  /** Delta tokens issued before this sequence number are expired (fault injection). */
  expiredBefore = 0;

  constructor(readonly dir: GraphDirectory, readonly base: string) {}

  private userView(u: GraphObject, sel: string | null, expand: string | null): GraphObject {
    const v = select(u, sel);
    if (expand?.startsWith('manager')) {
      const m = this.dir.managers.get(u.id);
      if (m) v['manager'] = { '@odata.type': '#microsoft.graph.user', id: m };
    }
    return v;
  }

  /** Delta query: the first round returns everything, later rounds the changes in (from, to]; pages carry the window. */
  private delta(kind: 'users' | 'groups', q: URLSearchParams): Reply {
    const skip = q.get('$skiptoken');
    const dt = q.get('$deltatoken');
    let t: DeltaToken;
    if (skip) t = decode(skip);
    else if (dt) {
      const prev = decode(dt);
      if (prev.seq < this.expiredBefore) throw new GraphError(410, 'syncStateNotFound', 'The sync state generation is not found. Restart the sync with a full synchronization.');
      t = { kind, seq: prev.seq, to: this.dir.seq, offset: 0, ...(prev.select ? { select: prev.select } : {}) };
    } else t = { kind, seq: 0, to: this.dir.seq, offset: 0, ...(q.get('$select') ? { select: q.get('$select')! } : {}) };
    const sel = t.select ?? null;
    let items: GraphObject[];
    if (t.seq === 0) {
      items = kind === 'users'
        ? [...this.dir.users.values()].map((u) => this.userView(u, sel, null))
        : [...this.dir.groups.values()].map((g) => ({ ...select(this.dir.view(g), sel), 'members@delta': [...g.members].map((id) => ({ '@odata.type': '#microsoft.graph.user', id })) }));
    } else {
      const latest = new Map<string, { removed: boolean; props: boolean; members: { id: string; removed: boolean }[] }>();
      for (const c of this.dir.changes) {
        if (c.kind !== kind || c.seq <= t.seq || c.seq > t.to!) continue;
        const e = latest.get(c.id) ?? { removed: false, props: false, members: [] };
        e.removed = c.removed;
        if (!c.members) e.props = true;
        e.members.push(...(c.members ?? []));
        latest.set(c.id, e);
      }
      items = [...latest].map(([id, e]) => {
        const g = kind === 'groups' ? this.dir.groups.get(id) : undefined;
        const u = kind === 'users' ? this.dir.users.get(id) : undefined;
        if (e.removed || (!g && !u)) return { id, '@removed': { reason: 'deleted' } } as GraphObject;
        if (u) return this.userView(u, sel, null);
        // "Updated instances are represented by their id with at least their updated properties": members only, when only members moved.
        const props = e.props ? select(this.dir.view(g!), sel) : { id };
        return { ...props, ...(e.members.length ? { 'members@delta': e.members.map((m) => (m.removed ? { id: m.id, '@removed': { reason: 'deleted' } } : { '@odata.type': '#microsoft.graph.user', id: m.id })) } : {}) };
      });
    }
    const top = 200;
    const offset = t.offset ?? 0;
    const value = items.slice(offset, offset + top);
    const link = new URL(`${this.base}/${kind}/delta`);
    const ctx = `https://graph.microsoft.com/v1.0/$metadata#${kind}`;
    if (offset + top < items.length) {
      link.searchParams.set('$skiptoken', encode({ ...t, offset: offset + top }));
      return json(200, { '@odata.context': ctx, '@odata.nextLink': link.toString(), value });
    }
    link.searchParams.set('$deltatoken', encode({ kind, seq: t.to!, ...(sel ? { select: sel } : {}) }));
    return json(200, { '@odata.context': ctx, '@odata.deltaLink': link.toString(), value });
  }

  handle(method: string, url: URL, body: Record<string, unknown> | undefined): Reply {
    const path = url.pathname.replace(/^\/v1\.0/, '').replace(/\/+$/, '');
    const q = url.searchParams;
    const seg = path.split('/').filter(Boolean);
    const [col, id, sub, subId, tail] = seg as [string, string | undefined, string | undefined, string | undefined, string | undefined];
    const d = this.dir;
    if (col === 'users' && id === 'delta') return this.delta('users', q);
    if (col === 'groups' && id === 'delta') return this.delta('groups', q);
    if (col === 'users' && !id) {
      if (method === 'POST') return json(201, d.createUser(body ?? {}));
      const items = [...d.users.values()].filter(parseFilter(q.get('$filter'))).map((u) => this.userView(u, q.get('$select'), q.get('$expand')));
      return list('users', page(items, q, url));
    }
    if (col === 'groups' && !id) {
      if (method === 'POST') return json(201, d.createGroup(body ?? {}));
      return list('groups', page([...d.groups.values()].filter(parseFilter(q.get('$filter'))).map((g) => select(d.view(g), q.get('$select'))), q, url));
    }
    if (col === 'devices' && !id) return list('devices', page([...d.devices.values()].map((x) => select(x, q.get('$select'))), q, url));
    if (col === 'users' && id && !sub) {
      if (method === 'PATCH') { d.updateUser(id, body ?? {}); return json(204); }
      if (method === 'DELETE') { d.deleteUser(id); return json(204); }
      return json(200, this.userView(d.get(d.users, id), q.get('$select'), q.get('$expand')));
    }
    if (col === 'users' && id && sub === 'manager') {
      if (method === 'PUT' && subId === '$ref') { d.setManager(id, refId(String(body?.['@odata.id'] ?? ''))); return json(204); }
      if (method === 'DELETE') { d.managers.delete(id); return json(204); }
      const m = d.managers.get(id);
      if (!m) throw new GraphError(404, 'Request_ResourceNotFound', `Resource 'manager' does not exist or one of its queried reference-property objects are not present.`);
      return json(200, select(d.get(d.users, m), q.get('$select')));
    }
    if (col === 'users' && id && sub === 'memberOf' && subId === 'microsoft.graph.directoryRole') {
      d.get(d.users, id);
      return list('directoryRoles', { value: d.admins.has(id) ? [{ '@odata.type': '#microsoft.graph.directoryRole', id: 'role-global-admin', displayName: 'Global Administrator' }] : [], next: undefined });
    }
    if (col === 'groups' && id && !sub) {
      if (method === 'PATCH') { d.updateGroup(id, body ?? {}); return json(204); }
      if (method === 'DELETE') { d.deleteGroup(id); return json(204); }
      return json(200, select(d.view(d.get(d.groups, id)), q.get('$select')));
    }
    if (col === 'groups' && id && sub === 'members') {
      if (subId === '$ref' && method === 'POST') { d.addMembers(id, [refId(String(body?.['@odata.id'] ?? ''))]); return json(204); }
      if (subId && tail === '$ref' && method === 'DELETE') { d.removeMember(id, subId); return json(204); }
      const g = d.get(d.groups, id);
      return list('directoryObjects', page([...g.members].map((m) => ({ '@odata.type': d.users.has(m) ? '#microsoft.graph.user' : '#microsoft.graph.group', id: m })), q, url));
    }
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${seg.join('/')}'.`);
  }
}

export { encode as encodeDeltaToken };
