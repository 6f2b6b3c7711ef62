/**
 * An in-place edit gives each changed range with its text, and the file is
 * written from those alone; the search for a value held some other way
 * (folded elsewhere, or in base64) decides the same for a few values
 * (searched folded) and for many (searched in the record unfolded).
 */
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editInPlace, editRecord, withRoom } from '../../management-agents/ldif/ldif-edit.ts';
import { writesOf } from '../../management-agents/ldif/ldif-layout.ts';
import { contentRecord, parseLdif } from '../../management-agents/ldif/ldif-format.ts';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import { prng } from '../../data/demo/people.ts';
import type { ImportChange } from '../../management-agents/index.ts';

const name = (i: number) => (i % 7 === 0 ? `CN=Zoë Ürban ${i},OU=People,DC=corp,DC=example,DC=com` : `CN=Member ${i},OU=People,DC=corp,DC=example,DC=com`);
const values = (add: string[], remove: string[]) => ({ member: { op: 'values' as const, add, remove } });

/** `text` with `writes` laid over it at their places. */
const overlay = (text: string, writes: { at: number; text: string }[]) => writes.reduce((s, w) => s.slice(0, w.at) + w.text + s.slice(w.at + w.text.length), text);

test('each range an in-place edit gives holds its text, and writes made from the ranges of two edits give the text after both', (t) => {
  const random = prng(3);
  let members = Array.from({ length: 500 }, (_, i) => name(i));
  for (let round = 0; round < 20; round++) {
    const record = withRoom(contentRecord('CN=G,DC=corp', { objectClass: 'group', member: members }));
    const first = values([name(1000 + round)], members.filter(() => random() < 0.01));
    const one = editInPlace(record, first);
    if (!one) { t.fail(`round ${round}: not edited in place`); return; }
    for (const [a, b, text] of one.dirty) t.is(one.text.slice(a, b), text, `round ${round}: range ${a}-${b}`);
    // A second edit of the same record, as the directory makes it: the first's ranges cut again from the text after it.
    const held = parseLdif(`version: 1\n\n${one.text}`).entries[0]!.attrs['member'] as string[];
    const two = editInPlace(one.text, values([name(2000 + round)], held.filter(() => random() < 0.01)));
    if (!two) { t.fail(`round ${round}: second edit not in place`); return; }
    const dirty = [...one.dirty.map(([a, b]): [number, number, string] => [a, b, two.text.slice(a, b)]), ...two.dirty];
    const writes = writesOf([{ span: { from: 0, to: record.length }, dirty }]);
    t.is(overlay(record, writes), two.text, `round ${round}: the file as the writes leave it`);
    members = held;
  }
});

test('a value held some other way is left to a parse, with a few values and with many; one held only in the lines cut is not', (t) => {
  const dn = 'dn: CN=G,DC=corp\n';
  const others = (n: number) => Array.from({ length: n }, (_, i) => `CN=Other ${i},DC=corp`);
  for (const many of [0, 12]) {
    const extra = others(many);
    const label = many ? 'many values' : 'a few values';
    // Folded at another column than this agent's, or in base64 where it writes plain text.
    t.is(editRecord(`${dn}member: CN=A,DC=\n corp\n`, values(['CN=A,DC=corp', ...extra], [])), null, `${label}: folded elsewhere`);
    t.is(editRecord(`${dn}member:: ${Buffer.from('CN=A,DC=corp').toString('base64')}\n`, values(['CN=A,DC=corp', ...extra], [])), null, `${label}: base64`);
    t.is(editRecord(`${dn}member: CN=A,DC=corp\nmember:: ${Buffer.from('CN=A,DC=corp').toString('base64')}\n`, values(extra, ['CN=A,DC=corp'])), null, `${label}: deleted, and held again in base64`);
    // Held only as the line deleted: cut, and the rest kept as it was.
    const text = `${dn}member: CN=A,DC=corp\nmember: CN=B,DC=corp\n`;
    t.is(editRecord(text, values(extra, ['CN=A,DC=corp'])), `${dn}member: CN=B,DC=corp\n${extra.map((v) => `member: ${v}\n`).join('')}`, `${label}: cut`);
  }
});

const groupType = [{ name: 'group', anchor: ['objectGUID'], attributes: ['member'] }];
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };

test('a group edited in place twice before the file is written holds both changes, in this process and the next', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-pieces-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const members = Array.from({ length: 400 }, (_, i) => name(i));
  await writeFile(join(dir, 'dir.ldif'), `version: 1\n\n${contentRecord('CN=G,DC=corp', { objectClass: 'group', objectGUID: 'g', member: members })}`);
  const make = () => createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: groupType, baseDir: dir });
  const change = (add: string[], remove: string[]) => ({ id: 'g', op: 'update' as const, objectType: 'group', dn: 'CN=G,DC=corp', anchor: 'g', changes: values(add, remove) });
  // A first export writes the record anew, with room, and the file's index: the next process edits it in place.
  let agent = make();
  await agent.export!([change([], [members[0]!])], { note() {} });
  await agent.endExport!();
  const before = await readFile(join(dir, 'dir.ldif'), 'latin1');
  agent = make();
  await agent.export!([change(['CN=New 1,DC=corp'], [members[3]!, members[9]!])], { note() {} });
  await agent.export!([change(['CN=New 2,DC=corp'], [members[4]!, 'CN=New 1,DC=corp'])], { note() {} });
  await agent.endExport!();
  const after = await readFile(join(dir, 'dir.ldif'), 'latin1');
  t.is(after.length, before.length, 'edited in place');
  const expected = [...members.filter((_, i) => i !== 0 && i !== 3 && i !== 4 && i !== 9), 'CN=New 2,DC=corp'].sort();
  const found: string[] = [];
  for await (const c of make().fullImport(ictx) as AsyncIterable<ImportChange>) if (c.kind === 'object') found.push(...(c.object.attrs['member'] as string[]));
  t.deepEqual(found.sort(), expected);
  t.deepEqual([...((await make().findObject!({ objectType: 'group', anchor: 'g' }))!.attrs['member'] as string[])].sort(), expected);
});
