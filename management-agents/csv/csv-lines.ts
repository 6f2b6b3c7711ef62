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

function quotes(l: string): number {
  let n = 0;
  for (let at = l.indexOf('"'); at >= 0; at = l.indexOf('"', at + 1)) n++;
  return n;
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

/** The record's fields; `file` names it in errors. */
export function csvFields(r: CsvLine, delimiter: string, file: string): string[] {
  if (r.plain) return r.text.split(delimiter);
  try {
    const [fields, more] = parse(r.text, { delimiter, relax_column_count: true }) as string[][];
    if (!fields || more) throw new Error('not one record');
    return fields;
  } catch (err) {
    throw new Error(`${file}: line ${r.line}: ${(err as Error).message}`, { cause: err });
  }
}
