/**
 * The ldif agent's saved index, read in place: changes made on top of it
 * (adds, updates, renames, deletes, journaled or rewritten) answer lookups,
 * value checks and full imports as a load of the file would.
 */
import test from 'ava';
import { readdirSync, readlinkSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import { LdifIndex } from '../../management-agents/ldif/ldif-index-file.ts';
import { fileStamp } from '../../management-agents/journaled-file.ts';
import type { ExportRequest, ImportChange, ManagementAgent } from '../../management-agents/index.ts';

const types = [{ name: 'user', anchor: ['objectGUID'], attributes: ['cn', 'mail', 'description'] }];
const people = ['Ann', 'Bob', 'Cy', 'Dee', 'Eve'];
const content = `version: 1\n${people.map((p, i) => `\ndn: CN=${p},DC=corp\nobjectClass: user\nobjectGUID: g${i}\ncn: ${p}\nmail: ${p.toLowerCase()}@corp\n`).join('')}`;
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };

async function directory() {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-index-'));
  await writeFile(join(dir, 'dir.ldif'), content);
  const agent = () => {
    const a = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
    a.expectValueChecks!('user', ['cn']);
    return a;
  };
  return { dir, agent };
}

const req = (r: Partial<ExportRequest> & Pick<ExportRequest, 'op' | 'dn'>): ExportRequest => ({ id: r.dn, objectType: 'user', anchor: null, changes: {}, ...r });
async function exported(agent: ManagementAgent, reqs: ExportRequest[], fold: boolean) {
  const results = await agent.export!(reqs, { note() {} });
  for (const r of results) if (!r.ok) throw new Error(r.message);
  if (fold) await agent.endExport!();
}
async function imported(agent: ManagementAgent) {
  const out: string[] = [];
  for await (const c of agent.fullImport(ictx) as AsyncIterable<ImportChange>) if (c.kind === 'object') out.push(`${c.object.anchor} ${c.object.dn} ${c.object.attrs['cn']}`);
  return out;
}

/** What every check below expects once Bob is renamed and his cn changed, Cy deleted, and Fay added (anchor g9). */
async function expectChanged(t: import('ava').ExecutionContext, agent: ManagementAgent, what: string) {
  t.is(await agent.findObject!({ objectType: 'user', dn: 'CN=Bob,DC=corp' }), null, what);
  t.is((await agent.findObject!({ objectType: 'user', dn: 'cn=robert,dc=corp' }))?.attrs['cn'], 'Robert', what);
  t.is((await agent.findObject!({ objectType: 'user', anchor: 'g1' }))?.dn, 'CN=Robert,DC=corp', what);
  t.is(await agent.findObject!({ objectType: 'user', anchor: 'g2' }), null, what);
  t.is(await agent.findObject!({ objectType: 'user', dn: 'CN=Cy,DC=corp' }), null, what);
  t.is((await agent.findObject!({ objectType: 'user', anchor: 'g9' }))?.dn, 'CN=Fay,DC=corp', what);
  t.is((await agent.findObject!({ objectType: 'user', anchor: 'g4' }))?.attrs['mail'], 'eve@corp', what);
  t.deepEqual(
    [await agent.isValueInUse!('user', 'cn', 'bob'), await agent.isValueInUse!('user', 'cn', 'ROBERT'), await agent.isValueInUse!('user', 'cn', 'Cy'), await agent.isValueInUse!('user', 'cn', 'Fay'), await agent.isValueInUse!('user', 'cn', 'Dee')],
    [false, true, false, true, true],
    what,
  );
  t.deepEqual(await imported(agent), ['g0 CN=Ann,DC=corp Ann', 'g1 CN=Robert,DC=corp Robert', 'g3 CN=Dee,DC=corp Dee', 'g4 CN=Eve,DC=corp Eve', 'g9 CN=Fay,DC=corp Fay'], what);
}

const changes = [
  req({ op: 'update', dn: 'CN=Bob,DC=corp', anchor: 'g1', newDn: 'CN=Robert,DC=corp', changes: { cn: { op: 'replace', value: 'Robert' } } }),
  req({ op: 'delete', dn: 'CN=Cy,DC=corp', anchor: 'g2' }),
  req({ op: 'add', dn: 'CN=Fay,DC=corp', changes: { cn: { op: 'replace', value: 'Fay' }, objectGUID: { op: 'replace', value: 'g9' } } }),
];

test('changes on top of a saved index answer as the rewritten file does, before and after the rewrite and in the next process', async (t) => {
  const { agent } = await directory();
  // A first rewrite saves the index; the next agent loads it rather than the file.
  await exported(agent(), [req({ op: 'update', dn: 'CN=Ann,DC=corp', anchor: 'g0', changes: { description: { op: 'replace', value: 'x' } } })], true);
  const a = agent();
  await exported(a, changes, false);
  await expectChanged(t, a, 'journaled over the index');
  await a.endExport!();
  await expectChanged(t, a, 'after the rewrite, in the same process');
  await expectChanged(t, agent(), 'loaded from the new index');
  // A third rewrite carries rows of an index that itself carried rows: anchors and values follow their rows.
  const b = agent();
  await exported(b, [req({ op: 'update', dn: 'CN=Ann,DC=corp', anchor: 'g0', changes: { description: { op: 'replace', value: 'y' } } })], true);
  await expectChanged(t, agent(), 'after a rewrite that moved every row');
});

test('a journal left by a crashed export is replayed over the saved index', async (t) => {
  const { agent } = await directory();
  await exported(agent(), [req({ op: 'update', dn: 'CN=Ann,DC=corp', anchor: 'g0', changes: { description: { op: 'replace', value: 'x' } } })], true);
  // Exported, never folded: the next process finds the changes only in the journal.
  await exported(agent(), changes, false);
  await expectChanged(t, agent(), 'replayed');
});

test('a value check on an attribute the index did not keep reads the file for it, with the changes made since', async (t) => {
  const { agent } = await directory();
  await exported(agent(), [req({ op: 'update', dn: 'CN=Ann,DC=corp', anchor: 'g0', changes: { description: { op: 'replace', value: 'x' } } })], true);
  const a = agent();
  await exported(a, [req({ op: 'update', dn: 'CN=Bob,DC=corp', anchor: 'g1', changes: { mail: { op: 'replace', value: 'robert@corp' } } })], false);
  t.deepEqual([await a.isValueInUse!('user', 'mail', 'BOB@corp'), await a.isValueInUse!('user', 'mail', 'robert@corp'), await a.isValueInUse!('user', 'mail', 'eve@corp')], [false, true, true]);
  t.is((await a.findObject!({ objectType: 'user', anchor: 'g3' }))?.dn, 'CN=Dee,DC=corp');
  await a.endExport!();
  t.deepEqual([await agent().isValueInUse!('user', 'mail', 'robert@corp'), await agent().isValueInUse!('user', 'mail', 'bob@corp')], [true, false]);
});

/**
 * The index file's first line: which generation wrote it, and how many rows
 * changed since it was last built afresh; and how many rows its overlay holds
 * (rows changed by patches since it was written), 0 when there is none.
 */
async function head(dir: string): Promise<{ gen: number; worn: number; over: number }> {
  const buf = await readFile(join(dir, 'dir.ldif.index'));
  const over = await readFile(join(dir, 'dir.ldif.index.more'), 'utf8').then((text) => (JSON.parse(text) as { rows: unknown[] }).rows.length, () => 0);
  return { ...(JSON.parse(buf.toString('utf8', 0, buf.indexOf(10))) as { gen: number; worn: number }), over };
}

test('patches overlay the index with the rows they changed, rewrites carry it, then build it afresh: every lookup stays right throughout', async (t) => {
  const names = Array.from({ length: 40 }, (_, i) => `P${i}`);
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-index-'));
  await writeFile(join(dir, 'dir.ldif'), `version: 1\n${names.map((p, i) => `\ndn: CN=${p},DC=corp\nobjectClass: user\nobjectGUID: g${i}\ncn: ${p}\n`).join('')}`);
  const agent = () => {
    const a = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
    a.expectValueChecks!('user', ['cn']);
    return a;
  };
  // The model: anchor → [dn, cn], in file order; and every cn ever held.
  const model = new Map(names.map((p, i) => [`g${i}`, [`CN=${p},DC=corp`, p] as [string, string]]));
  const everCn = new Set(names);
  const check = async (a: ManagementAgent, what: string) => {
    for (const [anchor, [dn]] of model) {
      t.is((await a.findObject!({ objectType: 'user', anchor }))?.dn, dn, `${what}: ${anchor}`);
      t.is((await a.findObject!({ objectType: 'user', dn: dn.toLowerCase() }))?.anchor, anchor, `${what}: ${dn}`);
    }
    const live = new Set([...model.values()].map(([, cn]) => cn));
    for (const cn of everCn) t.is(await a.isValueInUse!('user', 'cn', cn), live.has(cn), `${what}: cn ${cn}`);
    t.deepEqual(await imported(a), [...model].map(([anchor, [dn, cn]]) => `${anchor} ${dn} ${cn}`), what);
  };
  const step = async (reqs: ExportRequest[], expected: { gen: number; worn: number; over: number }, what: string, a = agent()) => {
    await exported(a, reqs, true);
    t.like(await head(dir), expected, what);
    await check(a, `${what}, same process`);
    await check(agent(), `${what}, next process`);
    return a;
  };
  const rename = (i: number, to: string) => {
    const [dn] = model.get(`g${i}`)!;
    model.set(`g${i}`, [`CN=${to},DC=corp`, to]);
    everCn.add(to);
    return req({ op: 'update', dn, anchor: `g${i}`, newDn: `CN=${to},DC=corp`, changes: { cn: { op: 'replace', value: to } } });
  };
  const remove = (i: number) => {
    const [dn] = model.get(`g${i}`)!;
    model.delete(`g${i}`);
    return req({ op: 'delete', dn, anchor: `g${i}` });
  };
  const add = (i: number, name: string) => {
    model.set(`g${i}`, [`CN=${name},DC=corp`, name]);
    everCn.add(name);
    return req({ op: 'add', dn: `CN=${name},DC=corp`, changes: { cn: { op: 'replace', value: name }, objectGUID: { op: 'replace', value: `g${i}` } } });
  };

  await step([rename(0, 'Q0')], { gen: 1, worn: 0, over: 0 }, 'first index, built from the file');
  // Three rows of 40, patched in: the index stays as written, the rows go to its overlay.
  await step([rename(1, 'Q1'), remove(2), add(50, 'N50')], { gen: 1, worn: 0, over: 3 }, 'overlaid: a rename, a removal, an add');
  // Six rows since the index was written, past an eighth of its 40: the index is carried with them, the overlay removed.
  await step([rename(50, 'R50'), rename(3, 'P2'), remove(4), add(51, 'N51')], { gen: 2, worn: 4, over: 0 }, 'carried: the added row renamed, a freed name taken');
  await step([5, 6, 7, 8, 9, 10].map((i) => rename(i, `S${i}`)), { gen: 3, worn: 10, over: 0 }, 'carried again');
  const same = await step([rename(11, 'P4')], { gen: 3, worn: 10, over: 1 }, 'overlaid on the carried index');
  // The same agent again: what it holds in memory from its last write is where that write put it.
  // Blanked records pass a quarter of the file: rewritten, and 13 rows of 42 worn, so the index is built afresh.
  await step([rename(12, 'T12'), remove(13)], { gen: 4, worn: 0, over: 0 }, 'a rewrite in the same process, built afresh', same);
});

/** The files under `under` this process holds open (Linux: /proc/self/fd; elsewhere none can be told). */
function openUnder(under: string): string[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } }).filter((p) => p.startsWith(under));
}

test('a saved index is read in pages as lookups reach them, and let go of once the file changes under it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-pages-'));
  const path = join(dir, 'dir.ldif');
  const n = 3000;
  await writeFile(path, `version: 1\n${Array.from({ length: n }, (_, i) => `\ndn: CN=U${i},DC=corp\nobjectClass: user\nobjectGUID: g${i}\ncn: U${i}\nmail: u${i}@corp\n`).join('')}`);
  const writer = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
  await exported(writer, [req({ op: 'update', dn: 'CN=U1,DC=corp', anchor: 'g1', changes: { description: { op: 'replace', value: 'x' } } })], true);
  const stamp = await fileStamp(path);
  const index = (await LdifIndex.read(path, stamp, new Set(['objectclass', 'objectguid']), new Set()))!;
  t.truthy(index, 'the index the rewrite saved');
  const pages = index.rows.unreadPages;
  t.true(pages > 20, `${pages} pages`);
  const text = await readFile(path, 'latin1');
  for (const i of [0, 1234, 2999]) {
    const row = index.rowOfDn(`cn=u${i},dc=corp`);
    // Its place first: nothing has read the page of the places that holds it.
    const span = index.span(row)!;
    t.true(text.slice(span.from, span.to).startsWith(`dn: CN=U${i},DC=corp\n`), `U${i} where the index says`);
    t.is(index.entry(row)?.dn, `CN=U${i},DC=corp`);
    t.is(index.rowOfAnchor(`g${i}`), row);
  }
  t.true(pages - index.rows.unreadPages <= 3 * 12, `three entries read ${pages - index.rows.unreadPages} of ${pages} pages`);
  index.close();
  // An agent loading the index holds its file while the index serves it, and no more once the file changes under it.
  const agent = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
  t.is((await agent.findObject!({ objectType: 'user', anchor: 'g7' }))?.dn, 'CN=U7,DC=corp');
  if (process.platform === 'linux') t.true(openUnder(`${path}.index`).length > 0, 'read as used');
  await appendFile(path, '\ndn: CN=Late,DC=corp\nobjectClass: user\nobjectGUID: late\ncn: Late\n');
  t.true((await imported(agent)).some((e) => e.startsWith('late CN=Late,')), 'a full import reads the file again');
  t.deepEqual(openUnder(`${path}.index`), [], 'the index that no longer matches is let go of');
  t.is((await agent.findObject!({ objectType: 'user', anchor: 'g2999' }))?.dn, 'CN=U2999,DC=corp');
});
