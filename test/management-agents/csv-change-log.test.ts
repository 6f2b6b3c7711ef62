/** A csv agent that writes the file it imports confirms its exports from its own change log, and falls back to a full import when the log cannot say. */
import test from 'ava';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvAgent } from '../../management-agents/csv/index.ts';
import type { ExportRequest, ImportChange, ImportContext } from '../../management-agents/index.ts';

const types = [{ name: 'appUser', anchor: ['employeeId'], attributes: ['employeeId', 'displayName'] }];

async function app() {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-app-'));
  await writeFile(join(dir, 'app.csv'), 'employeeId,displayName\n1,Ann\n2,Bob\n3,Cy\n');
  const make = () => createCsvAgent({ name: 'app', settings: { path: 'app.csv' }, objectTypes: types, baseDir: dir });
  return { dir, make };
}

/** Runs an import as the engine does, keeping the watermark and what the agent noted. */
function importer() {
  const state = { watermark: null as string | null, notes: [] as string[], full: false };
  const ctx = (): ImportContext => ({ pageSize: 10, watermark: state.watermark, setWatermark: (w) => { state.watermark = w; }, note: (m) => state.notes.push(m), becameFull: () => { state.full = true; } });
  const run = async (it: (c: ImportContext) => AsyncIterable<ImportChange>) => {
    state.full = false;
    const out: string[] = [];
    for await (const c of it(ctx())) out.push(c.kind === 'object' ? `${c.object.anchor} ${String(c.object.attrs['displayName'])}` : c.kind === 'delete' ? `delete ${c.anchor}` : `error ${c.message}`);
    return out;
  };
  return { state, run };
}

const add = (id: string, name: string): ExportRequest => ({ id: `c${id}`, op: 'add', objectType: 'appUser', dn: `employeeId=${id}`, anchor: null, changes: { employeeId: { op: 'replace', value: id }, displayName: { op: 'replace', value: name } } });
const update = (id: string, name: string): ExportRequest => ({ id: `c${id}`, op: 'update', objectType: 'appUser', dn: `employeeId=${id}`, anchor: id, changes: { displayName: { op: 'replace', value: name } } });
const remove = (id: string): ExportRequest => ({ id: `c${id}`, op: 'delete', objectType: 'appUser', dn: `employeeId=${id}`, anchor: id, changes: {} });

test('a delta import after an export gives the rows it added, changed and removed, and nothing the next time', async (t) => {
  const { make } = await app();
  const agent = make();
  t.true(agent.capabilities.deltaImport);
  const { state, run } = importer();
  t.deepEqual(await run(agent.fullImport), ['1 Ann', '2 Bob', '3 Cy']);
  t.truthy(state.watermark);
  await agent.export!([add('4', 'Dee'), update('2', 'Bobby')], { note() {} });
  await agent.export!([remove('3')], { note() {} });
  await agent.endExport!();
  t.deepEqual((await run(agent.deltaImport!)).sort(), ['2 Bobby', '4 Dee', 'delete 3']);
  t.false(state.full);
  t.deepEqual(await run(agent.deltaImport!), [], 'nothing exported since');
  // Another process, reading the log from the same watermark.
  await agent.export!([update('1', 'Anne')], { note() {} });
  await agent.endExport!();
  t.deepEqual(await run(make().deltaImport!), ['1 Anne']);
});

test('exports journaled before a crash are logged when the next process folds them', async (t) => {
  const { make } = await app();
  const { run } = importer();
  await run(make().fullImport);
  const crashed = make();
  await crashed.export!([update('1', 'Anne'), add('5', 'Eve'), remove('3')], { note() {} }); // no endExport: the batch is only journaled
  t.deepEqual((await run(make().deltaImport!)).sort(), ['1 Anne', '5 Eve', 'delete 3']);
});

test('a file changed other than by the agent, or a damaged log, makes the delta import full, saying why', async (t) => {
  const { dir, make } = await app();
  const agent = make();
  const { state, run } = importer();
  await run(agent.fullImport);
  await agent.export!([update('1', 'Anne')], { note() {} });
  await agent.endExport!();
  await appendFile(join(dir, 'app.csv'), '9,Hand Added\n');
  t.deepEqual((await run(make().deltaImport!)).sort(), ['1 Anne', '2 Bob', '3 Cy', '9 Hand Added']);
  t.true(state.full);
  t.regex(state.notes.at(-1)!, /app\.csv was changed other than by this agent's exports: ran a full import/);
  t.deepEqual(await run(make().deltaImport!), [], 'the full import set a watermark to go on from');
  await appendFile(join(dir, 'app.csv.changes'), 'not json\n');
  t.is((await run(make().deltaImport!)).length, 4);
  t.regex(state.notes.at(-1)!, /app\.csv\.changes: the line at byte \d+ is not a rewrite this agent wrote: ran a full import/);
  const log = await readFile(join(dir, 'app.csv.changes'), 'utf8');
  await writeFile(join(dir, 'app.csv.changes'), log.slice(0, 10));
  t.is((await run(make().deltaImport!)).length, 4);
  t.regex(state.notes.at(-1)!, /is shorter than at the last import: ran a full import/);
});
