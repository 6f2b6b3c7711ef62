/**
 * An app's CSV file read as records of lines, for the csv agent's export
 * table (csv-table.ts). A record without a quote is its fields joined by the
 * delimiter, and is split only when it is used; a record with one is parsed
 * by csv-parse. At 100,000 people the app's file holds 22,000 rows and
 * csv-parse took 150-230 ms to read it whole in every delta export, for the
 * hundred rows the export changes (measured).
 */
import { parse } from 'csv-parse/sync';

/** One record: its text (lines joined by "\n") and the line it starts on. `plain`: it holds no quote. */
export interface CsvLine { readonly text: string; readonly line: number; readonly plain: boolean }

/** How many quote characters a line holds: an odd count opens a quoted field, or closes it (RFC 4180 doubles one inside). */
export function quotes(l: string, quote = '"'): number {
  let n = 0;
  for (let at = l.indexOf(quote); at >= 0; at = l.indexOf(quote, at + 1)) n++;
  return n;
}

/**
 * A record under the header's names, as csv-parse's `columns` makes it: a
 * name repeated takes its last field, and a field missing is left out.
 */
export function recordOf(names: readonly string[], fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < names.length && i < fields.length; i++) record[names[i]!] = fields[i]!;
  return record;
}

/**
 * The records of a file's lines (without their line ends), empty lines
 * skipped. A record whose quotes leave a field open goes on over the next
 * lines: RFC 4180 doubles a quote inside a quoted field, so an odd count
 * leaves one open. A line with a carriage return inside goes to csv-parse too.
 */
export function* csvLines(lines: Iterable<string>): Iterable<CsvLine> {
  let open: string[] = [];
  let from = 0;
  let odd = false;
  let n = 0;
  for (const l of lines) {
    n++;
    const q = quotes(l);
    if (!open.length && !q) {
      if (l) yield { text: l, line: n, plain: !l.includes('\r') };
      continue;
    }
    if (!open.length) from = n;
    open.push(l);
    if (q % 2) odd = !odd;
    if (!odd) {
      yield { text: open.join('\n'), line: from, plain: false };
      open = [];
    }
  }
  // A quote never closed: csv-parse says so, with the line.
  if (open.length) yield { text: open.join('\n'), line: from, plain: false };
}

/** One record's fields by csv-parse; `file` names it in errors. */
function parsed(r: CsvLine, delimiter: string, file: string): string[] {
  try {
    const [fields, more] = parse(r.text, { delimiter, relax_column_count: true }) as string[][];
    if (!fields || more) throw new Error('not one record');
    return fields;
  } catch (err) {
    throw new Error(`${file}: line ${r.line}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Every record of the lines with its fields: a plain one's fields are its
 * text split by the delimiter, left to the caller (null); the others given to
 * csv-parse together, in one call (one call per record took four times as
 * long as parsing the whole file when every row is quoted, measured). When
 * that call fails, each is parsed alone, so that the error names the record's line.
 */
export function csvRecords(lines: Iterable<string>, delimiter: string, file: string): [CsvLine, string[] | null][] {
  const all = [...csvLines(lines)];
  const quoted = all.filter((r) => !r.plain);
  let fields: string[][] = [];
  try {
    fields = quoted.length ? (parse(quoted.map((r) => r.text).join('\n'), { delimiter, relax_column_count: true }) as string[][]) : [];
    if (fields.length !== quoted.length) throw new Error('records and lines do not match');
  } catch {
    fields = quoted.map((r) => parsed(r, delimiter, file));
  }
  let q = 0;
  return all.map((r) => [r, r.plain ? null : fields[q++]!]);
}

/**
 * Fields `want` (indexes; -1 for none, given as '') of a plain record, and how
 * many fields it has, without splitting it: a rewrite of the app's file at
 * 100,000 people split 22,000 lines into 110,000 strings for their anchors.
 */
export function plainFields(text: string, delimiter: string, want: readonly number[]): { count: number; values: string[] } {
  const values = want.map(() => '');
  let count = 0;
  for (let from = 0; ; count++) {
    const to = text.indexOf(delimiter, from);
    const end = to < 0 ? text.length : to;
    for (let i = 0; i < want.length; i++) if (want[i] === count) values[i] = text.slice(from, end);
    if (to < 0) return { count: count + 1, values };
    from = to + delimiter.length;
  }
}
