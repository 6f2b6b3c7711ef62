/** The bytes of an ldif index's entries, saved in its head: an export's quarter rule reads none of its places for them. */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import { indexPath, LdifIndex } from '../../management-agents/ldif/ldif-index-file.ts';
import { fileStamp } from '../../management-agents/journaled-file.ts';

const types = [{ name: 'user', anchor: ['objectGUID'], attributes: ['cn', 'mail', 'description'] }];
const kept = new Set(['objectclass', 'objectguid']);

test('the head says the bytes of the entries, as counting every place does, and reading it reads no place', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-live-'));
  const path = join(dir, 'dir.ldif');
  const n = 3000;
  await writeFile(path, `version: 1\n${Array.from({ length: n }, (_, i) => `\ndn: CN=U${i},DC=corp\nobjectClass: user\nobjectGUID: g${i}\ncn: U${i}${'x'.repeat(i % 7)}\n`).join('')}`);
  const writer = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
  const results = await writer.export!([{ id: '1', op: 'update', dn: 'CN=U1,DC=corp', objectType: 'user', anchor: 'g1', changes: { description: { op: 'replace', value: 'x' } } }], { note() {} });
  t.true(results[0]!.ok);
  await writer.endExport!();
  const stamp = await fileStamp(path);

  const index = (await LdifIndex.read(path, stamp, kept, new Set()))!;
  const unread = index.rows.unreadPages;
  const live = index.liveBytes([]);
  t.is(index.rows.unreadPages, unread, 'no page read');
  // Counted from the places: each entry with the blank line before it.
  let counted = 0;
  for (let row = 0; row < index.size; row++) {
    const span = index.span(row);
    if (span) counted += 1 + span.to - span.from;
  }
  t.is(live, counted);
  t.true(live > n * 40, `${live} bytes`);
  const row = index.rowOfDn('cn=u5,dc=corp');
  const span = index.span(row)!;
  t.is(index.liveBytes([row]), live - (1 + span.to - span.from));
  index.close();

  // An index saved before the head said it: counted from the places, the same.
  const bytes = await readFile(indexPath(path));
  const nl = bytes.indexOf(10);
  const { live: _, ...older } = JSON.parse(bytes.toString('utf8', 0, nl)) as { live?: number };
  await writeFile(indexPath(path), Buffer.concat([Buffer.from(JSON.stringify(older)), bytes.subarray(nl)]));
  const old = (await LdifIndex.read(path, stamp, kept, new Set()))!;
  const before = old.rows.unreadPages;
  t.is(old.liveBytes([]), live);
  t.true(old.rows.unreadPages < before, 'the places read for it');
  old.close();
});
