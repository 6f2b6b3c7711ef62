/** A record's values added and deleted as text give what parsing, changing and writing it again give. */
import test from 'ava';
import { editRecord } from '../../management-agents/ldif/ldif-edit.ts';
import { contentRecord, parseLdif } from '../../management-agents/ldif/ldif-format.ts';
import { applyChanges } from '../../data/objects.ts';
import { prng } from '../../data/demo/people.ts';

const attrsOf = (text: string) => parseLdif(`version: 1\n\n${text}`).entries[0]!.attrs;
const sorted = (a: ReturnType<typeof attrsOf>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]));

test('over seeded changes to a group written by this agent, the text edit parses as the change made whole', (t) => {
  const random = prng(7);
  // Long DNs (folded), accented ones (base64), and a value that is another's prefix.
  const name = (i: number) => (i % 7 === 0 ? `CN=Zoë Ürban ${i},OU=People,DC=corp,DC=example,DC=com` : `CN=Member ${i},OU=People,DC=corp,DC=example,DC=com`);
  let attrs: Record<string, string | string[]> = { objectClass: 'group', member: Array.from({ length: 200 }, (_, i) => name(i)), description: 'd' };
  let text = contentRecord('CN=G,DC=corp', attrs);
  let edited = 0;
  for (let step = 0; step < 60; step++) {
    const held = attrs['member'] as string[];
    const remove = held.filter(() => random() < 0.02);
    const add = Array.from({ length: Math.floor(random() * 3) }, () => name(200 + Math.floor(random() * 400)));
    const changes = { member: { op: 'values' as const, add, remove } };
    const next = applyChanges(attrs, changes) as Record<string, string | string[]>;
    const out = editRecord(text, changes);
    if (out !== null) {
      edited++;
      t.deepEqual(sorted(attrsOf(out)), sorted(attrsOf(contentRecord('CN=G,DC=corp', next))), `step ${step}`);
      text = out;
    } else text = contentRecord('CN=G,DC=corp', next);
    attrs = next;
  }
  t.true(edited > 40, `most steps are edits (${edited} of 60)`);
});

test('many values at once, some deleted and added in the same change, give what the change made whole gives', (t) => {
  const random = prng(11);
  const name = (i: number) => (i % 5 === 0 ? `CN=Zoë Ürban ${i},OU=People,DC=corp,DC=example,DC=com` : `CN=Member ${i},OU=People,DC=corp,DC=example,DC=com`);
  let attrs: Record<string, string | string[]> = { objectClass: 'group', member: Array.from({ length: 2000 }, (_, i) => name(i)) };
  let text = contentRecord('CN=G,DC=corp', attrs);
  for (let step = 0; step < 12; step++) {
    const held = attrs['member'] as string[];
    const remove = held.filter(() => random() < 0.03);
    // New members, and a few of those deleted added back in the same change: applyValues keeps them.
    const add = [...Array.from({ length: Math.floor(random() * 60) }, () => name(2000 + Math.floor(random() * 4000))), ...remove.filter(() => random() < 0.1)];
    const changes = { member: { op: 'values' as const, add, remove } };
    const next = applyChanges(attrs, changes) as Record<string, string | string[]>;
    const out = editRecord(text, changes);
    t.not(out, null, `step ${step}: ${add.length + remove.length} values`);
    t.deepEqual(sorted(attrsOf(out!)), sorted(attrsOf(contentRecord('CN=G,DC=corp', next))), `step ${step}`);
    text = out!;
    attrs = next;
  }
});

test('a value whose line is the first line of a longer folded value: that value is not cut with it', (t) => {
  // "member: " and 68 characters: a line of exactly 76 columns, which another value's folded line starts with.
  const short = `CN=${'x'.repeat(51)},DC=corp,DC=ex`;
  t.is(`member: ${short}`.length, 76);
  const long = `${short}ample`;
  const text = contentRecord('CN=G,DC=corp', { member: [long, short, 'CN=B,DC=corp'] });
  t.true(text.includes(`member: ${short}\n ample\n`), 'the longer value is folded after the shorter one\'s line');
  // The shorter value's text starts the longer one's line: only its own line goes. (Matched as physical
  // lines, the longer value's first line was cut with it, and the record came out broken.)
  t.deepEqual(attrsOf(editRecord(text, { member: { op: 'values', add: [], remove: [short] } })!)['member'], [long, 'CN=B,DC=corp']);
  const out = editRecord(text, { member: { op: 'values', add: [], remove: [long] } });
  t.deepEqual(attrsOf(out!)['member'], [short, 'CN=B,DC=corp']);
});

test('what text cannot decide is left to a parse: another writer\'s folding or encoding, a missing value, a replace', (t) => {
  const dn = 'dn: CN=G,DC=corp\n';
  const values = (add: string[], remove: string[]) => ({ member: { op: 'values' as const, add, remove } });
  // Held base64 where this agent writes it plain: deleting it, or adding it again, needs a parse.
  const b64 = `${dn}member:: ${Buffer.from('CN=A,DC=corp').toString('base64')}\n`;
  t.is(editRecord(b64, values([], ['CN=A,DC=corp'])), null);
  t.is(editRecord(b64, values(['CN=A,DC=corp'], [])), null);
  // Folded at another column.
  const folded = `${dn}member: CN=A,DC=\n corp\n`;
  t.is(editRecord(folded, values(['CN=A,DC=corp'], [])), null);
  t.is(editRecord(`${dn}member: CN=B,DC=corp\n`, values([], ['CN=A,DC=corp'])), null, 'a value the record lacks');
  t.is(editRecord(`${dn}member: CN=A,DC=corp\n`, { member: { op: 'replace', value: 'x' } }), null);
  // Past 1,024 values a parse costs less than the walk and the search.
  const many = Array.from({ length: 1025 }, (_, i) => `CN=N${i},DC=corp`);
  t.is(editRecord(`${dn}member: CN=A,DC=corp\n`, values(many, [])), null);
  t.truthy(editRecord(`${dn}member: CN=A,DC=corp\n`, values(many.slice(1), [])));
  // A value held twice as written goes whole; one added twice is added once.
  t.is(editRecord(`${dn}member: CN=A,DC=corp\nmember: CN=A,DC=corp\nmember: CN=B,DC=corp\n`, values(['CN=C,DC=corp', 'CN=C,DC=corp'], ['CN=A,DC=corp'])), `${dn}member: CN=B,DC=corp\nmember: CN=C,DC=corp\n`);
});

test('an entry the saved index holds, edited as text, is still found by anchor and DN, and its kept values still checked, in this process and the next', async (t) => {
  const { mkdtemp, writeFile, readFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createLdifAgent } = await import('../../management-agents/ldif/index.ts');
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-edit-'));
  const members = Array.from({ length: 50 }, (_, i) => `CN=M${i},DC=corp`);
  const group = (n: number) => `dn: CN=G${n},DC=corp\nobjectClass: group\nobjectGUID: g${n}\nsAMAccountName: grp${n}\n${members.map((m) => `member: ${m}\n`).join('')}`;
  await writeFile(join(dir, 'dir.ldif'), `version: 1\n\n${[1, 2, 3, 4, 5, 6, 7, 8].map(group).join('\n')}`);
  const make = () => {
    const a = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: [{ name: 'group', anchor: ['objectGUID'], attributes: ['member', 'sAMAccountName'] }], baseDir: dir });
    a.expectValueChecks!('group', ['sAMAccountName']);
    return a;
  };
  const values = (n: number, add: string[], remove: string[]) => ({ id: `g${n}`, op: 'update' as const, objectType: 'group', dn: `CN=G${n},DC=corp`, anchor: `g${n}`, changes: { member: { op: 'values' as const, add, remove } } });
  // A first export writes the file and its index; the next process edits an entry the index holds.
  let agent = make();
  await agent.export!([values(1, ['CN=X,DC=corp'], [])], { note() {} });
  await agent.endExport!();
  agent = make();
  // Checked once before the edit, so that the counts of set entries are made before it.
  t.true(await agent.isValueInUse!('group', 'sAMAccountName', 'grp2'));
  await agent.export!([values(2, ['CN=Y,DC=corp'], [members[3]!])], { note() {} });
  t.regex(await readFile(join(dir, 'dir.ldif.journal'), 'utf8'), /"edit":/);
  const check = async (a: typeof agent, when: string) => {
    t.true(await a.isValueInUse!('group', 'sAMAccountName', 'grp2'), `${when}: the edited entry's kept value`);
    t.is((await a.findObject!({ objectType: 'group', anchor: 'g2' }))?.dn, 'CN=G2,DC=corp', `${when}: by anchor`);
    const found = await a.findObject!({ objectType: 'group', dn: 'cn=g2,dc=corp' });
    t.deepEqual([...(found?.attrs['member'] as string[])].sort(), [...members.filter((m) => m !== members[3]), 'CN=Y,DC=corp'].sort(), `${when}: by DN, whole`);
  };
  await check(agent, 'before the fold');
  await check(make(), 'a new process, from the journal');
  await agent.endExport!();
  await check(agent, 'after the fold');
  await check(make(), 'the next process');
  // The file itself, read without its index: the old record blanked, each entry once.
  const { unlink } = await import('node:fs/promises');
  await unlink(join(dir, 'dir.ldif.index'));
  await unlink(join(dir, 'dir.ldif.index.more')).catch(() => undefined);
  const dns: string[] = [];
  for await (const c of make().fullImport({ pageSize: 10, watermark: null, setWatermark() {}, note() {} })) if (c.kind === 'object') dns.push(c.object.dn);
  t.deepEqual(dns.sort(), [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `CN=G${n},DC=corp`));
});
