/**
 * An export that changes a few entries of a large LDIF directory changes the
 * file in place: the old records blanked, the new ones appended. A torn patch
 * is finished or undone on the next load, from the journal.
 */
import test from 'ava';
import { appendFile, mkdtemp, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import { parseLdif } from '../../management-agents/ldif/ldif-format.ts';
import { blank } from '../../management-agents/ldif/ldif-layout.ts';
import type { ExportRequest, ImportChange, ManagementAgent } from '../../management-agents/index.ts';

const types = [{ name: 'user', anchor: ['objectGUID'], attributes: ['cn', 'description'] }];
const rec = (n: number) => `dn: CN=User ${n},DC=corp\nobjectClass: user\nobjectGUID: u${n}\ncn: User ${n}\n`;
const agentIn = (dir: string) => createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };
const describe = (n: number, value: string): ExportRequest => ({ id: `d${n}`, op: 'update', objectType: 'user', dn: `CN=User ${n},DC=corp`, anchor: `u${n}`, changes: { description: { op: 'replace', value } } });

async function entries(agent: ManagementAgent): Promise<string[]> {
  const out: string[] = [];
  for await (const c of agent.fullImport(ictx) as AsyncIterable<ImportChange>) {
    if (c.kind === 'error') throw new Error(`${c.message} (line ${c.line})`);
    if (c.kind === 'object') out.push(`${c.object.dn}|${JSON.stringify(c.object.attrs['description'] ?? null)}`);
  }
  return out.sort();
}

/** A directory of 40 users, written once by the agent, so that an index is saved beside it. */
async function indexed() {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-patch-'));
  const path = join(dir, 'dir.ldif');
  await writeFile(path, `version: 1\n\n${Array.from({ length: 40 }, (_, i) => rec(i + 1)).join('\n')}`);
  const agent = agentIn(dir);
  await agent.export!([describe(1, 'first')], { note() {} });
  await agent.endExport!();
  return { dir, path, agent };
}

const batch: ExportRequest[] = [
  describe(5, 'changed'),
  { id: 'x7', op: 'delete', objectType: 'user', dn: 'CN=User 7,DC=corp', anchor: 'u7', changes: {} },
  { id: 'n', op: 'add', objectType: 'user', dn: 'CN=New,DC=corp', anchor: null, changes: { cn: { op: 'replace', value: 'New' } } },
];
const expected = (before: string[]) => [...before.filter((e) => !e.startsWith('CN=User 5,') && !e.startsWith('CN=User 7,')), 'CN=User 5,DC=corp|"changed"', 'CN=New,DC=corp|null'].sort();

test('a few changes are patched in: old records blanked in place, new ones appended; readers by index and by file agree', async (t) => {
  const { dir, path, agent } = await indexed();
  const before = await readFile(path, 'utf8');
  const all = await entries(agentIn(dir));
  await agent.export!(batch, { note() {} });
  await agent.endExport!();
  const after = await readFile(path, 'utf8');
  t.true(after.length > before.length, 'appended');
  for (const n of [5, 7]) {
    const at = before.indexOf(`dn: CN=User ${n},`);
    t.regex(after.slice(at, at + rec(n).length), /^(#[ ]*\n)+$/, `user ${n}'s old record is blanked, byte for byte`);
  }
  t.is(after.slice(0, before.indexOf('dn: CN=User 5,')), before.slice(0, before.indexOf('dn: CN=User 5,')), 'what comes before is untouched');
  t.deepEqual(parseLdif(after).errors, []);
  t.deepEqual(await entries(agentIn(dir)), expected(all), 'read through the index');
  await unlink(`${path}.index`);
  t.deepEqual(await entries(agentIn(dir)), expected(all), 'read from the file');
});

test('a patch saves the rows it changed beside the index and leaves the index as it was; a file changed by anything else is read again', async (t) => {
  const { dir, path, agent } = await indexed();
  const all = await entries(agentIn(dir));
  const index = await readFile(`${path}.index`);
  await agent.export!(batch, { note() {} });
  await agent.endExport!();
  t.deepEqual(await readFile(`${path}.index`), index, 'the index is not written again');
  t.is((JSON.parse(await readFile(`${path}.index.more`, 'utf8')) as { rows: unknown[] }).rows.length, 3, 'its overlay holds the three rows changed');
  t.deepEqual(await entries(agentIn(dir)), expected(all), 'read through the index and its overlay');
  const next = agentIn(dir);
  t.is((await next.findObject!({ objectType: 'user', dn: 'cn=new,dc=corp' }))?.dn, 'CN=New,DC=corp');
  t.is(await next.findObject!({ objectType: 'user', anchor: 'u7' }), null);
  t.is((await next.findObject!({ objectType: 'user', anchor: 'u5' }))?.attrs['description'], 'changed');
  // Another writer appends a record: the index and its overlay name the file as it was, so the next load reads the file.
  await appendFile(path, `\n${rec(99)}`);
  t.deepEqual(await entries(agentIn(dir)), [...expected(all), 'CN=User 99,DC=corp|null'].sort());
});

test('once blanked records would pass a quarter of the file, the export rewrites it without them', async (t) => {
  const { dir, path, agent } = await indexed();
  await agent.export!(Array.from({ length: 20 }, (_, i) => describe(i + 2, 'x'.repeat(20))), { note() {} });
  await agent.endExport!();
  const text = await readFile(path, 'utf8');
  t.false(text.includes('\n#'), 'no blanked record left');
  t.is((await entries(agentIn(dir))).filter((e) => e.includes('xxxx')).length, 20);
});

/** The journal and the file as a crash in the middle of the patch leaves them, from a patch run to completion on the same state. */
async function tornPatch() {
  const { dir, path, agent } = await indexed();
  const all = await entries(agentIn(dir));
  const original = await readFile(path, 'utf8');
  const size = (await stat(path)).size;
  await agent.export!(batch, { note() {} });
  // The journal as it stands when the step ends; the patch then runs to completion.
  const journal = await readFile(`${path}.journal`, 'utf8');
  await agent.endExport!();
  const patched = await readFile(path, 'utf8');
  const blanks = [5, 7].map((n) => { const from = original.indexOf(`dn: CN=User ${n},`); return [from, from + rec(n).length] as const; });
  const mark = JSON.stringify({ patch: size, blank: blanks, append: patched.length - size });
  return { dir, path, all, original, size, journal, patched, blanks, mark };
}

test('a patch torn while appending is undone: the file cut back, its old records whole for the journal to replay onto', async (t) => {
  const { dir, path, all, original, size, journal, patched, mark } = await tornPatch();
  t.regex(journal, /"edit":\{"description":/, 'the update is journaled as its change');
  await writeFile(path, original + patched.slice(size, size + Math.floor((patched.length - size) / 2)));
  await writeFile(`${path}.journal`, `${journal}${mark}\n`);
  const next = agentIn(dir);
  t.deepEqual(await entries(next), expected(all));
  t.is(await readFile(path, 'utf8'), original, 'the torn tail is cut off, and nothing was blanked');
  await next.endExport!();
  t.deepEqual(await entries(agentIn(dir)), expected(all), 'folded again: nothing lost');
});

test('a patch torn while blanking is finished: its appended text kept, its records blanked whole', async (t) => {
  const { dir, path, all, original, size, journal, patched, blanks, mark } = await tornPatch();
  // The appended text is durable (its Appended entry says so); the first record only half blanked.
  const [f0, t0] = blanks[0]!;
  const half = Math.floor((t0 - f0) / 2);
  await writeFile(path, patched.slice(0, f0) + original.slice(f0, f0 + half) + patched.slice(f0 + half));
  await writeFile(`${path}.journal`, `${journal}${mark}\n${JSON.stringify({ appended: size })}\n`);
  const next = agentIn(dir);
  t.deepEqual(await entries(next), expected(all));
  t.is(await readFile(path, 'utf8'), patched, 'blanked whole, the appended records kept');
  await next.endExport!();
  t.deepEqual(await entries(agentIn(dir)), expected(all));
});

test('a patch torn under an earlier idsync (whole entries, blanks and append at once) is undone as it expected', async (t) => {
  const { dir, path, all, original, size, journal, patched, blanks } = await tornPatch();
  // That version journaled the update whole, and its mark gives no appended length.
  const whole = journal.replace(/^\{"edit".*$/m, JSON.stringify({ put: { dn: 'CN=User 5,DC=corp', attrs: { objectClass: 'user', objectGUID: 'u5', cn: 'User 5', description: 'changed' } }, key: 'CN=User 5,DC=corp' }));
  t.not(whole, journal);
  const [f0, t0] = blanks[0]!;
  const half = Math.floor((t0 - f0) / 2);
  await writeFile(path, patched.slice(0, f0) + original.slice(f0, f0 + half) + patched.slice(f0 + half, size) + patched.slice(size, size + Math.floor((patched.length - size) / 2)));
  await writeFile(`${path}.journal`, `${whole}${JSON.stringify({ patch: size, blank: blanks })}\n`);
  const next = agentIn(dir);
  t.deepEqual(await entries(next), expected(all));
  t.is((await stat(path)).size, size, 'the torn tail is cut off');
  t.deepEqual(parseLdif(await readFile(path, 'utf8')).errors, [], 'the half-blanked record is blanked whole');
  await next.endExport!();
  t.deepEqual(await entries(agentIn(dir)), expected(all));
});

test('updates are journaled as their changes, found again by anchor: before the fold, and over the file folded already', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-edit-'));
  const path = join(dir, 'dir.ldif');
  const members = Array.from({ length: 400 }, (_, i) => `CN=Member ${i},DC=corp`);
  await writeFile(path, `version: 1\n\n${rec(1)}\n${rec(2)}\n${rec(3)}\ndn: CN=Big,DC=corp\nobjectClass: user\nobjectGUID: big\n${members.map((m) => `description: ${m}\n`).join('')}`);
  const agent = agentIn(dir);
  const update = (id: string, dn: string, anchor: string, changes: ExportRequest['changes'], newDn?: string): ExportRequest => ({ id, op: 'update', objectType: 'user', dn, anchor, changes, ...(newDn ? { newDn } : {}) });
  // Renamed twice, edited then deleted, and one value of 400 changed on each side.
  await agent.export!([update('a', 'CN=User 1,DC=corp', 'u1', { cn: { op: 'replace', value: 'X' } }, 'CN=X,DC=corp'), update('b', 'CN=User 2,DC=corp', 'u2', { cn: { op: 'replace', value: 'Gone' } })], { note() {} });
  await agent.export!([update('c', 'CN=X,DC=corp', 'u1', { cn: { op: 'replace', value: 'Y' } }, 'CN=Y,DC=corp'), { id: 'd', op: 'delete', objectType: 'user', dn: 'CN=User 2,DC=corp', anchor: 'u2', changes: {} }], { note() {} });
  await agent.export!([update('e', 'CN=Big,DC=corp', 'big', { description: { op: 'values', add: ['CN=New,DC=corp'], remove: [members[7]!] } })], { note() {} });
  const journal = await readFile(`${path}.journal`, 'utf8');
  t.true(journal.length < 1000, `the journal holds the changes, not the 400 values (${journal.length} bytes)`);
  const want = ['CN=Big,DC=corp|' + JSON.stringify([...members.filter((_, i) => i !== 7), 'CN=New,DC=corp']), 'CN=User 3,DC=corp|null', 'CN=Y,DC=corp|null'];
  t.deepEqual(await entries(agentIn(dir)), want, 'a new process before the step ends');
  await agent.endExport!();
  await writeFile(`${path}.journal`, journal);
  t.deepEqual(await entries(agentIn(dir)), want, 'replayed over the file it was folded into');
  const again = agentIn(dir);
  await again.endExport!();
  t.deepEqual(await entries(agentIn(dir)), want);
  t.is((await again.findObject!({ objectType: 'user', anchor: 'u1' }))?.attrs['cn'], 'Y');
});

test('a blank is exactly as long as the record it covers, and every line of it is a comment an LDIF reader skips', (t) => {
  for (let length = 2; length <= 1000; length++) {
    const text = blank(length).toString('latin1');
    t.is(text.length, length);
    const lines = text.split('\n').slice(0, -1);
    t.true(text.endsWith('\n') && lines.every((l) => l.startsWith('#') && /^# *$/.test(l) && l.length + 1 <= 76), `length ${length}`);
  }
  t.deepEqual(parseLdif(`version: 1\n\n${rec(1)}\n${blank(1000).toString('latin1')}\n${rec(2)}`).entries.map((e) => e.dn), ['CN=User 1,DC=corp', 'CN=User 2,DC=corp']);
});

/** The bytes of the file's blanked records, each with the blank line before it: what a patch leaves that a rewrite drops. */
const blankedBytes = (text: string) => text.split('\n').reduce((n, line, i, lines) => (line.startsWith('#') ? n + line.length + 1 + (lines[i - 1]?.startsWith('#') ? 0 : 1) : n), 0);
/** The record of `dn` in `text`, with the line end that closes it. */
const recordOf = (text: string, dn: string) => { const at = text.indexOf(`dn: ${dn}\n`); return text.slice(at, text.indexOf('\n\n', at) + 1 || undefined); };

test('each export patches while blanked records stay within a quarter of the file, and rewrites exactly when the patch would pass it', async (t) => {
  const { dir, path } = await indexed();
  let agent = agentIn(dir);
  let before = await readFile(path, 'utf8');
  const seen = { patched: 0, rewritten: 0 };
  for (let step = 0; step < 60; step++) {
    // A new process every third step: the slots then come from the index and its overlay.
    if (step % 3 === 0) agent = agentIn(dir);
    const n = ((step * 7) % 40) + 1;
    const dn = `CN=User ${n},DC=corp`;
    await agent.export!([describe(n, `step ${step} `.repeat(1 + (step % 4)))], { note() {} });
    await agent.endExport!();
    const after = await readFile(path, 'utf8');
    if (after.includes('\n#')) {
      seen.patched++;
      t.true(blankedBytes(after) * 4 <= after.length, `step ${step}: patched past a quarter (${blankedBytes(after)} of ${after.length})`);
    } else {
      seen.rewritten++;
      // The patch it did not make: the old record blanked, the new one appended.
      const blanked = blankedBytes(before) + 1 + recordOf(before, dn).length;
      const size = before.length + 1 + recordOf(after, dn).length;
      t.true(blanked * 4 > size, `step ${step}: rewritten though a patch would leave ${blanked} of ${size} blanked`);
    }
    before = after;
  }
  t.true(seen.patched >= 40 && seen.rewritten >= 2, JSON.stringify(seen));
  // Every user was updated at least once (7 and 40 share no factor): each holds its last description.
  t.is((await entries(agentIn(dir))).filter((e) => e.includes('step ')).length, 40);
});
