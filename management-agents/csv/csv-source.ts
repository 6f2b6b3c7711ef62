/**
 * The rows of a source CSV file (an extract or a drop file), each as a record
 * under the header's column names, or an error naming its line. A file whose
 * lines all end alike is read a line at a time (csv-line-rows.ts); any other
 * by csv-parse's stream, whole.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { AgentError } from '../errors.ts';
import type { CsvAgentConfig } from './csv-agent-config.ts';
import { decoderStream } from './csv-encoding.ts';
import { LineEndScan } from './csv-line-ends.ts';
import { lineRows, sourceParseOptions } from './csv-line-rows.ts';

/** A record with the line it ends on, or an error. `columns`: how many the header has. */
export type SourceRow =
  | { readonly kind: 'row'; readonly record: Readonly<Record<string, string>>; readonly line: number; readonly wrongLength: boolean; readonly columns: number }
  | { readonly kind: 'error'; readonly message: string; readonly line: number | undefined };

/** The file's bytes as a stream, and whether its lines end alike: scanned first, through the same open file. */
async function openSource(cfg: CsvAgentConfig, file: string, drop: Buffer | null, agent: string): Promise<{ input: Readable; alike: boolean }> {
  if (drop) {
    const scan = new LineEndScan(cfg);
    scan.push(drop);
    return { input: Readable.from([drop]), alike: scan.alike };
  }
  const fh = await open(file).catch((err: Error) => {
    throw new AgentError(agent, `cannot read ${file}: ${err.message}`);
  });
  try {
    const scan = new LineEndScan(cfg);
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      if (!bytesRead) break;
      scan.push(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    return { input: fh.createReadStream({ start: 0 }), alike: scan.alike };
  } catch (err) {
    await fh.close();
    throw new AgentError(agent, `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Rows csv-parse gives per batch. */
const BATCH = 256;

/** The header's names: trimmed, then renamed by the agent's header map. */
const namesOf = (cfg: CsvAgentConfig, header: readonly string[]) => header.map((h) => cfg.headerMap.get(h.trim()) ?? h.trim());

async function* parsedRows(cfg: CsvAgentConfig, text: Readable): AsyncIterable<SourceRow[]> {
  // Rows and skipped records' errors in the order csv-parse reached them, given a batch at a time.
  let rows: SourceRow[] = [];
  let columns = 0;
  const parser = parse({
    columns: (header: string[]) => {
      columns = header.length;
      return namesOf(cfg, header);
    },
    ...sourceParseOptions(cfg),
  });
  parser.on('skip', (err: Error & { lines?: number }) => {
    rows.push({ kind: 'error', message: `malformed row: ${err.message}`, line: err.lines });
  });
  text.on('error', (err) => parser.destroy(err));
  // csv-parse counts the records of another length so far: a record is one when the count moves.
  let invalid = 0;
  for await (const rec of text.pipe(parser) as AsyncIterable<{ record: Record<string, string>; info: { lines: number; invalid_field_length: number } }>) {
    const { record, info } = rec;
    const wrongLength = info.invalid_field_length > invalid;
    invalid = info.invalid_field_length;
    rows.push({ kind: 'row', record, line: info.lines, wrongLength, columns });
    if (rows.length >= BATCH) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length) yield rows;
}

/**
 * The rows of `file`, or of the drop file's bytes already read (`drop`), in
 * batches: a generator's step per row cost more than splitting the row (the
 * 100,000-person HR extract took as long as through csv-parse, measured).
 */
export async function* sourceRows(cfg: CsvAgentConfig, file: string, drop: Buffer | null, agent: string): AsyncIterable<SourceRow[]> {
  const { input, alike } = await openSource(cfg, file, drop, agent);
  const decoder = decoderStream(cfg.encoding);
  // pipe() does not forward errors: hand every upstream failure to what is iterated.
  input.on('error', (err: Error) => decoder.destroy(new AgentError(agent, `cannot read ${file}: ${err.message}`)));
  const text = input.pipe(decoder);
  try {
    yield* alike ? lineRows(cfg, text, (header) => namesOf(cfg, header)) : parsedRows(cfg, text);
  } catch (err) {
    if (err instanceof AgentError) throw err;
    throw new AgentError(agent, `${file}: ${(err as Error).message}`);
  } finally {
    input.destroy();
  }
}
