/**
 * The csv agent's export file in full mode, as the agent reads and rewrites
 * it: quoted records parsed as csv-parse reads them, plain ones split when
 * used, and rows an export did not change written back as the file held them.
 */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvAgent } from '../../management-agents/csv/index.ts';
import type { ExportRequest, ImportChange } from '../../management-agents/index.ts';

const types = [{ name: 'appUser', anchor: ['employeeId'], attributes: ['employeeId', 'displayName'] }];
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };
const update = (id: string, name: string): ExportRequest => ({ id: `c${id}`, op: 'update', objectType: 'appUser', dn: `employeeId=${id}`, anchor: id, changes: { displayName: { op: 'replace', value: name } } });

async function app(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-table-'));
  const path = join(dir, 'app.csv');
  await writeFile(path, text);
  return { path, agent: createCsvAgent({ name: 'app', settings: { path: 'app.csv' }, objectTypes: types, baseDir: dir }) };
}

async function names(agent: ReturnType<typeof createCsvAgent>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of agent.fullImport(ictx) as AsyncIterable<ImportChange>) out.push(c.kind === 'object' ? `${c.object.anchor}=${String(c.object.attrs['displayName'])}` : `error ${c.kind === 'error' ? c.message : c.kind}`);
  return out;
}

const rows = ['1,Ann', '2,"Bob, Jr."', '3,"Cy ""the"" Third"', '4,"Dee\nsecond line"', '5,"Eve\n\nafter an empty line"', '6,-7'];

test('quoted records (a delimiter, a doubled quote, line breaks) and plain ones are read right; rows not changed are written back as the file held them', async (t) => {
  const { path, agent } = await app(`employeeId,displayName\n${rows.join('\n')}\n\n7,Fay\n`);
  const results = await agent.export!([update('1', 'Anne'), update('4', 'Dee "D"')], { note() {} });
  t.true(results.every((r) => r.ok));
  await agent.endExport!();
  // A changed row moves to the end, as the table has always written it.
  t.is(await readFile(path, 'utf8'), `employeeId,displayName\n${rows.slice(1, 3).join('\n')}\n${rows.slice(4).join('\n')}\n7,Fay\n1,Anne\n4,"Dee ""D"""\n`);
  t.deepEqual(await names(agent), ['2=Bob, Jr.', '3=Cy "the" Third', '5=Eve\n\nafter an empty line', '6=-7', '7=Fay', '1=Anne', '4=Dee "D"']);
});

test('an update finds a quoted row by its anchor and keeps its other fields', async (t) => {
  const { path, agent } = await app('employeeId,displayName\n"2","Bob, Jr."\n3,Cy\n');
  t.true((await agent.export!([update('2', 'Bobby')], { note() {} }))[0]!.ok);
  await agent.endExport!();
  t.is(await readFile(path, 'utf8'), 'employeeId,displayName\n3,Cy\n2,Bobby\n');
});

for (const [what, text, message] of [
  ['a row with more fields than its header', 'employeeId,displayName\n1,Ann\n2,Bob,extra\n', /app\.csv: line 3 has 3 fields, its header 2/],
  ['a row with fewer fields than its header', 'employeeId,displayName\n1,Ann\n2\n', /app\.csv: line 3 has 1 fields, its header 2/],
  ['a quoted record csv-parse cannot read', 'employeeId,displayName\n1,"Ann"\n2,"Bo"b"\n3,"Cy"\n4,Dee\n', /app\.csv: line 3: /],
] as const) {
  test(`${what} stops the export, naming the file and line; the file is not changed`, async (t) => {
    const { path, agent } = await app(text);
    const err = await t.throwsAsync(agent.export!([update('1', 'Anne')], { note() {} }));
    t.regex(err!.message, message);
    t.is(await readFile(path, 'utf8'), text);
  });
}

test('a file whose header is not the configured columns is written with the configured ones', async (t) => {
  const { path, agent } = await app('displayName,employeeId\nAnn,1\nBob,2\n');
  await agent.export!([update('2', 'Bobby')], { note() {} });
  await agent.endExport!();
  t.is(await readFile(path, 'utf8'), 'employeeId,displayName\n1,Ann\n2,Bobby\n');
});

test('a plain row is found by its anchor field wherever the header puts it, the last of a repeated name, as a record reads it', async (t) => {
  const { path, agent } = await app('displayName,employeeId,employeeId\nAnn,9,1\nBob,8,2\n');
  t.true((await agent.export!([update('2', 'Bobby')], { note() {} }))[0]!.ok);
  await agent.endExport!();
  t.is(await readFile(path, 'utf8'), 'employeeId,displayName\n1,Ann\n2,Bobby\n');
});

test('a plain row of a two-column anchor is found by both fields, in the anchor\'s order whatever the header\'s', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-table-'));
  await writeFile(join(dir, 'app.csv'), 'displayName,region,employeeId\nAnn,eu,1\nBob,us,1\n');
  const two = [{ name: 'appUser', anchor: ['employeeId', 'region'], attributes: ['displayName'] }];
  const agent = createCsvAgent({ name: 'app', settings: { path: 'app.csv' }, objectTypes: two, baseDir: dir });
  const req: ExportRequest = { id: 'c', op: 'update', objectType: 'appUser', dn: 'employeeId=1', anchor: '1|us', changes: { displayName: { op: 'replace', value: 'Bobby' } } };
  t.true((await agent.export!([req], { note() {} }))[0]!.ok);
  await agent.endExport!();
  t.is(await readFile(join(dir, 'app.csv'), 'utf8'), 'employeeId,region,displayName\n1,eu,Ann\n1,us,Bobby\n');
});
