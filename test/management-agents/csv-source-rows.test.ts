/** The csv agent's source rows: rows of another length, and files read as plain lines (no quote) or by csv-parse. */
import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvAgent } from '../../management-agents/csv/index.ts';
import { LineEndScan } from '../../management-agents/csv/csv-line-ends.ts';
import type { ImportChange } from '../../management-agents/index.ts';
import { seeded } from '../helpers/random.ts';

const types = [{ name: 'person', anchor: ['employeeId'], attributes: ['employeeId', 'givenName', 'sn'] }];
const ictx = { pageSize: 10, watermark: null, setWatermark() {}, note() {} };

// One folder for the file's tests, a subfolder per import (the tests of a file run at once), removed at the end.
const root = await mkdtemp(join(tmpdir(), 'idsync-csv-rows-'));
let made = 0;
const folder = async () => {
  const dir = join(root, String(made++));
  await mkdir(dir);
  return dir;
};
test.after.always(() => rm(root, { recursive: true, force: true }));

async function importOf(content: string | Buffer, settings: Record<string, unknown> = {}): Promise<ImportChange[]> {
  const dir = await folder();
  await writeFile(join(dir, 'hr.csv'), content);
  const agent = createCsvAgent({ name: 'hr', settings: { path: 'hr.csv', ...settings }, objectTypes: types, baseDir: dir });
  const out: ImportChange[] = [];
  for await (const c of agent.fullImport(ictx)) out.push(c);
  return out;
}
/** A delta import of `content` as the drop file. */
async function importDrop(content: string): Promise<ImportChange[]> {
  const dir = await folder();
  await writeFile(join(dir, 'hr.csv'), 'employeeId\n');
  await writeFile(join(dir, 'hr.delta.csv'), content);
  const agent = createCsvAgent({ name: 'hr', settings: { path: 'hr.csv', delta: 'drop' }, objectTypes: types, baseDir: dir });
  const out: ImportChange[] = [];
  for await (const c of agent.deltaImport!(ictx)) out.push(c);
  return out;
}
/** Each change in a line: `anchor givenName sn`, or `error LINE message`. */
const shown = (cs: ImportChange[]) => cs.map((c) => (c.kind === 'object' ? [c.object.anchor, c.object.attrs['givenName'], c.object.attrs['sn']].join(' ') : c.kind === 'error' ? `error ${c.line} ${c.message}` : `${c.kind} ${c.anchor}`));

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


test('a file read a line at a time gives what csv-parse gives for the same rows all quoted: fields, lengths, empty lines, line ends, lines', async (t) => {
  const next = seeded(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const values = ['', ' ', 'Ann', ' Lee ', 'Zoë Ünal', '李', 'a b', '100', 'x;y'];
  // Values a file can hold only quoted: a delimiter, a quote (doubled), a line break.
  // (Not "\r\n" inside a field: csv-parse counts it as two lines, so its line numbers after one are one too many.)
  const quotedOnly = ['Smith, Jr.', 'the "boss"', 'two\nlines', '"'];
  for (let c = 0; c < 150; c++) {
    const end = pick(['\n', '\r\n'] as const);
    const rows: string[][] = [['employeeId', 'givenName', 'sn']];
    for (let r = 0; r < 1 + Math.floor(next() * 8); r++) {
      if (next() < 0.15) rows.push([]);
      else rows.push(Array.from({ length: next() < 0.8 ? 3 : 1 + Math.floor(next() * 5) }, (_, i) => (i === 0 && next() < 0.9 ? String(r + 1) : next() < 0.15 ? pick(quotedOnly) : pick(values))));
    }
    const quoteAnyway = rows.map((fields) => fields.map(() => next() < 0.05));
    const lastEnded = next() < 0.7;
    const text = (all: boolean) => {
      // Quoted where the value needs it (or, now and then, where it does not), or every field.
      // A row of one empty field is an empty line (skipped) unquoted, and a row quoted: left unquoted in both.
      const cell = (f: string, r: number, i: number) => (rows[r]!.length === 1 && f === '' ? f : all || /[",\r\n]/.test(f) || quoteAnyway[r]![i] ? `"${f.replaceAll('"', '""')}"` : f);
      const lines = rows.map((fields, r) => fields.map((f, i) => cell(f, r, i)).join(','));
      return lines.map((l, i) => (i < lines.length - 1 || lastEnded ? l + end : l)).join('');
    };
    const plain = text(false);
    // The same rows, each field quoted: csv-parse reads all of it, and gives the same values.
    const quoted = text(true);
    const drop = next() < 0.3;
    const run = (content: string) => (drop ? importDrop(`changeType,${content}`) : importOf(content));
    t.deepEqual(shown(await run(plain)), shown(await run(quoted)), `case ${c} (${drop ? 'drop file' : 'extract'}): ${JSON.stringify(plain)}`);
  }
});

test('line ends that differ, or a lone carriage return, are read by csv-parse: its line ends, not plain lines', async (t) => {
  // "\r\n" comes first, so csv-parse ends records there: the lone "\n" is inside a field, and the record has three.
  t.deepEqual(shown(await importOf('employeeId,givenName\r\n1,Ann\n2,Bob\r\n')), ['error 3 row has a different number of fields than the header (2)']);
  t.deepEqual(shown(await importOf('employeeId,givenName\r1,Ann\r2,Bob\r')), ['1 Ann ', '2 Bob ']);
  // "\n" comes first: a line holding only "\r" is a record of one field to csv-parse (which counts the "\r" as a line too).
  t.deepEqual(shown(await importOf('employeeId,givenName\n1,Ann\n\r\n2,Bob\n')), ['1 Ann ', 'error 4 row has a different number of fields than the header (2)', '2 Bob ']);
});

test('the scan: a line at a time only where every line ends alike, in an encoding of single-byte line ends', (t) => {
  const cfg = { quote: '"', delimiter: ',', encoding: undefined };
  const alike = (chunks: string[], settings: Partial<typeof cfg> | { encoding: 'utf16le' } = {}) => {
    const scan = new LineEndScan({ ...cfg, ...settings });
    for (const c of chunks) scan.push(Buffer.from(c, 'latin1'));
    return scan.alike;
  };
  t.true(alike(['a,b\n1,"2"\n', '3,4']));
  t.true(alike(['a,b\r\n1,2\r', '\n3,4\r\n']), 'a "\r\n" cut between two chunks');
  t.false(alike(['a,b\r\n1,2\n']));
  t.false(alike(['a,b\r\n1,"x\ny"\r\n']), 'a "\n" inside a quoted field of a "\r\n" file');
  t.false(alike(['a,b\r1,2\r']));
  t.false(alike(['a,b\n1,2\r']), 'a last line ended by a lone "\r"');
  t.false(alike(['\xff\xfea,b\n']), 'a UTF-16 byte order mark');
  t.false(alike(['a,b\n'], { encoding: 'utf16le' }));
  t.false(alike(['a,b\n'], { quote: '""' }), 'a quote of two characters');
});

test('a malformed quoted row is one error naming its line, also in the message; the plain rows after it are read', async (t) => {
  // A closing quote followed by more of the field: csv-parse alone took every later row into its error.
  t.deepEqual(shown(await importOf('employeeId,givenName,sn\n1,"Ann"x,Lee\n2,Bob,Day\n3,Cy,Eve\n')), [
    'error 2 malformed row: Invalid Closing Quote: got "x" at line 2 instead of delimiter, record delimiter, trimable character (if activated) or comment',
    'error 2 malformed row: Quote Not Closed: the parsing is finished with an opening quote at line 2',
    '2 Bob Day',
    '3 Cy Eve',
  ]);
  // A quote inside an unquoted field: csv-parse skips the row and reads on, as it does on the whole file.
  t.deepEqual(shown(await importOf('employeeId,givenName,sn\n1,An"n,Lee\n2,Bob,Day\n3,Cy,Eve\n')), [
    'error 2 malformed row: Invalid Opening Quote: a quote is found on field 1 at line 2, value is "An"',
    '2 Bob Day',
    '3 Cy Eve',
  ]);
});
