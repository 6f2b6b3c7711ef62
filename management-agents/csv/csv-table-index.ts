/**
 * Where each row of the csv agent's export file is, saved beside the file
 * when the agent writes it (`<file>.index`): the next process looks rows up
 * there and copies unchanged rows as bytes, instead of reading and splitting
 * every line of the file at each export. At 100,000 people the app's file
 * holds 22,000 rows, and loading it took about 100 ms of each delta export.
 *
 * A cache, never the truth: it names the file's stamp (size and time) as
 * written, and the delimiter and anchor columns its keys were made with; it
 * is not used when any of these differ or it cannot be read whole, and the
 * file is read instead.
 */
import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../file-journal.ts';
import type { FileRange } from '../file-ranges.ts';

const FORMAT = 1;

/** Bytes [from, to) of the file that hold a row, its line end included: read only when the row is used. */
export class Place implements FileRange {
  constructor(readonly from: number, readonly to: number) {}
}

export interface CsvIndex {
  readonly stamp: string;
  readonly delimiter: string;
  readonly anchor: readonly string[];
  /** The header line as written (without its line end). */
  readonly header: string;
  /** Each row's key and place, in the file's order. */
  readonly rows: readonly (readonly [key: string, from: number, to: number])[];
}

export const indexPath = (path: string) => `${path}.index`;

/** The index saved for the file as `stamp` names it, made with this delimiter and these anchor columns; null otherwise. */
export async function readCsvIndex(path: string, stamp: string, delimiter: string, anchor: readonly string[]): Promise<CsvIndex | null> {
  const text = await readFile(indexPath(path), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const o = JSON.parse(text) as Partial<CsvIndex> & { format?: number };
    const fits = o.format === FORMAT && o.stamp === stamp && o.delimiter === delimiter && typeof o.header === 'string' && Array.isArray(o.rows);
    return fits && JSON.stringify(o.anchor) === JSON.stringify(anchor) ? (o as CsvIndex) : null;
  } catch {
    return null;
  }
}

/** Saves the index, renamed into place whole. */
export async function writeCsvIndex(path: string, index: CsvIndex): Promise<void> {
  await writeFileDurably(indexPath(path), [JSON.stringify({ format: FORMAT, ...index })]);
}
