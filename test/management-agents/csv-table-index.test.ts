/**
 * The csv agent's export file in full mode, with the index of its rows'
 * places saved beside it: the next agent (the next process) looks rows up
 * there and copies unchanged rows as bytes, and writes exactly the file it
 * writes without the index.
 */
import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvAgent } from '../../management-agents/csv/index.ts';
import { prng } from '../../data/demo/people.ts';
import type { ExportRequest, ImportChange } from '../../management-agents/index.ts';
import { restamp } from '../helpers/csv-index.ts';

const types = [{ name: 'appUser', anchor: ['employeeId'], attributes: ['employeeId', 'displayName', 'title'] }];
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };
const make = (dir: string) => createCsvAgent({ name: 'app', settings: { path: 'app.csv' }, objectTypes: types, baseDir: dir });
const request = (op: ExportRequest['op'], id: string, anchor: string | undefined, changes: ExportRequest['changes']): ExportRequest => ({ id: `r${id}`, op, objectType: 'appUser', dn: `employeeId=${id}`, anchor: anchor ?? null, changes });

async function rowsOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const c of make(dir).fullImport(ictx) as AsyncIterable<ImportChange>) out.push(c.kind === 'object' ? `${c.object.anchor}|${JSON.stringify(c.object.attrs)}` : `error ${c.kind === 'error' ? c.message : c.kind}`);
  return out;
}

test('over seeded exports in new processes, the file written from the saved index is the file written without it, byte for byte', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'idsync-csv-index-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const random = prng(3);
  // Values that need quotes (a delimiter, a quote, a line break) as well as plain ones.
  const value = () => ['Ann', 'Bob, Jr.', 'Cy "C" Third', 'Dee\nsecond', 'Eve', `Zoë ${Math.floor(random() * 100)}`][Math.floor(random() * 6)]!;
  const indexed = join(root, 'indexed');
  const plain = join(root, 'plain');
  await mkdir(indexed);
  await mkdir(plain);
  const held = new Set<string>();
  let next = 1;
  let usedIndex = 0;
  // Keys files: the same one read on (rows added at the end), or rows numbered afresh.
  const ids: string[] = [];
  for (let run = 0; run < 16; run++) {
    const batch: ExportRequest[] = [];
    // Enough rows first that a few changes leave them numbered as they are.
    for (let k = 0; k < (run === 0 ? 200 : 8); k++) {
      const pick = [...held][Math.floor(random() * held.size)];
      const roll = random();
      if (!pick || roll < 0.35 || run === 0) {
        const id = String(next++);
        held.add(id);
        batch.push(request('add', id, undefined, { employeeId: { op: 'replace', value: id }, displayName: { op: 'replace', value: value() }, title: { op: 'replace', value: value() } }));
      } else if (roll < 0.5) {
        held.delete(pick);
        batch.push(request('delete', pick, pick, {}));
      } else if (roll < 0.6) {
        // A rename: the anchor column changes.
        const id = String(next++);
        held.delete(pick);
        held.add(id);
        batch.push(request('update', pick, pick, { employeeId: { op: 'replace', value: id } }));
      } else batch.push(request('update', pick, pick, { [random() < 0.5 ? 'displayName' : 'title']: { op: 'replace', value: value() } }));
    }
    for (const dir of [indexed, plain]) {
      if (dir === plain) await unlink(join(dir, 'app.csv.index')).catch(() => undefined);
      else if (await stat(join(dir, 'app.csv.index')).then(() => true, () => false)) usedIndex++;
      const agent = make(dir);
      const results = await agent.export!(batch, { note() {} });
      t.true(results.every((r) => r.ok), `run ${run}: ${JSON.stringify(results.filter((r) => !r.ok))}`);
      await agent.endExport!();
    }
    t.is(await readFile(join(indexed, 'app.csv'), 'utf8'), await readFile(join(plain, 'app.csv'), 'utf8'), `run ${run}`);
    ids.push((await readFile(join(indexed, 'app.csv.index.keys'), 'latin1')).split('\n', 1)[0]!);
  }
  t.true(usedIndex >= 14, `the index was there for most runs (${usedIndex})`);
  const renumbered = ids.filter((id, i) => i > 0 && id !== ids[i - 1]).length;
  t.true(renumbered >= 1 && renumbered <= 8, `rows numbered afresh ${renumbered} times in 15 runs`);
  t.deepEqual(await rowsOf(indexed), await rowsOf(plain));
  t.is((await rowsOf(indexed)).length, held.size);
});

test('a new agent reads the rows it uses from the index\'s places, not every line; a file changed since (another stamp) is read whole again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-index-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'app.csv');
  await writeFile(path, 'employeeId,displayName,title\n1,Ann,a\n2,Bob,b\n3,Cy,c\n');
  const first = make(dir);
  await first.export!([request('update', '1', '1', { title: { op: 'replace', value: 'x' } })], { note() {} });
  await first.endExport!();
  t.truthy(await readFile(`${path}.index`, 'utf8'));
  // Row 3 damaged behind the agent's back, its size kept, and the index made to name the file as it now is.
  await writeFile(path, (await readFile(path, 'utf8')).replace('3,Cy,c', '3,C,,c'));
  await restamp(path);
  const second = make(dir);
  t.true((await second.export!([request('update', '2', '2', { title: { op: 'replace', value: 'y' } })], { note() {} }))[0]!.ok, 'the damaged line is not read');
  await second.endExport!();
  t.is(await readFile(path, 'utf8'), 'employeeId,displayName,title\n3,C,,c\n1,Ann,x\n2,Bob,y\n', 'copied as bytes');
  // Now the file's size differs from what the index names: every line is read, and the damaged one is an error naming it.
  await writeFile(path, `${await readFile(path, 'utf8')}4,Dee,d\n`);
  const err = await t.throwsAsync(make(dir).export!([request('update', '2', '2', { title: { op: 'replace', value: 'z' } })], { note() {} }));
  t.regex(err!.message, /app\.csv: line 2 has 4 fields, its header 3/);
});

// Serial: the count of open files is the process's, and this file's other tests open theirs at the same time.
test.serial('closing the agent lets go of the file and the keys file it reads in pages; used again, it reads them anew', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-index-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'app.csv');
  await writeFile(path, 'employeeId,displayName,title\n' + Array.from({ length: 50 }, (_, i) => `${i},N${i},t\n`).join(''));
  const first = make(dir);
  await first.export!([request('update', '0', '0', { title: { op: 'replace', value: 'x' } })], { note() {} });
  await first.endExport!();
  await first.close!();
  const open = async () => (await readdir('/proc/self/fd').catch(() => [])).length;
  const before = await open();
  const agent = make(dir);
  t.true((await agent.export!([request('update', '1', '1', { title: { op: 'replace', value: 'y' } })], { note() {} }))[0]!.ok);
  await agent.endExport!();
  t.is((await agent.findObject!({ anchor: '2', objectType: 'appUser' }))?.attrs['displayName'], 'N2', 'a row read through the keys file');
  if (before > 0) t.true((await open()) > before, 'the keys file and the file are open while the agent reads them');
  await agent.close!();
  if (before > 0) t.is(await open(), before);
  t.true((await agent.export!([request('update', '2', '2', { title: { op: 'replace', value: 'z' } })], { note() {} }))[0]!.ok);
  await agent.endExport!();
  await agent.close!();
  t.true((await readFile(path, 'utf8')).endsWith('\n0,N0,x\n1,N1,y\n2,N2,z\n'));
});
