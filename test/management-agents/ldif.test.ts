/** The ldif agent: RFC 2849 content records in, change records out, and the conformance suite. */
import test from 'ava';
import { appendFile, mkdir, mkdtemp, readFile, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import { contentRecord, LdifParser, parseLdif } from '../../management-agents/ldif/ldif-format.ts';
import type { ImportChange } from '../../management-agents/index.ts';
import { testAgent } from '../helpers/agent-conformance.ts';
import { fileStamp } from '../../management-agents/journaled-file.ts';
import type { Attributes } from '../../data/model.ts';

const types = [{ name: 'user', anchor: ['objectGUID'], attributes: ['cn', 'member', 'description'] }, { name: 'group', anchor: ['objectGUID'], attributes: ['member'] }];
async function agentFor(content: string) {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-'));
  await writeFile(join(dir, 'dir.ldif'), content);
  return { dir, agent: createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir }) };
}
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };
async function all(it: AsyncIterable<ImportChange>) {
  const out: ImportChange[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const sample = `version: 1

# a comment
dn: CN=Ann Lee,OU=People,DC=corp
objectClass: user
objectGUID: g1
cn: Ann Lee
description:: w5xuYWwgc2F5cyBoaQ==

dn: CN=Staff,OU=Groups,DC=corp
objectClass: group
objectGUID: g2
member: CN=Ann Lee,OU=People,DC=corp
member: CN=Someone Else With A Very Long Name That Needs Folding,OU=Peo
 ple,DC=corp
`;

testAgent('ldif', async () => {
  const { agent } = await agentFor(sample);
  return {
    agent,
    exportType: 'user',
    seeded: new Map<string, Attributes>([['g1', { cn: 'Ann Lee', description: 'Ünal says hi' }], ['g2', { member: ['CN=Ann Lee,OU=People,DC=corp', 'CN=Someone Else With A Very Long Name That Needs Folding,OU=People,DC=corp'] }]]),
    newObject: (n) => ({ dn: `CN=New ${n},OU=People,DC=corp`, attrs: { cn: `New ${n}` } }),
  };
});

test('base64 values, line folding and comments are read', (t) => {
  const { entries, errors } = parseLdif(sample);
  t.deepEqual(errors, []);
  t.is(entries[0]!.attrs['description'], 'Ünal says hi');
  t.is((entries[1]!.attrs['member'] as string[])[1], 'CN=Someone Else With A Very Long Name That Needs Folding,OU=People,DC=corp');
});

test('written records fold long lines at 76 columns and read back as they were', (t) => {
  const long = `CN=${'x'.repeat(300)},DC=corp`;
  const accented = `Ünal ${'é'.repeat(120)}`;
  const text = contentRecord('CN=A,DC=corp', { member: [long, 'CN=B,DC=corp'], description: accented, exactly: 'y'.repeat(67), over: 'z'.repeat(71) });
  for (const l of text.split('\n')) t.true(l.length <= 76, l);
  t.true(text.includes(`exactly: ${'y'.repeat(67)}\n`), 'a line of exactly 76 characters is not folded');
  t.true(text.includes(`over: ${'z'.repeat(71)}\n`) === false, 'a line of 77 is');
  const [e] = parseLdif(`version: 1\n\n${text}`).entries;
  t.deepEqual(e?.attrs, { member: [long, 'CN=B,DC=corp'], description: accented, exactly: 'y'.repeat(67), over: 'z'.repeat(71) });
});

test('base64 values read back as written, one after another and longer than the buffer they go through', (t) => {
  const members = Array.from({ length: 50 }, (_, i) => `CN=Ünal ${'é'.repeat(i)} ${i},OU=Sales,DC=corp`);
  const huge = 'Ø'.repeat(70_000);
  const text = contentRecord('CN=Gruppe Größe,DC=corp', { member: members, description: huge, info: `${'a'.repeat(40_000)} ` });
  const [e] = parseLdif(`version: 1\n\n${text}`).entries;
  t.deepEqual(e?.attrs, { member: members, description: huge, info: `${'a'.repeat(40_000)} ` });
  t.is(e?.dn, 'CN=Gruppe Größe,DC=corp');
});

test('a URL value (:<) is refused, never read', (t) => {
  const { entries, errors } = parseLdif('dn: CN=x\nobjectGUID: 1\njpegPhoto:< file:///etc/passwd\n\ndn: CN=y\nobjectGUID: 2\n');
  t.is(entries.length, 1);
  t.regex(errors[0]!.message, /URL value/);
  t.is(errors[0]!.line, 3);
});

test('export writes RFC 2849 change records: add, modify with add/replace/delete, modrdn, delete', async (t) => {
  const { dir, agent } = await agentFor(sample);
  const res = await agent.export!([
    { id: '1', op: 'add', objectType: 'user', dn: 'CN=Bo,OU=People,DC=corp', anchor: null, changes: { cn: { op: 'replace', value: 'Bo' } } },
    { id: '2', op: 'update', objectType: 'group', dn: 'CN=Staff,OU=Groups,DC=corp', anchor: 'g2', changes: { member: { op: 'values', add: ['CN=Bo,OU=People,DC=corp'], remove: ['CN=Ann Lee,OU=People,DC=corp'] }, description: { op: 'replace', value: ' leading space' } } },
    { id: '3', op: 'update', objectType: 'user', dn: 'CN=Ann Lee,OU=People,DC=corp', anchor: 'g1', changes: {}, newDn: 'CN=Ann Smith,OU=Alumni,DC=corp' },
  ], { note() {} });
  t.true(res.every((r) => r.ok), JSON.stringify(res));
  await agent.export!([{ id: '4', op: 'delete', objectType: 'user', dn: 'CN=Ann Smith,OU=Alumni,DC=corp', anchor: 'g1', changes: {} }], { note() {} });
  const log = await readFile(join(dir, 'dir.changes.ldif'), 'utf8');
  t.regex(log, /dn: CN=Bo,OU=People,DC=corp\nchangetype: add\nobjectClass: user\ncn: Bo\nobjectGUID: [0-9a-f-]{36}\n/);
  t.regex(log, /changetype: modify\nadd: member\nmember: CN=Bo,OU=People,DC=corp\n-\ndelete: member\nmember: CN=Ann Lee,OU=People,DC=corp\n-\nreplace: description\ndescription:: IGxlYWRpbmcgc3BhY2U=\n-/);
  t.regex(log, /dn: CN=Ann Lee,OU=People,DC=corp\nchangetype: modrdn\nnewrdn: CN=Ann Smith\ndeleteoldrdn: 1\nnewsuperior: OU=Alumni,DC=corp/);
  t.regex(log, /dn: CN=Ann Smith,OU=Alumni,DC=corp\nchangetype: delete/);
  const state = await all(agent.fullImport(ictx));
  t.deepEqual(state.map((c) => (c.kind === 'object' ? c.object.dn : c.kind)).sort(), ['CN=Bo,OU=People,DC=corp', 'CN=Staff,OU=Groups,DC=corp']);
});

test('an entry without its anchor is an import error with file and line', async (t) => {
  const { agent } = await agentFor('dn: CN=x\nobjectClass: user\n\ndn: CN=y\nobjectGUID: 2\n');
  const changes = await all(agent.fullImport(ictx));
  const err = changes.find((c) => c.kind === 'error') as { message: string; line: number; file: string };
  t.regex(err.message, /CN=x has no objectGUID/);
  t.is(err.line, 1);
  t.true(err.file.endsWith('dir.ldif'));
});

test('CRLF line ends and a folded comment are read; a continuation after an empty line is an error with its line', (t) => {
  const { entries, errors } = parseLdif('version: 1\r\n# a comment that\r\n  goes on\r\ndn: CN=x\r\nobjectGUID: 1\r\ncn: Long\r\n  Name\r\n\r\n continued\r\ndn: CN=y\r\nobjectGUID: 2\r\n');
  t.deepEqual(entries.map((e) => [e.dn, e.line, e.attrs['cn'] ?? null]), [['CN=x', 4, 'Long Name'], ['CN=y', 10, null]]);
  t.is(errors.length, 1);
  t.is(errors[0]!.line, 9);
});

test('what an export put in the directory imports the same in this process as from the file, numbers and one-value lists included', async (t) => {
  const { dir, agent } = await agentFor('version: 1\n');
  await agent.export!([{ id: '1', op: 'add', objectType: 'user', dn: 'CN=Bo,DC=corp', anchor: null, changes: { cn: { op: 'replace', value: 'Bo' }, userAccountControl: { op: 'replace', value: 512 }, member: { op: 'values', add: ['CN=X,DC=corp'], remove: [] }, description: { op: 'values', add: [], remove: [] } } }], { note() {} });
  await agent.endExport?.();
  const objects = (changes: ImportChange[]) => changes.flatMap((c) => (c.kind === 'object' ? [c.object] : []));
  const here = objects(await all(agent.fullImport(ictx)));
  const fresh = objects(await all(createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir }).fullImport(ictx)));
  t.is(here.length, 1);
  t.like(here[0]!.attrs, { userAccountControl: '512', member: 'CN=X,DC=corp' });
  t.false('description' in here[0]!.attrs);
  t.deepEqual(here, fresh);
});

test('an export rewrites only the records it changed: the others keep their text, comments and folding included', async (t) => {
  const untouched = 'dn: CN=Staff,OU=Groups,DC=corp\nobjectClass: group\n# kept by hand\nobjectGUID: g2\nmember: CN=Someone Else,OU=Pe\n ople,DC=corp\n';
  const { dir, agent } = await agentFor(`version: 1\n\ndn: CN=Ann Lee,OU=People,DC=corp\nobjectClass: user\nobjectGUID: g1\ncn:Ann Lee\n\n${untouched}`);
  await agent.export!([{ id: '1', op: 'update', objectType: 'user', dn: 'CN=Ann Lee,OU=People,DC=corp', anchor: 'g1', changes: { description: { op: 'replace', value: 'new' } } }], { note() {} });
  await agent.endExport?.();
  const text = await readFile(join(dir, 'dir.ldif'), 'utf8');
  t.is(text, `version: 1\n\ndn: CN=Ann Lee,OU=People,DC=corp\nobjectClass: user\nobjectGUID: g1\ncn: Ann Lee\ndescription: new\n\n${untouched}`);
});

test('unchanged records one blank line apart are copied together; other gaps are not copied, and every record is found again', async (t) => {
  const rec = (n: string) => `dn: CN=${n},DC=corp\nobjectClass: user\nobjectGUID: ${n.toLowerCase()}\ncn: ${n}\n`;
  const { dir, agent } = await agentFor(`version: 1\n\n${rec('A')}\n\n${rec('B')}\n${rec('C')}\n${rec('D')}\n# a note\n${rec('E')}\n${rec('F')}`);
  await agent.export!([{ id: '1', op: 'update', objectType: 'user', dn: 'CN=C,DC=corp', anchor: 'c', changes: { description: { op: 'replace', value: 'new' } } }], { note() {} });
  await agent.endExport?.();
  const text = await readFile(join(dir, 'dir.ldif'), 'utf8');
  t.is(text, `version: 1\n\n${rec('A')}\n${rec('B')}\n${rec('C')}description: new\n\n${rec('D')}\n${rec('E')}\n${rec('F')}`);
  // The next agent reads the saved index: each record where the rewrite put it.
  const next = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
  for (const n of ['A', 'B', 'C', 'D', 'E', 'F']) t.is((await next.findObject!({ objectType: 'user', anchor: n.toLowerCase() }))?.attrs['cn'], n);
  t.is((await next.findObject!({ objectType: 'user', anchor: 'c' }))?.attrs['description'], 'new');
});

test('a second export in the same process copies unchanged records from the file as the first export left it', async (t) => {
  const { dir, agent } = await agentFor('version: 1\n\ndn: CN=A,DC=corp\nobjectClass: user\nobjectGUID: a\ncn: A\n\ndn: CN=B,DC=corp\nobjectClass: user\nobjectGUID: b\ncn: B\n\ndn: CN=C,DC=corp\nobjectClass: user\nobjectGUID: c\ncn: C\n');
  const update = (anchor: string, value: string) => agent.export!([{ id: anchor, op: 'update', objectType: 'user', dn: `CN=${anchor.toUpperCase()},DC=corp`, anchor, changes: { description: { op: 'replace', value } } }], { note() {} });
  const described = async () => {
    const { entries, errors } = parseLdif(await readFile(join(dir, 'dir.ldif'), 'utf8'));
    t.deepEqual(errors, []);
    return entries.map((e) => [e.dn, e.attrs['description'] ?? null]);
  };
  const longer = 'a much longer description that moves every record after it';
  await update('a', longer);
  await agent.endExport?.();
  await update('c', 'x');
  await agent.endExport?.();
  t.deepEqual(await described(), [['CN=A,DC=corp', longer], ['CN=B,DC=corp', null], ['CN=C,DC=corp', 'x']]);
  await update('b', 'y');
  await agent.endExport?.();
  t.deepEqual(await described(), [['CN=A,DC=corp', longer], ['CN=B,DC=corp', 'y'], ['CN=C,DC=corp', 'x']]);
});

test('attributes named as Object.prototype members are attributes like any other', (t) => {
  const { entries, errors } = parseLdif('dn: CN=x\nobjectGUID: 1\nconstructor: a\ntoString: b\ntoString: c\nhasOwnProperty: d\n');
  t.deepEqual(errors, []);
  t.deepEqual(entries[0]!.attrs, { objectGUID: '1', constructor: 'a', toString: ['b', 'c'], hasOwnProperty: 'd' });
});

test('read for its indexes, a file keeps only the attributes asked for, with the same errors as read whole', (t) => {
  const text = 'version: 1\n\ndn: CN=x\nobjectClass: user\nobjectGUID: 1\ncn: X\ndescription: folded\n  and not kept\n\ndn: CN=y\nbad line\n\ndn: CN=z\nphoto:< file:///etc/passwd\n\ndn: CN=w\nobjectGUID: 4\n 2\n';
  const whole = parseLdif(text);
  const parser = new LdifParser(new Set(['objectguid']));
  text.split('\n').forEach((l) => parser.push(l));
  const partial = parser.end();
  t.deepEqual(partial.errors.map((e) => [e.line, e.message]), whole.errors.map((e) => [e.line, e.message]));
  t.deepEqual(partial.entries.map((e) => [e.dn, e.attrs, e.partial ?? false]), [['CN=x', { objectGUID: '1' }, true], ['CN=w', { objectGUID: '42' }, false]]);
});

test('isValueInUse on an attribute the load did not keep reads the file again for it', async (t) => {
  const { agent } = await agentFor(sample);
  t.truthy(await agent.findObject!({ objectType: 'user', anchor: 'g1' }));
  t.true(await agent.isValueInUse!('user', 'cn', 'ann lee'));
  t.false(await agent.isValueInUse!('user', 'cn', 'Bo'));
  t.true(await agent.isValueInUse!('user', 'description', 'Ünal says hi'));
});

test('isValueInUse matches attribute names in any case, as LDAP does', async (t) => {
  const { agent } = await agentFor('version: 1\n\ndn: CN=Ann,DC=corp\nobjectClass: user\nobjectGUID: g1\nsAMAccountName: ann\n\ndn: CN=Bob,DC=corp\nobjectClass: user\nobjectGUID: g2\nSAMACCOUNTNAME: Bob\n');
  t.true(await agent.isValueInUse!('user', 'sAMAccountName', 'ANN'));
  t.true(await agent.isValueInUse!('user', 'samaccountname', 'bob'));
  t.false(await agent.isValueInUse!('user', 'sAMAccountName', 'cy'));
});

test('a file rewritten behind the agent between lookups is an error naming it, not another entry\'s values', async (t) => {
  // A padding entry larger than the agent's read-ahead block, so that g2 is read from the file as it is now.
  const padded = sample.replace('\ndn: CN=Staff', `\ndn: CN=Pad,DC=corp\nobjectClass: user\nobjectGUID: pad\ndescription: ${'x'.repeat(5 * 2 ** 20)}\n\ndn: CN=Staff`);
  const { dir, agent } = await agentFor(padded);
  t.is((await agent.findObject!({ objectType: 'user', anchor: 'g1' }))?.dn, 'CN=Ann Lee,OU=People,DC=corp');
  // Within the second in which lookups trust the file they loaded.
  await writeFile(join(dir, 'dir.ldif'), padded.replace('CN=Staff,OU=Groups', 'CN=Others,OU=Groups').replace('# a comment', '# a longer comment, moving every record'));
  await t.throwsAsync(agent.findObject!({ objectType: 'group', anchor: 'g2' }), { message: /dir\.ldif changed while in use: no longer holds CN=Staff,OU=Groups,DC=corp where it was/ });
});

test('isValueInUse before the directory file exists answers from what the exports put in memory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-'));
  const agent = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
  t.is(await agent.findObject!({ objectType: 'user', dn: 'CN=Bo,DC=corp' }), null);
  await agent.export!([{ id: '1', op: 'add', objectType: 'user', dn: 'CN=Bo,DC=corp', anchor: null, changes: { cn: { op: 'replace', value: 'Bo' } } }], { note() {} });
  t.true(await agent.isValueInUse!('user', 'cn', 'bo'));
  t.false(await agent.isValueInUse!('user', 'cn', 'Al'));
});

test('told which attributes isValueInUse will ask about, the agent keeps them on its first read and reads no more', async (t) => {
  const { dir, agent } = await agentFor(sample);
  agent.expectValueChecks!('user', ['cn']);
  t.truthy(await agent.findObject!({ objectType: 'user', anchor: 'g1' }));
  // Gone from under the agent: only a second read of the file would notice.
  await unlink(join(dir, 'dir.ldif'));
  t.true(await agent.isValueInUse!('user', 'cn', 'Ann Lee'));
});

/** Exports one change, so that the agent rewrites the file and saves its index beside it. */
async function rewritten(content: string) {
  const made = await agentFor(content);
  await made.agent.export!([{ id: '1', op: 'update', objectType: 'user', dn: 'CN=Ann Lee,OU=People,DC=corp', anchor: 'g1', changes: { description: { op: 'replace', value: 'new' } } }], { note() {} });
  await made.agent.endExport?.();
  const path = join(made.dir, 'dir.ldif');
  // Edits the file keeping its size and time, so that only what the load reads shows which it read.
  // The time is set to a whole second, which utimes gives back exactly, and the index is told it.
  const sameStamp = async (from: string, to: string) => {
    await writeFile(path, (await readFile(path, 'utf8')).replace(from, to));
    await utimes(path, 1_700_000_000, 1_700_000_000);
    // The index is a JSON line, then binary tables: only the line is rewritten.
    const index = await readFile(`${path}.index`);
    const nl = index.indexOf(10);
    const head = JSON.stringify({ ...JSON.parse(index.toString('utf8', 0, nl)), stamp: await fileStamp(path) });
    await writeFile(`${path}.index`, Buffer.concat([Buffer.from(head), index.subarray(nl)]));
  };
  const fresh = () => createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: made.dir });
  return { ...made, path, sameStamp, fresh };
}

test('after a rewrite, the next agent loads the directory from the index saved beside the file, not from the file', async (t) => {
  const { sameStamp, fresh } = await rewritten(sample);
  await sameStamp('objectGUID: g1', 'objectGUID: h1');
  const agent = fresh();
  // The index still names g1; a load that read the file would know only h1.
  t.is((await agent.findObject!({ objectType: 'user', anchor: 'g1' }))?.dn, 'CN=Ann Lee,OU=People,DC=corp');
  t.is(await agent.findObject!({ objectType: 'user', anchor: 'h1' }), null);
  t.deepEqual((await agent.findObject!({ objectType: 'group', anchor: 'g2' }))?.attrs['member'], ['CN=Ann Lee,OU=People,DC=corp', 'CN=Someone Else With A Very Long Name That Needs Folding,OU=People,DC=corp']);
});

test('an index the file no longer matches, a cut one, or one without an attribute the load keeps is not used', async (t) => {
  const changed = await rewritten(sample);
  await appendFile(changed.path, '\ndn: CN=Cy,DC=corp\nobjectClass: user\nobjectGUID: g3\n');
  t.truthy(await changed.fresh().findObject!({ objectType: 'user', anchor: 'g3' }));

  const cut = await rewritten(sample);
  const index = `${cut.path}.index`;
  await writeFile(index, (await readFile(index)).subarray(0, -8));
  await cut.sameStamp('objectGUID: g1', 'objectGUID: h1');
  t.truthy(await cut.fresh().findObject!({ objectType: 'user', anchor: 'h1' }));

  const narrow = await rewritten(sample);
  const agent = narrow.fresh();
  agent.expectValueChecks!('user', ['cn']);
  t.true(await agent.isValueInUse!('user', 'cn', 'Ann Lee'));
});

test('an attribute kept after loading from the index is read for every entry, the last one included', async (t) => {
  const { fresh } = await rewritten(`${sample}\ndn: CN=Zed,DC=corp\nobjectClass: user\nobjectGUID: g9\ncn: Zed\n`);
  const agent = fresh();
  // Loaded first, from the index: keeping cn then reads the file for it.
  t.truthy(await agent.findObject!({ objectType: 'user', anchor: 'g9' }));
  t.true(await agent.isValueInUse!('user', 'cn', 'Ann Lee'));
  t.true(await agent.isValueInUse!('user', 'cn', 'Zed'));
});

test('an index that cannot be written does not fail the export: the next agent reads the file', async (t) => {
  const { dir, agent } = await agentFor(sample);
  await mkdir(join(dir, 'dir.ldif.index.tmp'));
  await agent.export!([{ id: '1', op: 'update', objectType: 'user', dn: 'CN=Ann Lee,OU=People,DC=corp', anchor: 'g1', changes: { description: { op: 'replace', value: 'new' } } }], { note() {} });
  await t.notThrowsAsync(agent.endExport!());
  const fresh = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
  t.like((await fresh.findObject!({ objectType: 'user', anchor: 'g1' }))?.attrs, { description: 'new' });
});
