/**
 * A source file read a line at a time (its line ends alike, see
 * csv-line-ends.ts). A line without a quote character, outside a quoted
 * field, is its fields split by the delimiter: what csv-parse makes of it,
 * faster. Through the agent, the 100,000-person HR extract (9.7 MB, one row
 * quoted) took 1.15-1.29 s with csv-parse and 0.42-0.51 s so; the departments
 * extract (ten rows of 10,000 members, read at every delta) 31 against 12 ms
 * (measured). Runs of lines with quotes, with the lines a quoted field spans,
 * go to csv-parse together, with the rows' lines counted from the file's start.
 *
 * One difference from csv-parse reading the whole file: a malformed quoted
 * record's error ends with its run of lines. csv-parse can lose its way after
 * one (`1,"ab"c` took every later row of a file into a "quote not closed"
 * error); here the plain rows after it are read.
 */
import { parse } from 'csv-parse/sync';
import type { CsvAgentConfig } from './csv-agent-config.ts';
import { quotes, recordOf } from './csv-lines.ts';
import type { SourceRow } from './csv-source.ts';

/** Characters of quoted lines given to csv-parse in one call, at most (cut where no quoted field is open). */
const RUN_CHARS = 1 << 20;

/** csv-parse's settings for a source, whole or a run of its lines: what the agent reads as a row and as an error. */
export const sourceParseOptions = (cfg: CsvAgentConfig) =>
  ({ delimiter: cfg.delimiter, quote: cfg.quote, info: true, skip_empty_lines: true, relax_column_count: true, skip_records_with_error: true }) as const;

/** A row's fields, or an error, with the line it ends on. */
type Parsed = { readonly fields: string[]; readonly line: number } | Extract<SourceRow, { kind: 'error' }>;

/**
 * A run of lines starting at line `from`, by csv-parse: rows and errors in the file's order, its lines counted from
 * the file's start. `ended`: the file has a line end after the run's last line (csv-parse needs all of a "\r\n").
 */
function parseRun(cfg: CsvAgentConfig, lines: readonly string[], from: number, ended: boolean): Parsed[] {
  const out: Parsed[] = [];
  const at = (n: number | undefined) => (n === undefined ? undefined : from - 1 + n);
  const records = parse(lines.join('\n') + (ended ? '\n' : ''), {
    ...sourceParseOptions(cfg),
    on_skip: (err: Error & { lines?: number } | undefined) => {
      if (!err) return;
      const message = err.message.replace(/\bat line (\d+)/g, (_, n: string) => `at line ${at(Number(n))}`);
      out.push({ kind: 'error', message: `malformed row: ${message}`, line: at(err.lines) });
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];
  for (const r of records) out.push({ fields: r.record, line: at(r.info.lines)! });
  // Errors were pushed as csv-parse met them, rows after: back in the file's order (a stable sort).
  return out.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** The rows of a file's decoded text, in batches (one per chunk of text). */
export async function* lineRows(cfg: CsvAgentConfig, text: AsyncIterable<string>, namesOf: (header: readonly string[]) => string[]): AsyncIterable<SourceRow[]> {
  let names: string[] | null = null;
  let out: SourceRow[] = [];
  let line = 0;
  // The run of lines with quotes being gathered: its lines, first line, length, and whether a quoted field is open.
  let run: string[] = [];
  let from = 0;
  let chars = 0;
  let open = false;
  // Whether the run's last line has its line end: all but the file's last line have.
  let ended = true;
  const row = (fields: string[], at: number) => {
    if (!names) names = namesOf(fields);
    else out.push({ kind: 'row', record: recordOf(names, fields), line: at, wrongLength: fields.length !== names.length, columns: names.length });
  };
  const endRun = () => {
    if (!run.length) return;
    for (const p of parseRun(cfg, run, from, ended)) if ('fields' in p) row(p.fields, p.line); else out.push(p);
    run = [];
    chars = 0;
  };
  const take = (l: string, terminated: boolean) => {
    line++;
    const n = quotes(l, cfg.quote);
    if (!n && !open) {
      endRun();
      const t = l.endsWith('\r') ? l.slice(0, -1) : l;
      // csv-parse's skip_empty_lines: only a line with nothing on it.
      if (t) row(t.split(cfg.delimiter), line);
      return;
    }
    if (!run.length) from = line;
    run.push(l);
    ended = terminated;
    chars += l.length;
    // RFC 4180 doubles a quote inside a quoted field: an odd count opens a field, or closes it.
    if (n % 2) open = !open;
    if (!open && chars >= RUN_CHARS) endRun();
  };
  let rest = '';
  for await (const chunk of text) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const l of lines) take(l, true);
    if (out.length) yield out;
    out = [];
  }
  if (rest) take(rest, false);
  // A quoted field never closed: the run is the rest of the file, and csv-parse says so.
  endRun();
  if (out.length) yield out;
}
