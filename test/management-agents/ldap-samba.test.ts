/** The ldap agent against a real Samba AD DC: import, delta, export, escaping, TLS, faults. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Client } from 'ldapts';
import { readFileSync } from 'node:fs';
import type { ExportRequest, ImportChange } from '../../management-agents/index.ts';
import { destroySamba, sharedSamba, type SambaDc } from '../helpers/samba.ts';
import { TcpRelay } from '../helpers/tcp-relay.ts';
import { adAgent, addUser, adminClient, closeAdAgents, ensureOu, replace } from '../helpers/ad.ts';
import { testAgent } from '../helpers/agent-conformance.ts';
import type { Attributes } from '../../data/model.ts';

let dc: SambaDc;
let owned = false;
let admin: Client;
const run = randomBytes(3).toString('hex');
const ou = `OU=t${run},DC=corp,DC=example,DC=com`;

test.before(async () => {
  ({ dc, owned } = await sharedSamba());
  admin = await adminClient(dc);
  await ensureOu(admin, ou);
  for (const sub of ['Seed', 'People', 'Alumni', 'Groups', 'Delta', 'Big']) await ensureOu(admin, `OU=${sub},${ou}`);
  await addUser(admin, `CN=Seed One,OU=Seed,${ou}`, `s1${run}`, { displayName: 'Seed One', title: 'Engineer' });
  await addUser(admin, `CN=Seed Two,OU=Seed,${ou}`, `s2${run}`, { displayName: 'Seed Two' });
});
test.after.always(async () => {
  await closeAdAgents();
  await admin?.unbind().catch(() => {});
  if (owned) await destroySamba(dc);
});

const ictx = (watermark: string | null = null) => {
  const box = { watermark: null as string | null, notes: [] as string[] };
  return { ctx: { pageSize: 2, watermark, setWatermark: (w: string | null) => { box.watermark = w; }, note: (m: string) => box.notes.push(m) }, box };
};
async function all(it: AsyncIterable<ImportChange>) {
  const out: ImportChange[] = [];
  for await (const c of it) out.push(c);
  return out;
}
const objects = (cs: ImportChange[]) => cs.flatMap((c) => (c.kind === 'object' ? [c.object] : []));

testAgent('ldap (Samba AD)', async () => {
  const agent = adAgent(dc, [`OU=Seed,${ou}`]);
  const seeded = new Map<string, Attributes>();
  for (const o of objects(await all(agent.fullImport(ictx().ctx)))) seeded.set(o.anchor, { displayName: o.attrs['displayName']! });
  return { agent, seeded, exportType: 'user', newObject: (n) => ({ dn: `CN=Conf ${run} ${n},OU=Seed,${ou}`, attrs: { sAMAccountName: `cf${run}${n}`, displayName: `Conf ${n}` } }) };
});

test.serial('full import: paged, objectGUID in Microsoft string form, typed objectSid, whenChanged and uSNChanged', async (t) => {
  const agent = adAgent(dc, [`OU=Seed,${ou}`]);
  const { ctx, box } = ictx();
  const got = objects(await all(agent.fullImport(ctx)));
  await agent.close?.();
  t.is(got.length, 2);
  const one = got.find((o) => o.attrs['displayName'] === 'Seed One')!;
  t.regex(one.anchor, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.is(one.objectType, 'user');
  t.regex(String(one.attrs['objectSid']), /^S-1-5-21-\d+-\d+-\d+-\d+$/);
  t.regex(String(one.attrs['whenChanged']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
  t.is(typeof one.attrs['uSNChanged'], 'number');
  const mark = JSON.parse(box.watermark!) as { usn: number; dirsync?: string };
  t.true(mark.usn > 0);
  t.truthy(mark.dirsync, 'a DirSync cookie is kept as the watermark');
  // The GUID string must name the same object AD knows.
  const back = await admin.search(`<GUID=${one.anchor}>`, { scope: 'base', attributes: ['displayName'] });
  t.is(back.searchEntries[0]!.displayName, 'Seed One');
});

test.serial('ranged retrieval: every member of a group larger than the server\'s 1,500-value range', async (t) => {
  const members: string[] = [];
  for (let i = 0; i < 1600; i++) {
    const dn = `CN=c${i},OU=Big,${ou}`;
    await admin.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'contact'] });
    members.push(dn);
  }
  await admin.add(`CN=Big Group,OU=Big,${ou}`, { objectClass: ['top', 'group'], sAMAccountName: `big${run}`, member: members });
  const agent = adAgent(dc, [`OU=Big,${ou}`]);
  const got = objects(await all(agent.fullImport(ictx().ctx)));
  const group = got.find((o) => o.objectType === 'group')!;
  t.is((group.attrs['member'] as string[]).length, 1600);
  // findObject (taking over an object found at export) reads the whole membership too.
  const found = await agent.findObject!({ dn: `CN=Big Group,OU=Big,${ou}`, objectType: 'group' });
  await agent.close?.();
  t.is((found!.attrs['member'] as string[]).length, 1600);
});

test.serial('delta import with DirSync: changes as partial objects, renames keep the anchor, deletes through tombstones', async (t) => {
  await addUser(admin, `CN=D1,OU=Delta,${ou}`, `d1${run}`, { displayName: 'D1', title: 'Before' });
  await addUser(admin, `CN=D2,OU=Delta,${ou}`, `d2${run}`, { displayName: 'D2' });
  await addUser(admin, `CN=D3,OU=Delta,${ou}`, `d3${run}`, { displayName: 'D3' });
  const agent = adAgent(dc, [`OU=Delta,${ou}`]);
  const first = ictx();
  const base = objects(await all(agent.fullImport(first.ctx)));
  const anchor = (name: string) => base.find((o) => o.attrs['displayName'] === name)!.anchor;
  await admin.modify(`CN=D1,OU=Delta,${ou}`, replace('title', ['After']));
  await admin.modifyDN(`CN=D2,OU=Delta,${ou}`, `CN=D2 Renamed,OU=Delta,${ou}`);
  await admin.del(`CN=D3,OU=Delta,${ou}`);
  const second = ictx(first.box.watermark);
  const changes = await all(agent.deltaImport!(second.ctx));
  await agent.close?.();
  t.deepEqual(second.box.notes, []);
  const d1 = changes.find((c) => c.kind === 'object' && c.object.anchor === anchor('D1')) as Extract<ImportChange, { kind: 'object' }>;
  t.is(d1.object.attrs['title'], 'After');
  t.is(d1.object.attrs['sAMAccountName'], `d1${run}`, 'the whole object, not only what changed');
  const d2 = changes.find((c) => c.kind === 'object' && c.object.anchor === anchor('D2')) as Extract<ImportChange, { kind: 'object' }>;
  t.is(d2.object.dn, `CN=D2 Renamed,OU=Delta,${ou}`, 'same objectGUID, new DN: a rename');
  t.true(changes.some((c) => c.kind === 'delete' && c.anchor === anchor('D3')));
  t.false(changes.some((c) => c.kind === 'object' && c.object.attrs['displayName'] === 'Seed One'), 'objects outside the containers are not reported');
});

test.serial('delta import by uSNChanged where DirSync is not used, with a tombstone search for deletes', async (t) => {
  await addUser(admin, `CN=U1,OU=Delta,${ou}`, `u1${run}`, { displayName: 'U1' });
  await addUser(admin, `CN=U2,OU=Delta,${ou}`, `u2${run}`, { displayName: 'U2' });
  const agent = adAgent(dc, [`OU=Delta,${ou}`], { dirsync: false });
  const first = ictx();
  const base = objects(await all(agent.fullImport(first.ctx)));
  t.is((JSON.parse(first.box.watermark!) as { dirsync?: string }).dirsync, undefined);
  await admin.modify(`CN=U1,OU=Delta,${ou}`, replace('title', ['Changed']));
  await admin.del(`CN=U2,OU=Delta,${ou}`);
  const changes = await all(agent.deltaImport!(ictx(first.box.watermark).ctx));
  await agent.close?.();
  const u1 = objects(changes).find((o) => o.attrs['displayName'] === 'U1')!;
  t.is(u1.attrs['title'], 'Changed');
  t.is(objects(changes).length, 1, 'only the changed object');
  t.true(changes.some((c) => c.kind === 'delete' && c.anchor === base.find((o) => o.attrs['displayName'] === 'U2')!.anchor));
});

const add = (id: string, dn: string, attrs: Record<string, string | number | string[]>): ExportRequest => ({
  id, op: 'add', objectType: 'user', dn, anchor: null,
  changes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { op: 'replace' as const, value: v }])),
});

test.serial('export: add with an initial password over LDAPS, the new objectGUID read back; modify, rename, move, disable, delete', async (t) => {
  const password = `Init-${randomBytes(6).toString('hex')}9!`;
  const agent = adAgent(dc, [`OU=People,${ou}`], { 'initial-password': password });
  const dn = `CN=New User,OU=People,${ou}`;
  const [added] = await agent.export!([add('a', dn, { sAMAccountName: `nu${run}`, displayName: 'New User', userPrincipalName: `nu${run}@corp.example.com`, userAccountControl: 512 })], { note() {} });
  t.true(added!.ok, JSON.stringify(added));
  const anchor = added!.ok ? added!.anchor! : '';
  t.regex(anchor, /^[0-9a-f-]{36}$/);
  // The password works: bind as the new user.
  const user = new Client({ url: dc.url, tlsOptions: { ca: readFileSync(dc.caFile), servername: dc.serverName } });
  await t.notThrowsAsync(user.bind(dn, password));
  await user.unbind();
  const r = await agent.export!([
    { id: 'a', op: 'update', objectType: 'user', dn, anchor, changes: { title: { op: 'replace', value: 'Engineer' }, userAccountControl: { op: 'replace', value: 514 } }, newDn: `CN=Renamed User,OU=Alumni,${ou}` },
  ], { note() {} });
  t.true(r[0]!.ok, JSON.stringify(r));
  const moved = await admin.search(`<GUID=${anchor}>`, { scope: 'base', attributes: ['title', 'userAccountControl'] });
  t.is(moved.searchEntries[0]!.dn, `CN=Renamed User,OU=Alumni,${ou}`);
  t.is(moved.searchEntries[0]!['title'], 'Engineer');
  t.is(Number(moved.searchEntries[0]!['userAccountControl']) & 2, 2, 'disabled');
  const [del] = await agent.export!([{ id: 'a', op: 'delete', objectType: 'user', dn: `CN=Renamed User,OU=Alumni,${ou}`, anchor, changes: {} }], { note() {} });
  t.true(del!.ok);
  await agent.close?.();
});

test.serial('group membership changes are value-level adds and removes', async (t) => {
  const agent = adAgent(dc, [`OU=Groups,${ou}`]);
  await addUser(admin, `CN=M1,OU=Groups,${ou}`, `m1${run}`);
  await addUser(admin, `CN=M2,OU=Groups,${ou}`, `m2${run}`);
  await admin.add(`CN=G,OU=Groups,${ou}`, { objectClass: ['top', 'group'], sAMAccountName: `g${run}`, member: [`CN=M1,OU=Groups,${ou}`] });
  const g = (await admin.search(`CN=G,OU=Groups,${ou}`, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] })).searchEntries[0]!;
  const { guidFromBytes } = await import('../../data/binary-ids.ts');
  const anchor = guidFromBytes(g['objectGUID'] as Buffer);
  const [r] = await agent.export!([{ id: 'g', op: 'update', objectType: 'group', dn: `CN=G,OU=Groups,${ou}`, anchor, changes: { member: { op: 'values', add: [`CN=M2,OU=Groups,${ou}`], remove: [`CN=M1,OU=Groups,${ou}`] } } }], { note() {} });
  t.true(r!.ok, JSON.stringify(r));
  const after = (await admin.search(`CN=G,OU=Groups,${ou}`, { scope: 'base', attributes: ['member'] })).searchEntries[0]!;
  t.deepEqual([after['member']].flat(), [`CN=M2,OU=Groups,${ou}`]);
  // Sent again after a crash: already applied, still a success.
  const [again] = await agent.export!([{ id: 'g', op: 'update', objectType: 'group', dn: `CN=G,OU=Groups,${ou}`, anchor, changes: { member: { op: 'values', add: [`CN=M2,OU=Groups,${ou}`], remove: [`CN=M1,OU=Groups,${ou}`] } } }], { note() {} });
  t.true(again!.ok, JSON.stringify(again));
  await agent.close?.();
});

test.serial('AD result codes become clear per-object errors, retryable or not; entryAlreadyExists is marked for discovery', async (t) => {
  const agent = adAgent(dc, [`OU=People,${ou}`]);
  const [dup] = await agent.export!([add('x', `CN=Seed One,OU=Seed,${ou}`, { sAMAccountName: `dup${run}` })], { note() {} });
  t.like(dup, { ok: false, retryable: false, code: 'already-exists' });
  const [bad] = await agent.export!([add('y', `CN=Bad,OU=NoSuchOu,${ou}`, { sAMAccountName: `bad${run}` })], { note() {} });
  t.like(bad, { ok: false, retryable: false });
  t.regex((bad as { message: string }).message, /noSuchObject/);
  const [missing] = await agent.export!([{ id: 'z', op: 'update', objectType: 'user', dn: `CN=Nobody,OU=People,${ou}`, anchor: '00000000-0000-0000-0000-000000000001', changes: { title: { op: 'replace', value: 'x' } } }], { note() {} });
  t.like(missing, { ok: false, code: 'not-found' });
  const found = await agent.findObject!({ dn: `CN=Seed One,OU=Seed,${ou}`, objectType: 'user' });
  t.is(found?.attrs['displayName'], 'Seed One');
  await agent.close?.();
});

test.serial('hostile names round-trip: DN and filter escaping everywhere a value reaches LDAP', async (t) => {
  const { escapeRdnValue } = await import('../../rules/index.ts');
  const agent = adAgent(dc, [`OU=People,${ou}`]);
  const names = ['Smith, John (Contractor)', "O'Brien", 'Ünal*', '#1 Admin', 'Back\\slash'];
  const reqs = names.map((n, i) => add(`h${i}`, `CN=${escapeRdnValue(n)},OU=People,${ou}`, { sAMAccountName: `h${i}${run}`, displayName: n }));
  const results = await agent.export!(reqs, { note() {} });
  t.true(results.every((r) => r.ok), JSON.stringify(results));
  const got = objects(await all(agent.fullImport(ictx().ctx))).filter((o) => String(o.attrs['sAMAccountName']).startsWith('h'));
  t.deepEqual(got.map((o) => o.attrs['displayName']).sort(), [...names].sort());
  t.true(await agent.isValueInUse!('user', 'displayName', 'Ünal*'));
  t.false(await agent.isValueInUse!('user', 'displayName', 'Ünal'), 'the * is a value, not a wildcard');
  t.false(await agent.isValueInUse!('user', 'displayName', '*)(objectClass=*'), 'no filter injection');
  await agent.close?.();
});

test.serial('StartTLS on ldap://389 with the certificate verified', async (t) => {
  const agent = adAgent({ ...dc, url: 'ldap://127.0.0.1:389' }, [`OU=Seed,${ou}`], { 'start-tls': true });
  const got = objects(await all(agent.fullImport(ictx().ctx)));
  await agent.close?.();
  t.is(got.length, 2);
  const wrong = adAgent({ ...dc, url: 'ldap://127.0.0.1:389' }, [`OU=Seed,${ou}`], { 'start-tls': true, 'tls-server-name': 'evil.example.com' });
  await t.throwsAsync(all(wrong.fullImport(ictx().ctx)), { message: /certificate .* was not accepted/ });
});

test.serial('TLS: a plain ldap:// bind is refused; a wrong CA or server name fails verification', async (t) => {
  const plain = adAgent({ ...dc, url: 'ldap://127.0.0.1:389' }, [ou]);
  await t.throwsAsync(all(plain.fullImport(ictx().ctx)), { message: /refusing to bind over plain ldap:\/\// });
  const wrongName = adAgent(dc, [ou], { 'tls-server-name': 'evil.example.com' });
  await t.throwsAsync(all(wrongName.fullImport(ictx().ctx)), { message: /certificate .* was not accepted/ });
  const noCa = adAgent({ ...dc, caFile: '/etc/hostname' }, [ou]);
  const err = await t.throwsAsync(all(noCa.fullImport(ictx().ctx)));
  t.false(err!.message.includes(dc.password), 'the password never appears in an error');
});

/** The agent reaches the DC through a relay the test can cut: other test files share the DC. */
const relayed = async () => {
  const relay = await TcpRelay.to('127.0.0.1', Number(new URL(dc.url).port || 636));
  return { relay, dc: { ...dc, url: `ldaps://127.0.0.1:${relay.port}` } };
};

test.serial('a server that goes away mid-import fails the import as retryable', async (t) => {
  await ensureOu(admin, `OU=Paged,${ou}`);
  for (let i = 0; i < 10; i++) await addUser(admin, `CN=P${i},OU=Paged,${ou}`, `p${i}${run}`);
  const { relay, dc: via } = await relayed();
  const agent = adAgent(via, [`OU=Paged,${ou}`]);
  const it = agent.fullImport({ pageSize: 2, watermark: null, setWatermark() {}, note() {} })[Symbol.asyncIterator]();
  t.false((await it.next()).done, 'the first page arrived');
  await relay.cut();
  const err = await t.throwsAsync(async () => { for (let r = await it.next(); !r.done; r = await it.next()); });
  t.is(err!.name, 'AgentUnavailableError');
  t.true((err as { retryable?: boolean }).retryable);
  await agent.close?.();
  await relay.close();
});

test.serial('a server that goes away mid-export fails the export as retryable; nothing is half-recorded', async (t) => {
  const { relay, dc: via } = await relayed();
  const agent = adAgent(via, [`OU=People,${ou}`]);
  const reqs = Array.from({ length: 40 }, (_, i) => add(`f${i}`, `CN=Fault ${i},OU=People,${ou}`, { sAMAccountName: `f${i}${run}` }));
  const first = await agent.export!(reqs.slice(0, 5), { note() {} });
  t.true(first.every((r) => r.ok));
  await relay.cut();
  try {
    const err = await t.throwsAsync(agent.export!(reqs.slice(5), { note() {} }));
    t.is(err!.name, 'AgentUnavailableError');
    t.true((err as { retryable?: boolean }).retryable);
  } finally {
    await relay.restore();
  }
  const again = await agent.export!(reqs.slice(5), { note() {} });
  t.true(again.every((r) => r.ok), JSON.stringify(again.filter((r) => !r.ok)));
  await agent.close?.();
  await relay.close();
});
