/**
 * The emulator's tenant: users, groups and devices with Graph's uniqueness
 * rules, directory roles, and a change log for delta queries.
 */
import { randomUUID } from 'node:crypto';

export type GraphObject = Record<string, unknown> & { id: string };

export class GraphError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: { target: string; code: string }[]) {
    super(message);
  }
}

interface Change { seq: number; kind: 'users' | 'groups'; id: string; removed: boolean; members?: { id: string; removed: boolean }[] }

export class GraphDirectory {
  readonly users = new Map<string, GraphObject>();
  readonly groups = new Map<string, GraphObject & { members: Set<string> }>();
  readonly devices = new Map<string, GraphObject>();
  readonly managers = new Map<string, string>();
  /** Users holding an admin directory role (emulated role assignments). */
  readonly admins = new Set<string>();
  readonly changes: Change[] = [];
  seq = 0;

  private log(kind: Change['kind'], id: string, removed = false, members?: Change['members']): void {
    this.changes.push({ seq: ++this.seq, kind, id, removed, ...(members ? { members } : {}) });
  }

  private unique(id: string | null, body: Record<string, unknown>): void {
    for (const u of this.users.values()) {
      if (u.id === id) continue;
      if (body['userPrincipalName'] !== undefined && String(u['userPrincipalName']).toLowerCase() === String(body['userPrincipalName']).toLowerCase()) {
        throw new GraphError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.', [{ target: 'userPrincipalName', code: 'ObjectConflict' }]);
      }
      if (body['onPremisesImmutableId'] && u['onPremisesImmutableId'] === body['onPremisesImmutableId']) {
        throw new GraphError(400, 'Request_BadRequest', 'Another object with the same value for property onPremisesImmutableId already exists.', [{ target: 'onPremisesImmutableId', code: 'ObjectConflict' }]);
      }
      const theirs = new Set(((u['proxyAddresses'] as string[] | undefined) ?? []).map((p) => p.toLowerCase()));
      for (const p of (body['proxyAddresses'] as string[] | undefined) ?? []) {
        if (theirs.has(p.toLowerCase())) throw new GraphError(400, 'Request_BadRequest', `Another object with the same value for property proxyAddresses already exists.`, [{ target: 'proxyAddresses', code: 'AttributeValueMustBeUnique' }]);
      }
    }
  }

  createUser(body: Record<string, unknown>): GraphObject {
    for (const k of ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName', 'passwordProfile']) {
      if (body[k] === undefined) throw new GraphError(400, 'Request_BadRequest', `Property '${k}' is required when creating the entity.`);
    }
    this.unique(null, body);
    const { passwordProfile: _pw, ...rest } = body;
    const user: GraphObject = { businessPhones: [], proxyAddresses: [], ...rest, id: randomUUID() };
    this.users.set(user.id, user);
    this.log('users', user.id);
    return user;
  }

  updateUser(id: string, body: Record<string, unknown>): void {
    const u = this.get(this.users, id);
    this.unique(id, body);
    const { passwordProfile: _pw, ...rest } = body;
    Object.assign(u, rest);
    this.log('users', id);
  }

  deleteUser(id: string): void {
    this.get(this.users, id);
    this.users.delete(id);
    for (const g of this.groups.values()) if (g.members.delete(id)) this.log('groups', g.id, false, [{ id, removed: true }]);
    this.log('users', id, true);
  }

  createGroup(body: Record<string, unknown>): GraphObject {
    for (const k of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled']) {
      if (body[k] === undefined) throw new GraphError(400, 'Request_BadRequest', `Property '${k}' is required when creating the entity.`);
    }
    const binds = (body['members@odata.bind'] as string[] | undefined) ?? [];
    const { 'members@odata.bind': _b, ...rest } = body;
    const group = { ...rest, id: randomUUID(), members: new Set<string>() };
    this.groups.set(group.id, group);
    this.log('groups', group.id);
    this.addMembers(group.id, binds.map(refId));
    return this.view(group);
  }

  updateGroup(id: string, body: Record<string, unknown>): void {
    const g = this.get(this.groups, id);
    const binds = (body['members@odata.bind'] as string[] | undefined) ?? [];
    if (binds.length > 20) throw new GraphError(400, 'Request_BadRequest', 'A maximum of 20 members can be added in a single request.');
    const { 'members@odata.bind': _b, ...rest } = body;
    if (Object.keys(rest).length) { Object.assign(g, rest); this.log('groups', id); }
    this.addMembers(id, binds.map(refId));
  }

  addMembers(groupId: string, ids: string[]): void {
    const g = this.get(this.groups, groupId);
    for (const id of ids) {
      if (!this.users.has(id) && !this.groups.has(id)) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
      if (g.members.has(id)) throw new GraphError(400, 'Request_BadRequest', 'One or more added object references already exist for the following modified properties: \'members\'.');
    }
    for (const id of ids) g.members.add(id);
    if (ids.length) this.log('groups', groupId, false, ids.map((id) => ({ id, removed: false })));
  }

  removeMember(groupId: string, id: string): void {
    const g = this.get(this.groups, groupId);
    if (!g.members.delete(id)) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    this.log('groups', groupId, false, [{ id, removed: true }]);
  }

  deleteGroup(id: string): void {
    this.get(this.groups, id);
    this.groups.delete(id);
    this.log('groups', id, true);
  }

  setManager(userId: string, managerId: string): void {
    this.get(this.users, userId);
    this.get(this.users, managerId);
    this.managers.set(userId, managerId);
    this.log('users', userId);
  }

  get<T>(map: Map<string, T>, id: string): T {
    const o = map.get(id);
    if (!o) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    return o;
  }

  view(g: GraphObject & { members?: Set<string> }): GraphObject {
    const { members: _m, ...rest } = g;
    return rest as GraphObject;
  }
}

/** "https://graph.microsoft.com/v1.0/directoryObjects/{id}" → id */
export const refId = (url: string) => url.replace(/\/+$/, '').split('/').pop()!.replace(/^.*\('?([^')]+)'?\)$/, '$1');
