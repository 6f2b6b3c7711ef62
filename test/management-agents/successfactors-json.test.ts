/** The successfactors-json agent: OData v2 paging, effective-dated navigations, statuses. */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { createSuccessFactorsJsonAgent } from '../../management-agents/successfactors-json/index.ts';
import { odataDate } from '../../management-agents/successfactors-json/successfactors-json-mapping.ts';
import type { ImportChange } from '../../management-agents/index.ts';
import { testAgent } from '../helpers/agent-conformance.ts';
import type { Attributes } from '../../data/model.ts';

const dir = fileURLToPath(new URL('../fixtures/successfactors/', import.meta.url));
const make = () => createSuccessFactorsJsonAgent({ name: 'sf', settings: { path: dir, 'as-of': '2026-03-01' }, objectTypes: [{ name: 'person', anchor: ['personIdExternal'], attributes: [] }], baseDir: '/' });
const notes: string[] = [];
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note: (m: string) => notes.push(m) };

testAgent('successfactors-json', async () => ({
  agent: make(),
  seeded: new Map<string, Attributes>([['10001', { lastName: 'Hoff' }], ['10002', { firstName: 'Ana' }], ['10003', { userId: 'lbrandt' }]]),
}));

test('the current effective-dated records win; statuses come from employment dates', async (t) => {
  const out: ImportChange[] = [];
  for await (const c of make().fullImport(ictx)) out.push(c);
  const objs = Object.fromEntries(out.flatMap((c) => (c.kind === 'object' ? [[c.object.anchor, c.object.attrs]] : [])));
  t.like(objs['10001'], { firstName: 'Marcus', lastName: 'Hoff', preferredName: 'Mark', title: 'Controller', location: 'Walldorf', managerId: '10000', userId: 'mhoff', status: 'active' });
  t.is(objs['10002']!.status, 'prehire');
  t.is(objs['10003']!.status, 'terminated');
  const err = out.find((c) => c.kind === 'error') as { message: string; file: string };
  t.regex(err.message, /record #2: PerPerson has no personIdExternal/);
  t.true(err.file.endsWith('page-2.json'));
  t.true(notes.some((n) => n.includes('$skiptoken=page-2')), 'the __next link is followed across the saved pages');
});

test('OData v2 dates', (t) => {
  t.is(odataDate('/Date(1577836800000)/'), '2020-01-01');
  t.is(odataDate('/Date(1577836800000+0000)/'), '2020-01-01');
  t.is(odataDate(null), undefined);
});
