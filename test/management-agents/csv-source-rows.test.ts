/** The csv agent's source rows: rows of another length, and files read as plain lines (no quote) or by csv-parse. */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvAgent } from '../../management-agents/csv/index.ts';
import type { ImportChange } from '../../management-agents/index.ts';

const types = [{ name: 'person', anchor: ['employeeId'], attributes: ['employeeId', 'givenName', 'sn'] }];
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };

async function importOf(content: string | Buffer, settings: Record<string, unknown> = {}): Promise<ImportChange[]> {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-csv-rows-'));
  await writeFile(join(dir, 'hr.csv'), content);
  const agent = createCsvAgent({ name: 'hr', settings: { path: 'hr.csv', ...settings }, objectTypes: types, baseDir: dir });
  const out: ImportChange[] = [];
  for await (const c of agent.fullImport(ictx)) out.push(c);
  return out;
}
/** Each change in a line: `anchor givenName sn`, or `error LINE message`. */
const shown = (cs: ImportChange[]) => cs.map((c) => (c.kind === 'object' ? [c.object.anchor, c.object.attrs['givenName'], c.object.attrs['sn']].join(' ') : c.kind === 'error' ? `error ${c.line} ${c.message}` : c.kind));

for (const [how, quote] of [['plain lines', ''], ['csv-parse (a quoted field)', '"']] as const) {
  test(`${how}: a row of another length is one error naming its line; the rows after it are read`, async (t) => {
    const text = `employeeId,givenName,sn\n1,Ann,Lee\n2,Bob\n3,Cy,${quote}Day${quote}\n4,Dee,Eve,extra\n5,Fay,Gee\n`;
    t.deepEqual(shown(await importOf(text)), [
      '1 Ann Lee',
      'error 3 row has a different number of fields than the header (3)',
      '3 Cy Day',
      'error 5 row has a different number of fields than the header (3)',
      '5 Fay Gee',
    ]);
  });
}
