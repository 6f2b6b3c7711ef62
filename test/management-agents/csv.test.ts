/** The csv agent: conformance, encodings, malformed rows, multi-valued columns, the formula guard, drop files. */
import test from 'ava';
import { mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAgent } from '../helpers/agent-conformance.ts';
import { createCsvAgent, neutralizeFormula } from '../../management-agents/csv/index.ts';
import type { ImportChange } from '../../management-agents/index.ts';
import type { Attributes } from '../../data/model.ts';

const types = [{ name: 'person', anchor: ['employeeId'], attributes: ['employeeId', 'givenName', 'sn', 'aliases'] }];

async function agentFor(content: string | Buffer, settings: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-'));
  await writeFile(join(dir, 'hr.csv'), content);
  return { dir, agent: createCsvAgent({ name: 'hr', settings: { path: 'hr.csv', ...settings }, objectTypes: types, baseDir: dir }) };
}

async function all(it: AsyncIterable<ImportChange>) {
  const out: ImportChange[] = [];
  for await (const c of it) out.push(c);
  return out;
}
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };
const objects = (cs: ImportChange[]) => cs.flatMap((c) => (c.kind === 'object' ? [c.object] : []));

testAgent('csv', async () => {
  const { agent } = await agentFor('employeeId,givenName,sn,aliases\n1,Ann,Lee,a;b\n2,Bob,"O\'Brien, Jr",\n', { 'multi-valued': ['aliases'] });
  return {
    agent,
    seeded: new Map<string, Attributes>([['1', { givenName: 'Ann', sn: 'Lee', aliases: ['a', 'b'] }], ['2', { givenName: 'Bob', sn: "O'Brien, Jr" }]]),
    newObject: (n) => ({ dn: `employeeId=9${n}`, attrs: { employeeId: `9${n}`, givenName: 'New' } }),
  };
});

const text = 'employeeId,givenName,sn\n1,Zoë,Ünal\n2,José,Ñúñez\n';

test('UTF-8 with and without BOM, UTF-16 LE with BOM, Windows-1252 by setting', async (t) => {
  const variants: [string, Buffer, Record<string, unknown>][] = [
    ['utf8', Buffer.from(text, 'utf8'), {}],
    ['utf8 bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), {}],
    ['utf16le bom', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), {}],
    ['windows-1252', Buffer.from(text, 'latin1'), { encoding: 'windows-1252' }],
  ];
  for (const [label, bytes, settings] of variants) {
    const { agent } = await agentFor(bytes, settings);
    const got = objects(await all(agent.fullImport(ictx)));
    t.deepEqual(got.map((o) => [o.anchor, o.attrs['givenName'], o.attrs['sn']]), [['1', 'Zoë', 'Ünal'], ['2', 'José', 'Ñúñez']], label);
  }
});

test('Windows-1252 bytes read as UTF-8 fail with a clear message', async (t) => {
  const { agent } = await agentFor(Buffer.from(text, 'latin1'));
  await t.throwsAsync(all(agent.fullImport(ictx)), { message: /not valid UTF-8 .*windows-1252/ });
});

test('a bad row is an import error with file and line; the other rows go on', async (t) => {
  const { agent } = await agentFor('employeeId,givenName,sn\n1,Ann,Lee\n2,Bob\n3,"Unclosed,x\n4,Dan,Day\n,NoAnchor,x\n');
  const changes = await all(agent.fullImport(ictx));
  const errors = changes.filter((c) => c.kind === 'error') as Extract<ImportChange, { kind: 'error' }>[];
  t.deepEqual(objects(changes).map((o) => o.anchor), ['1'], 'rows after an unclosed quote are swallowed by csv-parse into that error');
  t.true(errors.length >= 2);
  t.true(errors.every((e) => e.file!.endsWith('hr.csv') && typeof e.line === 'number'));
  t.true(errors.some((e) => e.line === 3 && /number of fields/.test(e.message)));
});

test('a missing anchor value is an error naming the line', async (t) => {
  const { agent } = await agentFor('employeeId,givenName,sn\n1,Ann,Lee\n,NoAnchor,x\n4,Dan,Day\n');
  const changes = await all(agent.fullImport(ictx));
  t.deepEqual(objects(changes).map((o) => o.anchor), ['1', '4']);
  const err = changes.find((c) => c.kind === 'error') as Extract<ImportChange, { kind: 'error' }>;
  t.is(err.line, 3);
  t.regex(err.message, /no value for anchor column employeeId/);
});

test('anchors from several columns, a custom delimiter and quote', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-'));
  await writeFile(join(dir, 'hr.csv'), "co;id;name\nA;1;'x;y'\nB;1;z\n");
  const agent = createCsvAgent({ name: 'hr', settings: { path: 'hr.csv', delimiter: ';', quote: "'" }, objectTypes: [{ name: 'p', anchor: ['co', 'id'], attributes: ['name'] }], baseDir: dir });
  const got = objects(await all(agent.fullImport(ictx)));
  t.deepEqual(got.map((o) => [o.anchor, o.attrs['name']]), [['A|1', 'x;y'], ['B|1', 'z']]);
});

test('a drop file of changed rows is a delta import, with deletes', async (t) => {
  const { dir, agent } = await agentFor('employeeId,givenName\n1,Ann\n', { delta: 'drop' });
  await writeFile(join(dir, 'hr.delta.csv'), 'changeType,employeeId,givenName\nupdate,1,Anne\ndelete,7,\n');
  const changes = await all(agent.deltaImport!(ictx));
  t.deepEqual(changes.map((c) => (c.kind === 'object' ? `upsert ${c.object.anchor} ${c.object.attrs['givenName']}` : c.kind === 'delete' ? `delete ${c.anchor}` : 'error')), ['upsert 1 Anne', 'delete 7']);
});

test('export neutralises spreadsheet formula injection', async (t) => {
  t.is(neutralizeFormula('=HYPERLINK("http://x")'), `'=HYPERLINK("http://x")`);
  for (const c of ['+1', '-1+2', '@SUM(A1)', '\tx']) t.true(neutralizeFormula(c).startsWith("'"), c);
  t.is(neutralizeFormula('Ann'), 'Ann');
  const { dir, agent } = await agentFor('employeeId,givenName\n', { 'export-path': 'app.csv' });
  await agent.export!([{ id: 'a', op: 'add', objectType: 'person', dn: 'employeeId=1', anchor: null, changes: { employeeId: { op: 'replace', value: '1' }, givenName: { op: 'replace', value: '=cmd|"/c calc"!A1' } } }], { note() {} });
  await agent.endExport!();
  const out = await readFile(join(dir, 'app.csv'), 'utf8');
  t.true(out.includes(`"'=cmd|""/c calc""!A1"`), out);
});

test('export in changes mode appends change rows', async (t) => {
  const { dir, agent } = await agentFor('employeeId,givenName\n', { 'export-path': 'changes.csv', 'export-mode': 'changes' });
  await agent.export!([{ id: 'a', op: 'add', objectType: 'person', dn: 'employeeId=1', anchor: null, changes: { employeeId: { op: 'replace', value: '1' }, givenName: { op: 'replace', value: 'Ann' } } }], { note() {} });
  await agent.export!([{ id: 'a', op: 'delete', objectType: 'person', dn: 'employeeId=1', anchor: '1', changes: {} }], { note() {} });
  const out = await readFile(join(dir, 'changes.csv'), 'utf8');
  t.is(out, 'changeType,employeeId,givenName,sn,aliases\nadd,1,Ann,,\ndelete,1,,,\n');
});

test('header mapping renames file columns to attribute names', async (t) => {
  const { agent } = await agentFor('Employee ID,First Name,sn\n7,Ann,Lee\n', { 'header-map': ['Employee ID=employeeId', 'First Name=givenName'] });
  const [o] = objects(await all(agent.fullImport(ictx)));
  t.is(o!.anchor, '7');
  t.deepEqual(o!.attrs, { employeeId: '7', givenName: 'Ann', sn: 'Lee' });
});

test('each drop file is read once: a full import counts the one present as read, a delta import the one it read', async (t) => {
  const { dir, agent } = await agentFor('employeeId,givenName\n1,Ann\n', { delta: 'drop' });
  let mark = null as string | null;
  const ctx = { ...ictx, setWatermark: (w: string | null) => { mark = w; } };
  const run = async (full: boolean) => (await all((full ? agent.fullImport : agent.deltaImport!)({ ...ctx, watermark: mark }))).length;
  t.is(await run(true), 1);
  t.is(mark, 'none');
  t.is(await run(false), 0, 'no drop file yet');
  await writeFile(join(dir, 'hr.delta.csv'), 'changeType,employeeId,givenName\nupdate,1,Anne\n');
  t.is(await run(false), 1);
  t.is(await run(false), 0, 'the same drop file again: already read');
  await writeFile(join(dir, 'hr.delta.csv'), 'changeType,employeeId,givenName\nupdate,1,Anna\nadd,2,Bob\n');
  t.is(await run(false), 2, 'a new drop file');
  await writeFile(join(dir, 'hr.delta.csv'), 'changeType,employeeId,givenName\nupdate,1,Ann\n');
  t.is(await run(true), 1, 'a full import reads the extract');
  t.is(await run(false), 0, 'and counts the drop file present as read');
});

test('a drop file the source writes while an import runs is not lost: the next delta import reads it', async (t) => {
  const { dir, agent } = await agentFor('employeeId,givenName\n1,Ann\n2,Bob\n', { delta: 'drop' });
  let mark = null as string | null;
  const ctx = { ...ictx, setWatermark: (w: string | null) => { mark = w; } };
  // A source that replaces its files whole (a new file renamed over the old), as an export job does.
  const drop = async (text: string) => { await writeFile(join(dir, 'next.csv'), text); await rename(join(dir, 'next.csv'), join(dir, 'hr.delta.csv')); };
  const names = (cs: ImportChange[]) => objects(cs).map((o) => `${o.anchor} ${o.attrs['givenName']}`);
  // Stops after the first row, lets the source write, then reads on.
  const interrupted = async (full: boolean, meanwhile: () => Promise<void>) => {
    const it = (full ? agent.fullImport : agent.deltaImport!)({ ...ctx, watermark: mark })[Symbol.asyncIterator]();
    const out: ImportChange[] = [];
    const first = await it.next();
    if (!first.done) out.push(first.value);
    await meanwhile();
    for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value);
    return out;
  };
  await drop('changeType,employeeId,givenName\nupdate,1,Ann\n');
  const full = await interrupted(true, () => drop('changeType,employeeId,givenName\nupdate,1,Anne\nadd,3,Cy\n'));
  t.deepEqual(names(full), ['1 Ann', '2 Bob'], 'the full import reads the extract as it was');
  t.deepEqual(names(await all(agent.deltaImport!({ ...ctx, watermark: mark }))), ['1 Anne', '3 Cy'], 'the drop file written during it is read next');
  const delta = await interrupted(false, () => drop('changeType,employeeId,givenName\nupdate,2,Bea\n'));
  t.deepEqual(names(delta), [], 'the drop file already read is not read again');
  t.deepEqual(names(await all(agent.deltaImport!({ ...ctx, watermark: mark }))), ['2 Bea']);
  await drop('changeType,employeeId,givenName\nupdate,1,Anna\nupdate,2,Bo\n');
  const mixed = await interrupted(false, () => drop('changeType,employeeId,givenName\nupdate,1,Ana\n'));
  t.deepEqual(names(mixed), ['1 Anna', '2 Bo'], 'one drop file, as it was when the import began');
  t.deepEqual(names(await all(agent.deltaImport!({ ...ctx, watermark: mark }))), ['1 Ana'], 'then the one that replaced it');
});

test('a drop file that cannot be read stops the delta import with its name, rather than reading as no drop file', async (t) => {
  const { dir, agent } = await agentFor('employeeId,givenName\n1,Ann\n', { delta: 'drop' });
  // A directory where the drop file should be: unreadable as a file even for root.
  await mkdir(join(dir, 'hr.delta.csv'));
  await t.throwsAsync(all(agent.deltaImport!(ictx)), { message: /\[hr\] cannot read .*hr\.delta\.csv: EISDIR/ });
});
