/**
 * A large group's record is written with room at its end, and members added
 * and deleted later are written there in place: the record keeps its place
 * and length, and only the bytes that changed are written. A torn in-place
 * write is finished from the journal's mark.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editInPlace, editRecord, roomOf, ROOM_FROM, withoutRoom, withRoom } from '../../management-agents/ldif/ldif-edit.ts';
import { contentRecord, headLines, parseLdif } from '../../management-agents/ldif/ldif-format.ts';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import { applyChanges } from '../../data/objects.ts';
import { prng } from '../../data/demo/people.ts';
import type { ImportChange } from '../../management-agents/index.ts';

const attrsOf = (text: string) => parseLdif(`version: 1\n\n${text}`).entries[0]!.attrs;
const sorted = (a: ReturnType<typeof attrsOf>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]));
const name = (i: number) => (i % 7 === 0 ? `CN=Zoë Ürban ${i},OU=People,DC=corp,DC=example,DC=com` : `CN=Member ${i},OU=People,DC=corp,DC=example,DC=com`);

test('seeded changes to a large group, made in place, parse as the change made whole, keep the length, and differ only where they say', (t) => {
  const random = prng(5);
  let attrs: Record<string, string | string[]> = { objectClass: 'group', member: Array.from({ length: 600 }, (_, i) => name(i)), description: 'd' };
  let text = withRoom(contentRecord('CN=G,DC=corp', attrs));
  t.true(text.length >= ROOM_FROM && roomOf(text) !== null, 'written with room');
  let inPlace = 0;
  let anew = 0;
  for (let step = 0; step < 80; step++) {
    const held = attrs['member'] as string[];
    const remove = held.filter(() => random() < 0.01);
    const add = Array.from({ length: Math.floor(random() * 12) }, () => name(600 + Math.floor(random() * 3000)));
    const changes = { member: { op: 'values' as const, add, remove } };
    const next = applyChanges(attrs, changes) as Record<string, string | string[]>;
    const out = editInPlace(text, changes);
    if (out) {
      inPlace++;
      t.is(out.text.length, text.length, `step ${step}: as long as before`);
      for (let i = 0; i < text.length; i++) {
        if (out.text[i] !== text[i]) t.true(out.dirty.some(([a, b]) => a <= i && i < b), `step ${step}: byte ${i} changed outside the ranges given`);
      }
      text = out.text;
    } else {
      // No room left (or text cannot say): written anew, with new room, as the directory does.
      anew++;
      text = withRoom(withoutRoom(editRecord(text, changes) ?? contentRecord('CN=G,DC=corp', next)));
      t.false(/\n# *\n[^#]/.test(text), `step ${step}: rewritten without the old comment lines`);
    }
    t.deepEqual(sorted(attrsOf(text)), sorted(attrsOf(contentRecord('CN=G,DC=corp', next))), `step ${step}`);
    attrs = next;
  }
  t.true(inPlace > 50, `most changes are made in place (${inPlace} of 80)`);
  t.true(anew > 0, `the room runs out now and then (${anew} of 80)`);
});

test('the room is only the record\'s last comment lines of spaces: a worded comment is kept, and a record without room is not edited in place', (t) => {
  const dn = 'dn: CN=G,DC=corp\n';
  t.deepEqual(roomOf(`${dn}member: CN=A\n#   \n#\n`), [dn.length + 13, dn.length + 20]);
  t.is(roomOf(`${dn}member: CN=A\n# kept\n`), null);
  t.deepEqual(roomOf(`${dn}member: CN=A\n# kept\n#  \n`), [dn.length + 20, dn.length + 24]);
  const values = { member: { op: 'values' as const, add: ['CN=B'], remove: [] } };
  t.is(editInPlace(`${dn}member: CN=A\n`, values), null, 'no room');
  t.is(editInPlace(`${dn}member: CN=A\n#  \n`, values), null, 'room too small');
  // The added line takes the room whole, or leaves a shorter comment line: never a lone line end (an empty line ends a record).
  t.is(editInPlace(`${dn}member: CN=A\n#${' '.repeat(11)}\n`, values)?.text, `${dn}member: CN=A\nmember: CN=B\n`);
  const tight = editInPlace(`${dn}member: CN=A\n#${' '.repeat(12)}\n#\n`, values)!.text;
  t.is(tight, `${dn}member: CN=A\nmember: CN=B\n# \n`);
  t.false(tight.includes('\n\n'));
  // A folded comment stays whole when the room is taken out.
  t.is(withoutRoom(`${dn}#  \nmember: CN=A\n#\n continued\n#   \n`), `${dn}member: CN=A\n#\n continued\n`);
});

const groupType = [{ name: 'group', anchor: ['objectGUID'], attributes: ['member', 'sAMAccountName'] }];
const members = Array.from({ length: 400 }, (_, i) => name(i));
const group = (n: number) => `dn: CN=G${n},DC=corp\nobjectClass: group\nobjectGUID: g${n}\nsAMAccountName: grp${n}\n${members.map((m) => contentRecord('x', { member: m }).split('\n').slice(1).join('\n')).join('')}`;
const change = (n: number, add: string[], remove: string[]) => ({ id: `g${n}`, op: 'update' as const, objectType: 'group', dn: `CN=G${n},DC=corp`, anchor: `g${n}`, changes: { member: { op: 'values' as const, add, remove } } });
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };

async function groupsIn(dir: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const agent = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: groupType, baseDir: dir });
  for await (const c of agent.fullImport(ictx) as AsyncIterable<ImportChange>) {
    if (c.kind === 'error') throw new Error(`${c.message} (line ${c.line})`);
    if (c.kind === 'object') out.set(c.object.dn, [...(c.object.attrs['member'] as string[])].sort());
  }
  return out;
}

test('a group written with room takes later member changes in place: same size, same place, the rest of the file untouched', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-in-place-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'dir.ldif');
  await writeFile(path, `version: 1\n\n${[1, 2, 3].map(group).join('\n')}`);
  const make = () => createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: groupType, baseDir: dir });
  // The file's record has no room: the first change writes it anew at the end, with room.
  let agent = make();
  await agent.export!([change(2, ['CN=New 1,DC=corp'], [members[5]!])], { note() {} });
  await agent.endExport!();
  const written = await readFile(path, 'latin1');
  const at = written.lastIndexOf('dn: CN=G2,DC=corp');
  const end = written.indexOf('\n\n', at);
  t.true(roomOf(written.slice(at, end < 0 ? undefined : end + 1)) !== null, 'written anew with room');
  // Then, in this process and the next, changes go in place.
  const expected = new Set(members.filter((m) => m !== members[5]).concat('CN=New 1,DC=corp'));
  for (const [k, fresh] of [[0, false], [1, true], [2, true]] as const) {
    if (fresh) agent = make();
    const before = await readFile(path, 'latin1');
    const add = [`CN=New ${k + 2},DC=corp`, name(1000 + k)];
    const remove = [members[10 + k]!, k === 2 ? 'CN=New 1,DC=corp' : members[20 + k]!];
    await agent.export!([change(2, add, remove)], { note() {} });
    await agent.endExport!();
    for (const m of remove) expected.delete(m);
    for (const m of add) expected.add(m);
    const after = await readFile(path, 'latin1');
    t.is(after.length, before.length, `change ${k}: the file keeps its size`);
    t.is(after.lastIndexOf('dn: CN=G2,DC=corp'), at, `change ${k}: the record keeps its place`);
    t.is(after.slice(0, at), before.slice(0, at), `change ${k}: nothing before it is written`);
    const groups = await groupsIn(dir);
    t.deepEqual(groups.get('CN=G2,DC=corp'), [...expected].sort(), `change ${k}: the members`);
    t.deepEqual(groups.get('CN=G1,DC=corp'), [...members].sort(), `change ${k}: another group`);
    t.deepEqual((await make().findObject!({ objectType: 'group', anchor: 'g2' }))?.attrs['member'] && [...((await make().findObject!({ objectType: 'group', anchor: 'g2' }))!.attrs['member'] as string[])].sort(), [...expected].sort(), `change ${k}: found by a new agent`);
  }
  // Read without the index beside it, the file says the same.
  await unlink(`${path}.index`);
  await unlink(`${path}.index.more`).catch(() => undefined);
  t.deepEqual((await groupsIn(dir)).get('CN=G2,DC=corp'), [...expected].sort());
});

test('an in-place write torn by a crash is finished from the journal\'s mark, and a mark without its Appended entry writes nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-in-place-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'dir.ldif');
  await writeFile(path, `version: 1\n\n${[1, 2].map(group).join('\n')}`);
  const agent = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: groupType, baseDir: dir });
  await agent.export!([change(1, ['CN=New,DC=corp'], [])], { note() {} });
  await agent.endExport!();
  const before = await readFile(path, 'latin1');
  await agent.export!([change(1, ['CN=Later,DC=corp'], [members[7]!])], { note() {} });
  await agent.endExport!();
  const after = await readFile(path, 'latin1');
  t.is(after.length, before.length, 'made in place');
  // The mark as the fold writes it: the ranges that differ, with their text.
  const writes: [number, string][] = [];
  for (let i = 0; i < after.length; i++) {
    if (after[i] === before[i]) continue;
    let j = i;
    while (j < after.length && after[j] !== before[j]) j++;
    writes.push([i, after.slice(i, j)]);
    i = j;
  }
  t.true(writes.length >= 2, 'a deleted member and the room');
  const mark = JSON.stringify({ patch: before.length, blank: [], append: 0, writes });
  const torn = before.slice(0, writes[0]![0]) + after.slice(writes[0]![0], writes[0]![0] + 3) + before.slice(writes[0]![0] + 3);
  const fresh = async () => createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: groupType, baseDir: dir }).findObject!({ objectType: 'group', anchor: 'g1' });
  // Torn after the Appended entry: the writes are made again, whole.
  await writeFile(path, torn, 'latin1');
  await writeFile(`${path}.journal`, `${mark}\n${JSON.stringify({ appended: before.length })}\n`);
  await fresh();
  t.is(await readFile(path, 'latin1'), after);
  // Cut before it: nothing was written in place yet, and nothing is.
  await writeFile(path, before, 'latin1');
  await writeFile(`${path}.journal`, `${mark}\n`);
  await fresh();
  t.is(await readFile(path, 'latin1'), before);
  t.is((await stat(path)).size, before.length);
});

test('a record cut to its DN and kept attributes reads as the whole record read for them: folded, base64, any case, CRLF', (t) => {
  const random = prng(9);
  const keep = new Set(['objectclass', 'objectguid', 'samaccountname']);
  for (let n = 0; n < 200; n++) {
    const attrs: Record<string, string | string[]> = {
      member: Array.from({ length: Math.floor(random() * 30) }, (_, i) => name(i * 3 + n)),
      objectClass: ['top', 'group'],
      description: random() < 0.5 ? 'objectGUID: not this one' : `Zoë ${'x'.repeat(Math.floor(random() * 120))}`,
      objectGUID: `g-${n}-${'y'.repeat(Math.floor(random() * 90))}`,
      sAMAccountName: random() < 0.3 ? `Ünïcode ${n}` : `grp${n}`,
    };
    let text = contentRecord(`CN=Group ${n} ${'z'.repeat(Math.floor(random() * 80))},DC=corp`, attrs);
    if (n % 3 === 0) text = text.replace(/^objectGUID/m, 'OBJECTGUID').replace(/^sAMAccountName/m, 'samaccountname');
    if (n % 5 === 0) text = text.replaceAll('\n', '\r\n');
    const whole = parseLdif(text, keep).entries[0]!;
    const cut = parseLdif(headLines(text, keep), keep).entries[0]!;
    t.is(cut.dn, whole.dn, `record ${n}`);
    t.deepEqual(cut.attrs, whole.attrs, `record ${n}`);
    // In pieces, each ending where a logical line ends (the first may hold the DN's line alone): the same lines.
    const ends = [...text.matchAll(/\n(?! )/g)].map((m) => m.index + 1);
    const at = [ends[n % 3]!, ends[Math.floor(ends.length / 2)]!, ends[ends.length - 2]!].filter((x, i, all) => x < text.length && all.indexOf(x) === i).sort((a, b) => a - b);
    const pieces = [0, ...at].map((from, i) => text.slice(from, [...at, text.length][i]));
    t.is(pieces.join(''), text);
    t.is(headLines({ pieces }, keep), headLines(text, keep), `record ${n} in ${pieces.length} pieces`);
  }
});

test('a group edited in place twice in one export, and found whole between the edits, holds both: only the changed ranges are kept between them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-twice-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'dir.ldif');
  await writeFile(path, `version: 1\n\n${[1, 2].map(group).join('\n')}`);
  const make = () => createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: groupType, baseDir: dir });
  // The first change writes the record anew with room; the next process edits it in place.
  let agent = make();
  await agent.export!([change(2, ['CN=New 1,DC=corp'], [])], { note() {} });
  await agent.endExport!();
  agent = make();
  await agent.export!([change(2, ['CN=New 2,DC=corp'], [members[3]!])], { note() {} });
  const between = await agent.findObject!({ objectType: 'group', anchor: 'g2' });
  await agent.export!([change(2, ['CN=New 3,DC=corp', name(5000)], [members[4]!, 'CN=New 1,DC=corp'])], { note() {} });
  await agent.endExport!();
  const expected = members.filter((m) => m !== members[3] && m !== members[4]).concat('CN=New 2,DC=corp', 'CN=New 3,DC=corp', name(5000)).sort();
  t.deepEqual([...(between!.attrs['member'] as string[])].sort(), members.filter((m) => m !== members[3]).concat('CN=New 1,DC=corp', 'CN=New 2,DC=corp').sort(), 'found whole after the first edit');
  t.deepEqual((await groupsIn(dir)).get('CN=G2,DC=corp'), expected);
  t.deepEqual((await groupsIn(dir)).get('CN=G1,DC=corp'), [...members].sort());
});
