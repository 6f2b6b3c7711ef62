/**
 * The csv agent's saved index (format 2): each row's key and length in file
 * order. An index of another format, or whose lengths are not whole positive
 * numbers, is not used: the file is read whole instead.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvAgent } from '../../management-agents/csv/index.ts';
import type { ExportRequest } from '../../management-agents/index.ts';

const types = [{ name: 'appUser', anchor: ['employeeId'], attributes: ['employeeId', 'displayName', 'title'] }];
const make = (dir: string) => createCsvAgent({ name: 'app', settings: { path: 'app.csv' }, objectTypes: types, baseDir: dir });
const update = (id: string, title: string): ExportRequest => ({ id: `r${id}`, op: 'update', objectType: 'appUser', dn: `employeeId=${id}`, anchor: id, changes: { title: { op: 'replace', value: title } } });

async function exportOne(dir: string, req: ExportRequest): Promise<void> {
  const agent = make(dir);
  const [result] = await agent.export!([req], { note() {} });
  if (!result?.ok) throw new Error(`export failed: ${JSON.stringify(result)}`);
  await agent.endExport!();
}

interface Saved { format: number; stamp: string; start: number; keys: string[]; lengths: number[] }

/** The file after one export, its third row damaged behind the agent's back (same size), and the index made to name the file as it now is. */
async function damagedBehindIndex(t: { teardown(fn: () => Promise<void>): void }): Promise<{ dir: string; path: string; index: Saved }> {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-format-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'app.csv');
  await writeFile(path, 'employeeId,displayName,title\n1,Ann,a\n2,Bob,b\n3,Cy,c\n');
  await exportOne(dir, update('1', 'x'));
  await writeFile(path, (await readFile(path, 'utf8')).replace('3,Cy,c', '3,C,,c'));
  const { size, mtimeMs } = await stat(path);
  const index = { ...(JSON.parse(await readFile(`${path}.index`, 'utf8')) as Saved), stamp: `${size}:${mtimeMs}` };
  return { dir, path, index };
}

test('the index names each row by key and length, in the file\'s order, from the header\'s end to the file\'s', async (t) => {
  const { path, index } = await damagedBehindIndex(t);
  const text = await readFile(path, 'utf8');
  t.is(index.format, 2);
  t.deepEqual(index.keys, ['2', '3', '1']);
  t.is(index.start, 'employeeId,displayName,title\n'.length);
  t.is(index.start + index.lengths.reduce((a, b) => a + b, 0), Buffer.byteLength(text));
  t.deepEqual(index.lengths, ['2,Bob,b\n', '3,C,,c\n', '1,Ann,x\n'].map((l) => l.length));
});

test('a matching index is used: the damaged row is copied as bytes, not read', async (t) => {
  const { dir, path, index } = await damagedBehindIndex(t);
  await writeFile(`${path}.index`, JSON.stringify(index));
  await exportOne(dir, update('2', 'y'));
  t.is(await readFile(path, 'utf8'), 'employeeId,displayName,title\n3,C,,c\n1,Ann,x\n2,Bob,y\n');
});

for (const [name, change] of [
  ['a length that is not whole', (i: Saved) => ({ ...i, lengths: [i.lengths[0]! + 0.5, ...i.lengths.slice(1)] })],
  ['a length of 0', (i: Saved) => ({ ...i, lengths: [0, ...i.lengths.slice(1)] })],
  ['fewer lengths than keys', (i: Saved) => ({ ...i, lengths: i.lengths.slice(1) })],
  ['no start', (i: Saved) => ({ ...i, start: undefined })],
  ['format 1, a place per row', (i: Saved) => {
    let at = i.start;
    return { format: 1, stamp: i.stamp, delimiter: ',', anchor: ['employeeId'], header: 'employeeId,displayName,title', rows: i.keys.map((k, n) => [k, at, (at += i.lengths[n]!)]) };
  }],
] as const) {
  test(`an index with ${name} is not used: the file is read whole, and its damaged line is an error naming it`, async (t) => {
    const { dir, path, index } = await damagedBehindIndex(t);
    await writeFile(`${path}.index`, JSON.stringify(change(index)));
    const err = await t.throwsAsync(exportOne(dir, update('2', 'y')));
    t.regex(err!.message, /app\.csv: line 3 has 4 fields, its header 3/);
  });
}
