/**
 * File targets (LDIF directory, CSV app in full mode) journal each export batch
 * and rewrite their file once per step: answers are durable before the step
 * ends, a journal replayed twice changes nothing, and damage is named.
 */
import test from 'ava';
import { access, copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import { createCsvAgent } from '../../management-agents/csv/index.ts';
import type { ExportRequest, ImportChange, ManagementAgent } from '../../management-agents/index.ts';

const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };
const exists = (p: string) => access(p).then(() => true, () => false);
async function objects(agent: ManagementAgent) {
  const out: string[] = [];
  for await (const c of agent.fullImport(ictx) as AsyncIterable<ImportChange>) {
    if (c.kind === 'error') throw new Error(c.message);
    if (c.kind === 'object') out.push(`${c.object.dn} ${JSON.stringify(c.object.attrs['cn'] ?? c.object.attrs['givenName'])}`);
  }
  return out.sort();
}

interface Target { name: string; file: string; make: (dir: string) => ManagementAgent; seed: string; batches: ExportRequest[][] }
const targets: Target[] = [
  {
    name: 'ldif',
    file: 'dir.ldif',
    make: (dir) => createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: [{ name: 'user', anchor: ['objectGUID'], attributes: ['cn'] }], baseDir: dir }),
    seed: 'version: 1\n\ndn: CN=Ann,DC=corp\nobjectClass: user\nobjectGUID: g1\ncn: Ann\n\ndn: CN=Old,DC=corp\nobjectClass: user\nobjectGUID: g0\ncn: Old\n',
    batches: [
      [{ id: '1', op: 'add', objectType: 'user', dn: 'CN=Bo,DC=corp', anchor: null, changes: { cn: { op: 'replace', value: 'Bo' } } }],
      [
        { id: '2', op: 'update', objectType: 'user', dn: 'CN=Ann,DC=corp', anchor: 'g1', changes: { cn: { op: 'replace', value: 'Ann Lee' } }, newDn: 'CN=Ann Lee,DC=corp' },
        { id: '3', op: 'delete', objectType: 'user', dn: 'CN=Old,DC=corp', anchor: 'g0', changes: {} },
      ],
    ],
  },
  {
    name: 'csv',
    file: 'app.csv',
    make: (dir) => createCsvAgent({ name: 'app', settings: { path: 'app.csv' }, objectTypes: [{ name: 'person', anchor: ['employeeId'], attributes: ['givenName'] }], baseDir: dir }),
    seed: 'employeeId,givenName\n1,Ann\n0,Old\n',
    batches: [
      [{ id: '1', op: 'add', objectType: 'person', dn: 'employeeId=2', anchor: null, changes: { employeeId: { op: 'replace', value: '2' }, givenName: { op: 'replace', value: 'Bo' } } }],
      [
        { id: '2', op: 'update', objectType: 'person', dn: 'employeeId=1', anchor: '1', changes: { givenName: { op: 'replace', value: 'Ann Lee' } } },
        { id: '3', op: 'delete', objectType: 'person', dn: 'employeeId=0', anchor: '0', changes: {} },
      ],
    ],
  },
];

async function exported(target: Target) {
  const dir = await mkdtemp(join(tmpdir(), `idsync-journal-${target.name}-`));
  await writeFile(join(dir, target.file), target.seed);
  const agent = target.make(dir);
  for (const batch of target.batches) {
    const res = await agent.export!(batch, { note() {} });
    if (!res.every((r) => r.ok)) throw new Error(JSON.stringify(res));
  }
  return { dir, agent, path: join(dir, target.file), journal: join(dir, `${target.file}.journal`) };
}

for (const target of targets) {
  test(`${target.name}: answered exports survive a crash before the step ends, and endExport folds them into the file once`, async (t) => {
    const { dir, agent, path, journal } = await exported(target);
    t.is(await readFile(path, 'utf8'), target.seed, 'the file is not rewritten per batch');
    t.true(await exists(journal));
    // A new process (the old one was killed before endExport) sees every answered change.
    const expected = await objects(target.make(dir));
    t.is(expected.length, 2);
    t.false(expected.some((o) => o.includes('Old')));
    await agent.endExport!();
    t.false(await exists(journal), 'the journal is dropped once folded');
    t.not(await readFile(path, 'utf8'), target.seed);
    t.deepEqual(await objects(target.make(dir)), expected);
  });

  test(`${target.name}: a journal replayed over the file it was already folded into changes nothing`, async (t) => {
    const { dir, agent, journal } = await exported(target);
    await copyFile(journal, `${journal}.kept`);
    const expected = await objects(target.make(dir));
    await agent.endExport!();
    // A crash between the file's rename and the journal's removal.
    await copyFile(`${journal}.kept`, journal);
    t.deepEqual(await objects(target.make(dir)), expected);
    const again = target.make(dir);
    await again.endExport!();
    t.deepEqual(await objects(target.make(dir)), expected);
  });

  test(`${target.name}: a torn last journal line is dropped; damage before it is an error naming file and line`, async (t) => {
    const { dir, journal } = await exported(target);
    const lines = (await readFile(journal, 'utf8')).trimEnd().split('\n');
    await writeFile(journal, lines.join('\n') + '\n{"put":{"dn":"CN=Torn');
    t.is((await objects(target.make(dir))).length, 2);
    await writeFile(journal, [lines[0], '{"put":', ...lines.slice(1)].join('\n') + '\n');
    const err = await t.throwsAsync(objects(target.make(dir)));
    t.true(err!.message.includes(`${target.file}.journal:2`), err!.message);
    t.regex(err!.message, /damaged journal entry/);
  });
}

test('a rewrite of several megabytes from ranges of the old file and new text, through small buffers, holds exactly what was asked', async (t) => {
  const { writeFileDurably } = await import('../../management-agents/file-journal.ts');
  const dir = await mkdtemp(join(tmpdir(), 'idsync-rewrite-'));
  const path = join(dir, 'big.txt');
  const lines = Array.from({ length: 60_000 }, (_, i) => `row ${i} ${'x'.repeat(i % 97)} é\n`);
  const old = lines.join('');
  await writeFile(path, old);
  const at = (i: number) => Buffer.byteLength(lines.slice(0, i).join(''));
  // Ranges of up to 3 MB (longer than any buffer), text pieces short and long, and a range that lacks its last line end.
  const long = 'y'.repeat(400_000);
  await writeFileDurably(path, [{ from: at(10), to: at(40_000) }, 'new line\n', long, '\n', { from: at(50_000), to: at(59_999) }, { from: at(3), to: at(4) - 1 }]);
  const expected = old.slice(old.indexOf(lines[10]!), old.indexOf(lines[40_000]!)) + 'new line\n' + long + '\n' + lines.slice(50_000, 59_999).join('') + lines[3];
  t.is(await readFile(path, 'utf8'), expected);
  // Bytes as they are, short and longer than a buffer, between text: an index's binary tables.
  const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
  await writeFileDurably(path, ['head\n', Buffer.from([0, 255, 10]), bytes, 'tail']);
  t.deepEqual(await readFile(path), Buffer.concat([Buffer.from('head\n'), Buffer.from([0, 255, 10]), bytes, Buffer.from('tail')]));
});
