/**
 * The csv agent's saved index (format 3): a keys file numbering the rows as
 * they were when last numbered, and beside it each row's length in file
 * order, 0 for a row no longer there, and the keys of rows added since. An
 * index that does not match its keys file, or is cut, or of another format,
 * is not used: the file is read whole instead.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvAgent } from '../../management-agents/csv/index.ts';
import type { ExportRequest } from '../../management-agents/index.ts';
import { FrozenTable } from '../../data/frozen-table.ts';
import { restamp } from '../helpers/csv-index.ts';

const types = [{ name: 'appUser', anchor: ['employeeId'], attributes: ['employeeId', 'displayName', 'title'] }];
const make = (dir: string) => createCsvAgent({ name: 'app', settings: { path: 'app.csv' }, objectTypes: types, baseDir: dir });
const update = (id: string, title: string): ExportRequest => ({ id: `r${id}`, op: 'update', objectType: 'appUser', dn: `employeeId=${id}`, anchor: id, changes: { title: { op: 'replace', value: title } } });
const HEADER = 'employeeId,displayName,title\n';

async function exportOne(dir: string, req: ExportRequest): Promise<void> {
  const agent = make(dir);
  const [result] = await agent.export!([req], { note() {} });
  if (!result?.ok) throw new Error(`export failed: ${JSON.stringify(result)}`);
  await agent.endExport!();
}

interface Head { format: number; stamp: string; start: number; keys: string; base: number; extra: string[] }

/** The index's head and lengths, and the keys its keys file names, in row order. */
async function saved(path: string): Promise<{ head: Head; lengths: number[]; id: string; keys: string[] }> {
  const bytes = await readFile(`${path}.index`);
  const nl = bytes.indexOf(10);
  const lengths: number[] = [];
  for (let at = nl + 1; at < bytes.length; at += 4) lengths.push(bytes.readUInt32LE(at));
  const keysFile = await readFile(`${path}.index.keys`);
  const knl = keysFile.indexOf(10);
  const table = FrozenTable.of(keysFile.subarray(knl + 1), 'keys', (why) => new Error(why));
  const keys = Array.from({ length: table.size }, (_, r) => table.key(r));
  return { head: JSON.parse(bytes.toString('utf8', 0, nl)) as Head, lengths, id: keysFile.toString('utf8', 0, knl), keys };
}

/** A file of 40 rows, `i,Ni,t`, not exported to yet. */
async function fortyRows(t: { teardown(fn: () => Promise<void>): void }): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-format-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'app.csv');
  await writeFile(path, HEADER + Array.from({ length: 40 }, (_, i) => `${i},N${i},t\n`).join(''));
  return { dir, path };
}

/** The file after one export, its third row damaged behind the agent's back (same size), and the index made to name the file as it now is. */
async function damagedBehindIndex(t: { teardown(fn: () => Promise<void>): void }): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-format-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'app.csv');
  await writeFile(path, `${HEADER}1,Ann,a\n2,Bob,b\n3,Cy,c\n`);
  await exportOne(dir, update('1', 'x'));
  await writeFile(path, (await readFile(path, 'utf8')).replace('3,Cy,c', '3,C,,c'));
  await restamp(path);
  return { dir, path };
}

test('rows read from the lines are numbered afresh: the keys file names them in the file\'s order, and the lengths run from the header\'s end to the file\'s', async (t) => {
  const { path } = await damagedBehindIndex(t);
  const { head, lengths, keys } = await saved(path);
  t.is(head.format, 3);
  t.deepEqual(keys, ['2', '3', '1']);
  t.is(head.base, 3);
  t.deepEqual(head.extra, []);
  t.is(head.start, HEADER.length);
  t.deepEqual(lengths, ['2,Bob,b\n', '3,C,,c\n', '1,Ann,x\n'].map((l) => l.length));
  t.is(head.start + lengths.reduce((a, b) => a + b, 0), Buffer.byteLength(await readFile(path, 'utf8')));
});

test('a matching index is used: the damaged row is copied as bytes, not read, and the changed row moves to the end', async (t) => {
  const { dir, path } = await damagedBehindIndex(t);
  await exportOne(dir, update('2', 'y'));
  t.is(await readFile(path, 'utf8'), `${HEADER}3,C,,c\n1,Ann,x\n2,Bob,y\n`);
  // And read so by the next agent.
  await exportOne(dir, update('1', 'z'));
  t.is(await readFile(path, 'utf8'), `${HEADER}3,C,,c\n2,Bob,y\n1,Ann,z\n`);
});

test('once a quarter of the rows were added or removed since, the rows are numbered afresh in a new keys file', async (t) => {
  const { dir, path } = await fortyRows(t);
  await exportOne(dir, update('0', 'x'));
  const first = await saved(path);
  // The n-th update leaves a place and adds a row: 4 × 2n places and rows against 40 live rows renumbers at n = 6.
  for (const id of ['1', '2', '3', '4', '5']) await exportOne(dir, update(id, 'x'));
  const kept = await saved(path);
  t.is(kept.id, first.id);
  t.deepEqual(kept.head.extra, ['1', '2', '3', '4', '5']);
  t.deepEqual(kept.lengths, [0, 0, 0, 0, 0, ...first.lengths.slice(5), ...Array(5).fill('1,N1,x\n'.length)]);
  await exportOne(dir, update('6', 'x'));
  const fresh = await saved(path);
  t.not(fresh.id, first.id);
  t.deepEqual(fresh.head.extra, []);
  t.false(fresh.lengths.includes(0));
  t.deepEqual(fresh.keys, [...Array.from({ length: 33 }, (_, i) => String(i + 7)), '0', '1', '2', '3', '4', '5', '6']);
});

for (const [name, change] of [
  ['lengths cut short', async (path: string) => { const b = await readFile(`${path}.index`); await writeFile(`${path}.index`, b.subarray(0, b.length - 4)); }],
  ['another keys file', async (path: string) => { const b = await readFile(`${path}.index.keys`); await writeFile(`${path}.index.keys`, Buffer.concat([Buffer.from('{"keys":"another"}'), b.subarray(b.indexOf(10))])); }],
  ['no keys file', (path: string) => unlink(`${path}.index.keys`)],
  ['format 2, keys and lengths as JSON', (path: string) => writeFile(`${path}.index`, JSON.stringify({ format: 2, stamp: 'x', delimiter: ',', anchor: ['employeeId'], header: HEADER.trim(), start: HEADER.length, keys: ['2', '3', '1'], lengths: [8, 7, 8] }))],
] as const) {
  test(`an index with ${name} is not used: the file is read whole, and its damaged line is an error naming it`, async (t) => {
    const { dir, path } = await damagedBehindIndex(t);
    await change(path);
    const err = await t.throwsAsync(exportOne(dir, update('2', 'y')));
    t.regex(err!.message, /app\.csv: line 3 has 4 fields, its header 3/);
  });
}

test('an index saved under other columns places the rows, each then written out in full under the new columns, the places left empty skipped', async (t) => {
  const { dir, path } = await fortyRows(t);
  await exportOne(dir, update('0', 'x'));
  await exportOne(dir, update('1', 'x'));
  t.is((await saved(path)).lengths[0], 0, 'row 1 (numbered 0 by the first export) moved to the end, its place left empty');
  const wider = createCsvAgent({ name: 'app', settings: { path: 'app.csv' }, objectTypes: [{ ...types[0]!, attributes: [...types[0]!.attributes, 'mail'] }], baseDir: dir });
  const [result] = await wider.export!([update('2', 'y')], { note() {} });
  t.true(result?.ok);
  await wider.endExport!();
  const rows = Array.from({ length: 37 }, (_, i) => `${i + 3},N${i + 3},t,\n`).join('');
  t.is(await readFile(path, 'utf8'), `employeeId,displayName,title,mail\n${rows}0,N0,x,\n1,N1,x,\n2,N2,y,\n`);
});

test('a row changed again is found at its last place: the earlier one added since is left empty', async (t) => {
  const { dir, path } = await fortyRows(t);
  for (const [id, title] of [['0', 'x'], ['1', 'y'], ['1', 'z']] as const) await exportOne(dir, update(id, title));
  const { head, lengths } = await saved(path);
  t.deepEqual(head.extra, ['1', '1']);
  t.deepEqual(lengths.slice(-2), [0, '1,N1,z\n'.length]);
  const found = await make(dir).findObject!({ anchor: '1', objectType: 'appUser' });
  t.is(found?.attrs['title'], 'z');
  t.true((await readFile(path, 'utf8')).endsWith('\n0,N0,x\n1,N1,z\n'));
});

test('a row without its anchor is found under the empty key through the keys file, as through the lines', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-format-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'app.csv');
  await writeFile(path, `${HEADER},Nobody,t\n1,Ann,a\n`);
  const lines = await make(dir).findObject!({ anchor: '', objectType: 'appUser' });
  await exportOne(dir, update('1', 'x'));
  t.deepEqual((await saved(path)).keys, ['', '1']);
  const indexed = await make(dir).findObject!({ anchor: '', objectType: 'appUser' });
  t.is(indexed?.attrs['displayName'], 'Nobody');
  t.deepEqual(indexed, lines);
});

test('anchors that need quotes, hold a line break or are not ASCII are found through the keys file by the next agents', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-format-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // Enough plain rows that the updates below leave the rows numbered as they are: the keys file is read, not made again.
  const ids = ['Zoë', 'a,b', 'q"uote', 'line\nbreak', '日本', ...Array.from({ length: 60 }, (_, i) => `p${i}`)];
  const add = (id: string, i: number): ExportRequest => ({ id: `r${i}`, op: 'add', objectType: 'appUser', dn: `employeeId=${id}`, anchor: null, changes: { employeeId: { op: 'replace', value: id }, displayName: { op: 'replace', value: `N ${id}` } } });
  const first = make(dir);
  t.true((await first.export!(ids.map(add), { note() {} })).every((r) => r.ok));
  await first.endExport!();
  const { id: keys } = await saved(join(dir, 'app.csv'));
  for (const id of ids.slice(0, 5)) {
    await exportOne(dir, update(id, `T ${id}`));
    t.is((await make(dir).findObject!({ anchor: id, objectType: 'appUser' }))?.attrs['title'], `T ${id}`, JSON.stringify(id));
  }
  t.is((await saved(join(dir, 'app.csv'))).id, keys);
  t.true((await readFile(join(dir, 'app.csv'), 'utf8')).endsWith('"line\nbreak","N line\nbreak","T line\nbreak"\n日本,N 日本,T 日本\n'));
});
