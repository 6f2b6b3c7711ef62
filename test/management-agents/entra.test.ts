/** The entra agent against the Graph emulator: import, delta, export, batching, throttling, matching, errors. */
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { ExportRequest, ImportChange } from '../../management-agents/index.ts';
import { AgentError } from '../../management-agents/index.ts';
import { closeEntra, entraAgent } from '../helpers/entra.ts';
import { testAgent } from '../helpers/agent-conformance.ts';
import { toAttributes } from '../../management-agents/entra/entra-values.ts';
import type { Attributes } from '../../data/model.ts';

const ctx = (watermark: string | null = null) => {
  const box = { watermark: null as string | null, notes: [] as string[], full: false };
  return { c: { pageSize: 999, watermark, setWatermark: (w: string | null) => { box.watermark = w; }, note: (m: string) => box.notes.push(m), becameFull: () => { box.full = true; } }, box };
};
async function all(it: AsyncIterable<ImportChange>) {
  const out: ImportChange[] = [];
  for await (const c of it) out.push(c);
  return out;
}
const objects = (cs: ImportChange[]) => cs.flatMap((c) => (c.kind === 'object' ? [c.object] : []));
const user = (upn: string, extra: Record<string, unknown> = {}) => ({ accountEnabled: true, displayName: upn.split('@')[0]!, mailNickname: upn.split('@')[0]!, userPrincipalName: upn, passwordProfile: { password: 'P@ss1' }, ...extra });
const add = (id: string, type: string, attrs: Record<string, unknown>): ExportRequest => ({ id, op: 'add', objectType: type, dn: id, anchor: null, changes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { op: 'replace' as const, value: v as string }])) });

test.after.always(closeEntra);

testAgent('entra (Graph emulator)', async () => {
  const { emu, agent } = await entraAgent();
  const a = emu.directory.createUser(user('ann@contoso.com', { department: 'Sales' }));
  const b = emu.directory.createUser(user('bob@contoso.com'));
  return {
    agent, exportType: 'user',
    seeded: new Map<string, Attributes>([[a.id, { userPrincipalName: 'ann@contoso.com', department: 'Sales' }], [b.id, { userPrincipalName: 'bob@contoso.com' }]]),
    newObject: (n) => ({ dn: `new${n}`, attrs: { userPrincipalName: `new${n}@contoso.com`, displayName: `New ${n}` } }),
  };
});

test('documented Graph responses are read by the agent\'s parsers', (t) => {
  const users = JSON.parse(readFileSync(new URL('../fixtures/graph/list-users.json', import.meta.url), 'utf8')) as { value: Record<string, unknown>[] };
  t.deepEqual(toAttributes(users.value[1]!, ['displayName', 'givenName', 'surname', 'userPrincipalName', 'businessPhones', 'mail']), { displayName: 'MOD Administrator', givenName: 'MOD', surname: 'Administrator', userPrincipalName: 'admin@contoso.com', businessPhones: ['425-555-0100'] });
  const delta = JSON.parse(readFileSync(new URL('../fixtures/graph/groups-delta.json', import.meta.url), 'utf8')) as { value: Record<string, unknown>[] };
  t.truthy(delta.value[1]!['@removed']);
});

test('full import: users with managers over several pages, groups with all their members', async (t) => {
  const { emu, agent } = await entraAgent();
  const boss = emu.directory.createUser(user('boss@contoso.com'));
  const ids: string[] = [];
  for (let i = 0; i < 1100; i++) ids.push(emu.directory.createUser(user(`u${i}@contoso.com`)).id);
  emu.directory.setManager(ids[0]!, boss.id);
  const g = emu.directory.createGroup({ displayName: 'Big', mailEnabled: false, mailNickname: 'big', securityEnabled: true });
  for (let i = 0; i < 1050; i += 50) emu.directory.addMembers(g.id, ids.slice(i, i + 50));
  const got = objects(await all(agent.fullImport(ctx().c)));
  t.is(got.filter((o) => o.objectType === 'user').length, 1101, 'paged by @odata.nextLink past $top=999');
  t.is(got.find((o) => o.anchor === ids[0])!.attrs['manager'], boss.id);
  t.is((got.find((o) => o.anchor === g.id)!.attrs['member'] as string[]).length, 1050);
  t.true(emu.stats.subRequests.some((r) => r.startsWith('GET /v1.0/users') && r.includes('users')));
});

test('delta import: changes and @removed since the deltaLink; an expired token falls back to a full import and says so', async (t) => {
  const { emu, agent } = await entraAgent();
  const a = emu.directory.createUser(user('a@contoso.com'));
  const b = emu.directory.createUser(user('b@contoso.com'));
  const g = emu.directory.createGroup({ displayName: 'G', mailEnabled: false, mailNickname: 'g', securityEnabled: true });
  const first = ctx();
  await all(agent.fullImport(first.c));
  emu.directory.updateUser(a.id, { jobTitle: 'Engineer' });
  emu.directory.deleteUser(b.id);
  emu.directory.addMembers(g.id, [a.id]);
  const second = ctx(first.box.watermark);
  const changes = await all(agent.deltaImport!(second.c));
  t.is(objects(changes).find((o) => o.anchor === a.id)!.attrs['jobTitle'], 'Engineer');
  t.true(changes.some((c) => c.kind === 'delete' && c.anchor === b.id));
  const group = changes.find((c) => c.kind === 'object' && c.object.anchor === g.id) as Extract<ImportChange, { kind: 'object' }>;
  t.true(group.partial, 'members@delta: value-level, no membership read');
  t.deepEqual(group.valueChanges, { member: { add: [a.id], remove: [] } });
  t.false(second.box.full);
  emu.routes.expiredBefore = emu.directory.seq + 1;
  const third = ctx(second.box.watermark);
  await all(agent.deltaImport!(third.c));
  t.true(third.box.full);
  t.regex(third.box.notes.join(), /410 syncStateNotFound/);
});

test('delta import: a failed read of a changed object stops the import, retryable, instead of staging it empty', async (t) => {
  const { emu, agent } = await entraAgent();
  const a = emu.directory.createUser(user('a@contoso.com'));
  const first = ctx();
  await all(agent.fullImport(first.c));
  emu.directory.updateUser(a.id, { jobTitle: 'Engineer' });
  emu.faults.failing = (r) => r === 'GET /v1.0/users/{id}';
  const err = await t.throwsAsync(all(agent.deltaImport!(ctx(first.box.watermark).c)), { instanceOf: AgentError });
  t.true(err!.retryable);
  t.regex(err!.message, /GET \/users\/[0-9a-f-]{36}\?\$select=.*: 500 UnknownError/);
});

test('export: created through $batch, PATCH of changed properties only, manager by $ref, members 20 per request', async (t) => {
  const { emu, agent } = await entraAgent({ 'hard-match': false, 'soft-match': false });
  const reqs = Array.from({ length: 45 }, (_, i) => add(`r${i}`, 'user', { userPrincipalName: `n${i}@contoso.com`, displayName: `N ${i}`, accountEnabled: 'true' }));
  const created = await agent.export!(reqs, { note() {} });
  t.true(created.every((r) => r.ok));
  t.is(emu.stats.batches, 3, 'three $batch envelopes for 45 users');
  t.is(emu.directory.users.get((created[0] as { anchor: string }).anchor)!['accountEnabled'], true, 'booleans are booleans');
  const ids = created.map((r) => (r as { anchor: string }).anchor);
  const [g] = await agent.export!([add('g', 'group', { displayName: 'Dept Sales' })], { note() {} });
  const gid = (g as { anchor: string }).anchor;
  emu.stats.subRequests.length = 0;
  await agent.export!([
    { id: 'g', op: 'update', objectType: 'group', dn: '', anchor: gid, changes: { member: { op: 'values', add: ids.slice(0, 25), remove: [] } } },
    { id: 'u', op: 'update', objectType: 'user', dn: '', anchor: ids[1]!, changes: { jobTitle: { op: 'replace', value: 'Boss' }, manager: { op: 'replace', value: ids[0]! } } },
  ], { note() {} });
  t.deepEqual(emu.stats.subRequests.sort(), ['PATCH /groups/{id}', 'PATCH /groups/{id}', 'PATCH /users/{id}', 'PUT /users/{id}/manager/$ref'].sort());
  t.is(emu.directory.groups.get(gid)!.members.size, 25);
  t.is(emu.directory.managers.get(ids[1]!), ids[0]);
  emu.stats.subRequests.length = 0;
  await agent.export!([{ id: 'g', op: 'update', objectType: 'group', dn: '', anchor: gid, changes: { member: { op: 'values', add: [ids[30]!], remove: [ids[0]!] } } }], { note() {} });
  t.deepEqual(emu.stats.subRequests.sort(), ['DELETE /groups/{id}/members/{id}/$ref', 'PATCH /groups/{id}'], 'one request per single-member change');
});

test('throttling: 429 with Retry-After is honoured until the export completes; the time is reported', async (t) => {
  const { emu, agent } = await entraAgent({ 'hard-match': false, 'soft-match': false });
  emu.faults.throttleRate = 0.3;
  emu.faults.retryAfterSeconds = 0.05;
  const notes: string[] = [];
  const r = await agent.export!(Array.from({ length: 40 }, (_, i) => add(`t${i}`, 'user', { userPrincipalName: `t${i}@contoso.com`, displayName: `T${i}` })), { note: (m) => notes.push(m) });
  t.true(r.every((x) => x.ok), JSON.stringify(r.filter((x) => !x.ok)));
  t.true(emu.stats.throttled > 0);
  t.regex(notes.join(), /throttled for \d+\.\d s/);
  t.is(emu.directory.users.size, 40, 'no duplicates from retries');
});

test('matching: hard on onPremisesImmutableId, soft on userPrincipalName; an admin-role object is never taken over', async (t) => {
  const { emu, agent } = await entraAgent();
  const hard = emu.directory.createUser(user('old.name@contoso.com', { onPremisesImmutableId: 'AAAA' }));
  const soft = emu.directory.createUser(user('soft@contoso.com'));
  const admin = emu.directory.createUser(user('admin@contoso.com'));
  emu.directory.admins.add(admin.id);
  const r = await agent.export!([
    add('h', 'user', { userPrincipalName: 'new.name@contoso.com', displayName: 'H', onPremisesImmutableId: 'AAAA' }),
    add('s', 'user', { userPrincipalName: 'soft@contoso.com', displayName: 'S', onPremisesImmutableId: 'BBBB' }),
    add('a', 'user', { userPrincipalName: 'admin@contoso.com', displayName: 'A', onPremisesImmutableId: 'CCCC' }),
  ], { note() {} });
  t.like(r[0], { ok: true, anchor: hard.id });
  t.is(emu.directory.users.get(hard.id)!['userPrincipalName'], 'new.name@contoso.com');
  t.like(r[1], { ok: true, anchor: soft.id });
  t.is(emu.directory.users.get(soft.id)!['onPremisesImmutableId'], 'BBBB', 'the soft match stamps the sourceAnchor: the next match is hard');
  t.like(r[2], { ok: false, retryable: false });
  t.regex((r[2] as { message: string }).message, /Admin Role Conflict.*never taken over/);
  t.is(emu.directory.users.size, 3, 'nothing created');
});

test('matching fails closed: a failed lookup creates nothing, a failed admin-role check takes nothing over', async (t) => {
  const { emu, agent } = await entraAgent();
  const existing = emu.directory.createUser(user('soft@contoso.com'));
  emu.faults.failing = (r) => r.endsWith('/users/{id}/memberOf/microsoft.graph.directoryRole');
  const [roleCheck] = await agent.export!([add('s', 'user', { userPrincipalName: 'soft@contoso.com', displayName: 'S' })], { note() {} });
  t.like(roleCheck, { ok: false, retryable: true }, 'a 500 is worth trying again');
  t.regex((roleCheck as { message: string }).message, /admin-role check of .* failed, so it is not taken over: 500 UnknownError/);
  t.is(emu.directory.users.get(existing.id)!['displayName'], existing['displayName'], 'not taken over');
  emu.faults.failing = (r) => /^GET (\/v1\.0)?\/users$/.test(r);
  const [search] = await agent.export!([add('n', 'user', { userPrincipalName: 'new@contoso.com', displayName: 'N' })], { note() {} });
  t.like(search, { ok: false });
  t.regex((search as { message: string }).message, /matching lookup failed, not created/);
  t.is(emu.directory.users.size, 1, 'nothing created');
});

test('Graph errors become clear per-object errors: ObjectConflict, not found', async (t) => {
  const { emu, agent } = await entraAgent({ 'soft-match': false, 'hard-match': false });
  emu.directory.createUser(user('taken@contoso.com'));
  const [dup] = await agent.export!([add('d', 'user', { userPrincipalName: 'taken@contoso.com', displayName: 'D' })], { note() {} });
  t.like(dup, { ok: false, retryable: false });
  t.regex((dup as { message: string }).message, /400 Request_BadRequest: Another object with the same value for property userPrincipalName already exists\. \(userPrincipalName: ObjectConflict\)/);
  const [missing] = await agent.export!([{ id: 'm', op: 'update', objectType: 'user', dn: '', anchor: '00000000-0000-0000-0000-000000000000', changes: { jobTitle: { op: 'replace', value: 'x' } } }], { note() {} });
  t.like(missing, { ok: false, code: 'not-found' });
});

test('a wrong client secret is refused without echoing it', async (t) => {
  const { agent } = await entraAgent({ 'client-secret': 'wrong-secret-value' });
  const err = await t.throwsAsync(all(agent.fullImport(ctx().c)));
  t.regex(err!.message, /client credentials .* were refused/);
  t.false(err!.message.includes('wrong-secret-value'));
});

test('certificate credentials: msal-node signs a client assertion the token endpoint verifies', async (t) => {
  const { startGraphEmulator } = await import('../graph-emulator/graph-server.ts');
  const emu = await startGraphEmulator();
  const { agent } = await entraAgent({ 'client-secret': undefined, certificate: emu.clientCertificatePem }, emu);
  emu.directory.createUser(user('cert@contoso.com'));
  const got = objects(await all(agent.fullImport(ctx().c)));
  t.is(got.length, 1);
  t.true(emu.stats.tokens >= 1);
});

test('the emulator answers in the shape of Graph\'s documented list response', async (t) => {
  const { emu, agent } = await entraAgent();
  emu.directory.createUser(user('shape@contoso.com', { givenName: 'S', surname: 'Hape', jobTitle: null, mail: 'shape@contoso.com' }));
  await all(agent.fullImport(ctx().c));
  const documented = JSON.parse(readFileSync(new URL('../fixtures/graph/list-users.json', import.meta.url), 'utf8')) as Record<string, unknown> & { value: Record<string, unknown>[] };
  const r = emu.routes.handle('GET', new URL(`${emu.graphUrl}/users?$select=businessPhones,displayName,givenName,jobTitle,mail,surname,userPrincipalName,id`), undefined);
  const body = r.body as Record<string, unknown> & { value: Record<string, unknown>[] };
  t.deepEqual(Object.keys(body).sort(), Object.keys(documented).sort());
  t.is(body['@odata.context'], documented['@odata.context']);
  const documentedKeys = Object.keys(documented.value[0]!).filter((k) => !['mobilePhone', 'officeLocation', 'preferredLanguage'].includes(k)).sort();
  t.deepEqual(Object.keys(body.value[0]!).sort(), documentedKeys);
});

test('devices are imported from /devices', async (t) => {
  const { startGraphEmulator } = await import('../graph-emulator/graph-server.ts');
  const { createEntraAgent } = await import('../../management-agents/entra/index.ts');
  const { entraSettings } = await import('../helpers/entra.ts');
  const emu = await startGraphEmulator();
  emu.directory.devices.set('d1', { id: 'd1', displayName: 'LAPTOP-01', operatingSystem: 'Windows', deviceId: 'a-b-c' });
  const agent = createEntraAgent({ name: 'entra', settings: entraSettings(emu), objectTypes: [{ name: 'device', anchor: ['id'], attributes: ['id', 'displayName', 'operatingSystem'] }], baseDir: '/' });
  try {
    const got = objects(await all(agent.fullImport(ctx().c)));
    t.deepEqual(got.map((o) => [o.objectType, o.anchor, o.attrs['displayName'], o.attrs['operatingSystem']]), [['device', 'd1', 'LAPTOP-01', 'Windows']]);
  } finally {
    await agent.close!();
    await emu.stop();
  }
});

test('503 without Retry-After: exponential backoff with jitter until the export completes', async (t) => {
  const { emu, agent } = await entraAgent({ 'hard-match': false, 'soft-match': false });
  emu.faults.unavailableRate = 0.2;
  const notes: string[] = [];
  const r = await agent.export!(Array.from({ length: 30 }, (_, i) => add(`s${i}`, 'user', { userPrincipalName: `s${i}@contoso.com`, displayName: `S${i}` })), { note: (m) => notes.push(m) });
  t.true(r.every((x) => x.ok), JSON.stringify(r.filter((x) => !x.ok)));
  t.is(emu.directory.users.size, 30);
  t.regex(notes.join(), /throttled for/);
});
