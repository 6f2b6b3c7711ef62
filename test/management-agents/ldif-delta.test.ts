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
