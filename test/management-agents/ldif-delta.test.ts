/** The ldif agent's delta import: the change log since the last import, checked against the file. */
import test from 'ava';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import type { ExportRequest, ImportChange, ImportContext } from '../../management-agents/index.ts';

const types = [{ name: 'user', anchor: ['objectGUID'], attributes: ['cn', 'description'] }];
const start = 'version: 1\n\ndn: CN=A,DC=corp\nobjectClass: user\nobjectGUID: a\ncn: A\n\ndn: CN=B,DC=corp\nobjectClass: user\nobjectGUID: b\ncn: B\n\ndn: CN=C,DC=corp\nobjectClass: user\nobjectGUID: c\ncn: C\n';

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-delta-'));
  await writeFile(join(dir, 'dir.ldif'), start);
  const agent = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
  let watermark: string | null = null;
  const run = async (mode: 'full' | 'delta') => {
    const notes: string[] = [];
    let full = false;
    const ctx: ImportContext = { pageSize: 10, watermark, setWatermark: (w) => { watermark = w; }, note: (m) => notes.push(m), becameFull: () => { full = true; } };
    const changes: ImportChange[] = [];
    for await (const c of mode === 'full' ? agent.fullImport(ctx) : agent.deltaImport!(ctx)) changes.push(c);
    const seen = changes.map((c) => (c.kind === 'object' ? `${c.object.anchor} ${c.object.dn} ${c.object.attrs['description'] ?? ''}`.trim() : c.kind === 'delete' ? `- ${c.anchor}` : `! ${c.message}`));
    return { seen: seen.sort(), notes, full };
  };
  const exportAndEnd = async (reqs: ExportRequest[]) => {
    const results = await agent.export!(reqs, { note() {} });
    await agent.endExport!();
    return results;
  };
  return { dir, agent, run, exportAndEnd };
}

const update = (anchor: string, description: string): ExportRequest => ({ id: anchor, op: 'update', objectType: 'user', dn: `CN=${anchor.toUpperCase()},DC=corp`, anchor, changes: { description: { op: 'replace', value: description } } });

test('a delta import gives what was exported since the last import, as the file now holds it, and nothing else', async (t) => {
  const { run, exportAndEnd } = await setup();
  t.is((await run('full')).seen.length, 3);
  const [added] = await exportAndEnd([
    { id: 'n', op: 'add', objectType: 'user', dn: 'CN=N,DC=corp', anchor: null, changes: { cn: { op: 'replace', value: 'N' } } },
    update('a', 'first'),
    { id: 'b', op: 'update', objectType: 'user', dn: 'CN=B,DC=corp', anchor: 'b', newDn: 'CN=B2,DC=corp', changes: {} },
    { id: 'c', op: 'delete', objectType: 'user', dn: 'CN=C,DC=corp', anchor: 'c', changes: {} },
  ]);
  await exportAndEnd([update('a', 'second')]);
  const delta = await run('delta');
  t.false(delta.full, delta.notes.join('; '));
  t.deepEqual(delta.seen, ['- c', 'a CN=A,DC=corp second', 'b CN=B2,DC=corp', `${added!.ok ? added!.anchor : '?'} CN=N,DC=corp`].sort());
  t.deepEqual((await run('delta')).seen, [], 'the watermark moved past what was read');
});

test('a delta import before any export gives nothing; the same after an export step that changed nothing', async (t) => {
  const { run, exportAndEnd } = await setup();
  await run('full');
  t.deepEqual((await run('delta')).seen, []);
  await exportAndEnd([]);
  const again = await run('delta');
  t.deepEqual([again.seen, again.full], [[], false]);
});

test('a file changed other than by the agent, a cut change log or a delete without its anchor: a full import, with a note', async (t) => {
  for (const damage of ['edit', 'edit-then-export', 'cut', 'foreign-delete'] as const) {
    const { dir, run, exportAndEnd } = await setup();
    await run('full');
    await exportAndEnd([update('a', 'x')]);
    // The log now holds a record the watermark is past.
    t.false((await run('delta')).full);
    await exportAndEnd([update('a', 'y')]);
    if (damage.startsWith('edit')) await writeFile(join(dir, 'dir.ldif'), `${start}\ndn: CN=D,DC=corp\nobjectClass: user\nobjectGUID: d\ncn: D\n`);
    // The agent's own rewrite after the edit does not hide it.
    if (damage === 'edit-then-export') await exportAndEnd([update('b', 'z')]);
    if (damage === 'cut') await writeFile(join(dir, 'dir.changes.ldif'), '');
    if (damage === 'foreign-delete') await appendFile(join(dir, 'dir.changes.ldif'), 'dn: CN=B,DC=corp\nchangetype: delete\n\n');
    const delta = await run('delta');
    t.true(delta.full, damage);
    t.regex(delta.notes.join('; '), damage.startsWith('edit') ? /dir\.ldif was changed other than by this agent's exports: ran a full import/ : damage === 'cut' ? /shorter than at the last import/ : /the delete of CN=B,DC=corp does not give its anchor/, damage);
    t.is(delta.seen.length, damage.startsWith('edit') ? 4 : 3, damage);
  }
});

test('the change log stays RFC 2849: the agent\'s own lines are comments', async (t) => {
  const { dir, run, exportAndEnd } = await setup();
  await run('full');
  await exportAndEnd([{ id: 'c', op: 'delete', objectType: 'user', dn: 'CN=C,DC=corp', anchor: 'c', changes: {} }]);
  const log = await readFile(join(dir, 'dir.changes.ldif'), 'utf8');
  t.true(log.startsWith('# anchor: c\ndn: CN=C,DC=corp\nchangetype: delete\n\n# rewritten: '), log);
  for (const line of log.split('\n')) t.regex(line, /^(#|dn:|changetype:|$)/);
});

test('an entry whose records since only added and deleted values is given as those values, composed; any other record gives it whole', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-values-'));
  const members = Array.from({ length: 300 }, (_, i) => `CN=M${i},DC=corp`);
  const group = (dn: string, guid: string) => `dn: ${dn}\nobjectClass: group\nobjectGUID: ${guid}\n${members.map((m) => `member: ${m}\n`).join('')}`;
  await writeFile(join(dir, 'dir.ldif'), `version: 1\n\n${group('CN=G,DC=corp', 'g')}\n${group('CN=H,DC=corp', 'h')}`);
  const agent = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: [{ name: 'group', anchor: ['objectGUID'], attributes: ['member', 'description'] }], baseDir: dir });
  let watermark: string | null = null;
  const ctx = (): ImportContext => ({ pageSize: 10, watermark, setWatermark: (w) => { watermark = w; }, note() {} });
  const all = async (it: AsyncIterable<ImportChange>) => { const out: ImportChange[] = []; for await (const c of it) out.push(c); return out; };
  await all(agent.fullImport(ctx()));
  const values = (anchor: string, add: string[], remove: string[]): ExportRequest => ({ id: anchor, op: 'update', objectType: 'group', dn: `CN=${anchor.toUpperCase()},DC=corp`, anchor, changes: { member: { op: 'values', add, remove } } });
  // Two export steps: a value added then deleted, another deleted, another added; H also gets a description replaced.
  await agent.export!([values('g', ['CN=New1,DC=corp', 'CN=New2,DC=corp'], [members[5]!]), values('h', ['CN=New1,DC=corp'], [])], { note() {} });
  await agent.endExport!();
  await agent.export!([values('g', [], ['CN=New1,DC=corp', members[9]!]), { ...values('h', [], []), changes: { description: { op: 'replace', value: 'x' } } }], { note() {} });
  await agent.endExport!();
  const delta = await all(agent.deltaImport!(ctx()));
  const g = delta.find((c) => c.kind === 'object' && c.object.anchor === 'g');
  const h = delta.find((c) => c.kind === 'object' && c.object.anchor === 'h');
  t.like(g, { kind: 'object', partial: true, object: { anchor: 'g', dn: 'CN=G,DC=corp', objectType: 'group', attrs: {} } });
  t.deepEqual(g?.kind === 'object' && g.valueChanges, { member: { add: ['CN=New2,DC=corp'], remove: [members[5]!, 'CN=New1,DC=corp', members[9]!] } });
  t.true(h?.kind === 'object' && !h.partial && (h.object.attrs['member'] as string[]).length === 301 && h.object.attrs['description'] === 'x', 'a replace since: whole');
  // What the values give, applied to the entry before, is what the file holds now.
  const full = (await all(agent.fullImport(ctx()))).find((c) => c.kind === 'object' && c.object.anchor === 'g');
  const now = new Set(full?.kind === 'object' ? (full.object.attrs['member'] as string[]) : []);
  const composed = new Set([...members.filter((m) => m !== members[5] && m !== members[9]), 'CN=New2,DC=corp']);
  t.deepEqual([...now].sort(), [...composed].sort());
  // A rename since: whole again.
  await agent.export!([{ ...values('g', ['CN=New3,DC=corp'], []), newDn: 'CN=G2,DC=corp' }], { note() {} });
  await agent.endExport!();
  const renamed = (await all(agent.deltaImport!(ctx()))).filter((c) => c.kind === 'object');
  t.is(renamed.length, 1);
  t.true(renamed[0]?.kind === 'object' && !renamed[0].partial && renamed[0].object.dn === 'CN=G2,DC=corp');
});

test('in the change log, a modify that deletes all of an attribute, or changes another way, is not a values-only change', async (t) => {
  const { changesSince } = await import('../../management-agents/ldif/ldif-change-log.ts');
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-ldif-log-')), 'log.ldif');
  const modify = (dn: string, ...ops: string[]) => `dn: ${dn}\nchangetype: modify\n${ops.join('')}\n`;
  await writeFile(path, [
    modify('CN=A,DC=corp', 'add: member\nmember: x\n-\n', 'delete: member\nmember: y\n-\n'),
    modify('CN=B,DC=corp', 'delete: member\n-\n'),
    modify('CN=C,DC=corp', 'add: member\nmember: x\n-\n'),
    modify('CN=C,DC=corp', 'replace: description\ndescription: d\n-\n'),
    modify('CN=D,DC=corp', 'add: member\nmember: z\ndescription: not the attribute named\n-\n'),
    // Another entry renamed to a DN whose values were changed before: that DN's entry is another now.
    modify('CN=E,DC=corp', 'add: member\nmember: x\n-\n'),
    'dn: CN=F,DC=corp\nchangetype: modrdn\nnewrdn: CN=E\ndeleteoldrdn: 1\n\n',
  ].join(''));
  const got = await changesSince(path, 0);
  t.deepEqual([...got!.touched.keys()].sort(), ['cn=a,dc=corp', 'cn=b,dc=corp', 'cn=c,dc=corp', 'cn=d,dc=corp', 'cn=e,dc=corp']);
  t.deepEqual([...got!.values.keys()], ['cn=a,dc=corp']);
  t.deepEqual([...got!.values.get('cn=a,dc=corp')!.get('member')!], [['x', true], ['y', false]]);
});
