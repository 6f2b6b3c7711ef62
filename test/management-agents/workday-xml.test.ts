/** The workday-xml agent: typed IDs, effective dates, paging, and XML attacks refused. */
import test from 'ava';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkdayXmlAgent } from '../../management-agents/workday-xml/index.ts';
import type { ImportChange } from '../../management-agents/index.ts';
import { testAgent } from '../helpers/agent-conformance.ts';
import { generatePeople } from '../../data/demo/people.ts';
import { workdayPages } from '../../data/demo/write-sources.ts';
import type { Attributes } from '../../data/model.ts';

const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };
async function all(it: AsyncIterable<ImportChange>) {
  const out: ImportChange[] = [];
  for await (const c of it) out.push(c);
  return out;
}
const objs = (cs: ImportChange[]) => cs.flatMap((c) => (c.kind === 'object' ? [c.object] : []));

async function setup(files: Record<string, string>, settings: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-wd-'));
  await mkdir(join(dir, 'wd'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'wd', name), text);
  return { dir, agent: createWorkdayXmlAgent({ name: 'wd', settings: { path: 'wd', ...settings }, objectTypes: [{ name: 'worker', anchor: ['workerId'], attributes: [] }], baseDir: dir }) };
}
const agentFor = async (files: Record<string, string>, settings: Record<string, unknown> = {}) => (await setup(files, settings)).agent;

const worker = (id: string, status: string, extra = '') => `
    <wd:Worker>
      <wd:Worker_Reference><wd:ID wd:type="WID">w${id}</wd:ID><wd:ID wd:type="Employee_ID">${id}</wd:ID></wd:Worker_Reference>
      <wd:Worker_Data>
        <wd:Worker_ID>${id}</wd:Worker_ID>
        <wd:Personal_Data><wd:Name_Data><wd:Legal_Name_Data><wd:Name_Detail_Data wd:Formatted_Name="Logan McNeil"><wd:First_Name>Logan</wd:First_Name><wd:Last_Name>McNeil</wd:Last_Name></wd:Name_Detail_Data></wd:Legal_Name_Data></wd:Name_Data></wd:Personal_Data>
        <wd:Employment_Data>
          <wd:Worker_Job_Data wd:Primary_Job="1"><wd:Position_Data wd:Effective_Date="2020-01-01"><wd:Business_Title>Engineer</wd:Business_Title>
            <wd:Manager_as_of_last_detected_manager_change_Reference><wd:ID wd:type="WID">x</wd:ID><wd:ID wd:type="Employee_ID">21000</wd:ID></wd:Manager_as_of_last_detected_manager_change_Reference>
          </wd:Position_Data></wd:Worker_Job_Data>
          <wd:Worker_Status_Data>${status}</wd:Worker_Status_Data>
        </wd:Employment_Data>${extra}
      </wd:Worker_Data>
    </wd:Worker>`;
const response = (...workers: string[]) => `<?xml version="1.0"?><wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc"><wd:Response_Data>${workers.join('')}</wd:Response_Data></wd:Get_Workers_Response>`;

testAgent('workday-xml', async () => {
  const people = generatePeople(60, new Date('2026-01-01T00:00:00Z'));
  const agent = await agentFor({ 'p1.xml': workdayPages(people, 5)[0]!, 'p2.xml': workdayPages(people, 5)[1]! }, { 'as-of': '2026-01-01' });
  const seeded = new Map<string, Attributes>();
  for (const p of people.filter((x) => x.source !== 'hr').slice(0, 10)) seeded.set(p.workerId!, { firstName: p.givenName, lastName: p.sn });
  return { agent, seeded };
});

test('typed IDs: the anchor is the Employee_ID, the manager the Employee_ID of the reference, not the WID', async (t) => {
  const agent = await agentFor({ 'a.xml': response(worker('21001', '<wd:Hire_Date>2019-05-01</wd:Hire_Date>')) });
  const [o] = objs(await all(agent.fullImport(ictx)));
  t.is(o!.anchor, '21001');
  t.like(o!.attrs, { wid: 'w21001', managerId: '21000', firstName: 'Logan', lastName: 'McNeil', formattedName: 'Logan McNeil', title: 'Engineer', status: 'active' });
});

test('effective dates: pre-hire, termination (past and future), rehire', async (t) => {
  const agent = await agentFor({
    'a.xml': response(
      worker('1', '<wd:Hire_Date>2026-06-01</wd:Hire_Date>'),
      worker('2', '<wd:Hire_Date>2019-01-01</wd:Hire_Date><wd:Terminated>1</wd:Terminated><wd:Termination_Date>2026-01-31</wd:Termination_Date>'),
      worker('3', '<wd:Hire_Date>2019-01-01</wd:Hire_Date><wd:Terminated>1</wd:Terminated><wd:Termination_Date>2026-05-31</wd:Termination_Date>'),
      worker('4', '<wd:Hire_Date>2026-02-10</wd:Hire_Date><wd:Terminated>1</wd:Terminated><wd:Termination_Date>2025-12-31</wd:Termination_Date>'),
    ),
  }, { 'as-of': '2026-03-01' });
  const status = Object.fromEntries(objs(await all(agent.fullImport(ictx))).map((o) => [o.anchor, o.attrs['status']]));
  t.deepEqual(status, { '1': 'prehire', '2': 'terminated', '3': 'active', '4': 'active' });
});

test('a billion-laughs file is refused before parsing', async (t) => {
  const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc"><wd:Response_Data>&lol2;</wd:Response_Data></wd:Get_Workers_Response>`;
  const agent = await agentFor({ 'bomb.xml': bomb });
  await t.throwsAsync(all(agent.fullImport(ictx)), { message: /bomb\.xml: line 1: <!DOCTYPE> is not accepted/ });
});

test('an external-entity file is refused: no file is read', async (t) => {
  const xxe = `<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc"><wd:Response_Data><wd:Worker><wd:Worker_Data><wd:Worker_ID>&xxe;</wd:Worker_ID></wd:Worker_Data></wd:Worker></wd:Response_Data></wd:Get_Workers_Response>`;
  const agent = await agentFor({ 'xxe.xml': xxe });
  const err = await t.throwsAsync(all(agent.fullImport(ictx)), { message: /line 2: <!DOCTYPE> is not accepted/ });
  t.false(err!.message.includes('root:'), 'no file content leaks');
});

test('malformed XML names the file, line and column', async (t) => {
  const agent = await agentFor({ 'bad.xml': '<?xml version="1.0"?>\n<wd:Get_Workers_Response>\n  <wd:Response_Data>\n</wd:Get_Workers_Response>' });
  await t.throwsAsync(all(agent.fullImport(ictx)), { message: /bad\.xml:\d+:\d+: malformed XML/ });
});

test('a worker without an id is an import error, the others go on', async (t) => {
  const agent = await agentFor({ 'a.xml': response('<wd:Worker><wd:Worker_Data></wd:Worker_Data></wd:Worker>', worker('5', '<wd:Hire_Date>2019-01-01</wd:Hire_Date>')) });
  const changes = await all(agent.fullImport(ictx));
  t.is(objs(changes).length, 1);
  t.regex((changes[0] as { message: string }).message, /Worker #1: Worker has no Employee_ID/);
});

test('delta import reads the change extracts after the last one read; the latest record of a worker wins', async (t) => {
  const { dir: root, agent } = await setup({ 'a.xml': response(worker('1', '<wd:Hire_Date>2019-05-01</wd:Hire_Date>'), worker('2', '<wd:Hire_Date>2019-05-01</wd:Hire_Date>')) }, { 'as-of': '2026-01-01', 'delta-path': 'changes' });
  t.true(agent.capabilities.deltaImport);
  const marks: (string | null)[] = [];
  const ctx = (watermark: string | null) => ({ ...ictx, watermark, setWatermark: (w: string | null) => marks.push(w), becameFull: () => marks.push('became-full') });
  t.is(objs(await all(agent.fullImport(ctx(null)))).length, 2);
  t.deepEqual(JSON.parse(marks.at(-1)!), { file: '', changesOn: null }, 'no change file yet, no future date');
  t.deepEqual(await all(agent.deltaImport!(ctx(marks.at(-1)!))), [], 'the change folder does not exist yet: no changes');
  await mkdir(join(root, 'changes'));
  await writeFile(join(root, 'changes', 'c-0001.xml'), response(worker('2', '<wd:Hire_Date>2019-05-01</wd:Hire_Date><wd:Terminated>1</wd:Terminated><wd:Termination_Date>2025-12-01</wd:Termination_Date>')));
  await writeFile(join(root, 'changes', 'c-0002.xml'), response(worker('3', '<wd:Hire_Date>2019-05-01</wd:Hire_Date>'), worker('2', '<wd:Hire_Date>2019-05-01</wd:Hire_Date><wd:Terminated>1</wd:Terminated><wd:Termination_Date>2025-12-15</wd:Termination_Date>')));
  const first = objs(await all(agent.deltaImport!(ctx(marks.at(-1)!))));
  t.deepEqual(first.map((o) => [o.anchor, o.attrs['status'], o.attrs['terminationDate'] ?? null]), [['3', 'active', null], ['2', 'terminated', '2025-12-15']]);
  t.deepEqual(JSON.parse(marks.at(-1)!), { file: 'c-0002.xml', changesOn: null });
  t.deepEqual(await all(agent.deltaImport!(ctx(marks.at(-1)!))), [], 'nothing new');
});

test('delta import turns full on the day a future hire or termination read so far takes effect', async (t) => {
  const files = { 'a.xml': response(worker('1', '<wd:Hire_Date>2026-03-01</wd:Hire_Date>'), worker('2', '<wd:Hire_Date>2019-05-01</wd:Hire_Date><wd:Terminated>1</wd:Terminated><wd:Termination_Date>2026-02-01</wd:Termination_Date>')) };
  const before = await agentFor(files, { 'as-of': '2026-01-01', 'delta-path': 'changes' });
  let mark: string | null = null;
  let full = false;
  const ctx = () => ({ ...ictx, watermark: mark, setWatermark: (w: string | null) => { mark = w; }, becameFull: () => { full = true; } });
  const people = objs(await all(before.fullImport(ctx())));
  t.deepEqual(people.map((o) => o.attrs['status']), ['prehire', 'active']);
  t.deepEqual(JSON.parse(mark!), { file: '', changesOn: '2026-02-01' }, 'the earlier of the two days');
  t.deepEqual(await all(before.deltaImport!(ctx())), []);
  t.false(full);
  const after = await agentFor(files, { 'as-of': '2026-02-01', 'delta-path': 'changes' });
  const again = objs(await all(after.deltaImport!(ctx())));
  t.true(full, 'a full import: objects it does not send are deletes');
  t.deepEqual(again.map((o) => o.attrs['status']), ['prehire', 'terminated']);
  t.deepEqual(JSON.parse(mark!), { file: '', changesOn: '2026-03-01' });
});

test('a format that cannot date its changes refuses delta-path; a damaged watermark is a full import', async (t) => {
  const { createSuccessFactorsJsonAgent } = await import('../../management-agents/successfactors-json/index.ts');
  t.throws(() => createSuccessFactorsJsonAgent({ name: 'sf', settings: { path: 'x', 'delta-path': 'y' }, objectTypes: [], baseDir: tmpdir() }), { message: /cannot read change extracts: remove delta-path/ });
  const agent = await agentFor({ 'a.xml': response(worker('1', '<wd:Hire_Date>2019-05-01</wd:Hire_Date>')) }, { 'delta-path': 'changes' });
  const notes: string[] = [];
  const out = objs(await all(agent.deltaImport!({ ...ictx, watermark: 'not json', note: (m) => notes.push(m) })));
  t.is(out.length, 1);
  t.regex(notes.join(), /ran a full import/);
});

test('a change folder that cannot be read stops the import naming it; only a missing one means no changes yet', async (t) => {
  const files = { 'a.xml': response(worker('1', '<wd:Hire_Date>2019-05-01</wd:Hire_Date>')) };
  t.is(objs(await all((await agentFor(files, { 'as-of': '2026-01-01', 'delta-path': 'changes' })).fullImport(ictx))).length, 1);
  // Under a file, not a folder: ENOTDIR, which root cannot read past either.
  const agent = await agentFor(files, { 'as-of': '2026-01-01', 'delta-path': 'wd/a.xml/changes' });
  await t.throwsAsync(all(agent.fullImport(ictx)), { message: /\[wd\] cannot read .*a\.xml\/changes: ENOTDIR/ });
});
