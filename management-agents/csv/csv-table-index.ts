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

/**
 * 2: keys and row lengths in two flat arrays. Format 1 held a [key, from, to]
 * array per row, read into a place object per row, and made again after each
 * rewrite: at 100,000 people (22,000 rows) the 100-person delta's app export
 * took 55 ms with it, 34.5 ms with this (medians of six alternating runs).
 * An index of format 1 is not used: the file is read once, and its index saved anew.
 */
const FORMAT = 2;

export interface CsvIndex {
  readonly stamp: string;
  readonly delimiter: string;
  readonly anchor: readonly string[];
  /** The header line as written (without its line end). */
  readonly header: string;
  /** Where the first row starts: the header's length in bytes, its line end included. */
  readonly start: number;
  /** Each row's key, in the file's order. */
  readonly keys: readonly string[];
  /** Each row's length in bytes, its line end included: the rows follow one another from `start`. */
  readonly lengths: readonly number[];
}

export const indexPath = (path: string) => `${path}.index`;

/** The index saved for the file as `stamp` names it, made with this delimiter and these anchor columns; null otherwise. */
export async function readCsvIndex(path: string, stamp: string, delimiter: string, anchor: readonly string[]): Promise<CsvIndex | null> {
  const text = await readFile(indexPath(path), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const o = JSON.parse(text) as Partial<CsvIndex> & { format?: number };
    const fits = o.format === FORMAT && o.stamp === stamp && o.delimiter === delimiter && typeof o.header === 'string' && typeof o.start === 'number';
    const rows = Array.isArray(o.keys) && Array.isArray(o.lengths) && o.keys.length === o.lengths.length && o.lengths.every((n) => Number.isInteger(n) && n > 0);
    return fits && rows && JSON.stringify(o.anchor) === JSON.stringify(anchor) ? (o as CsvIndex) : null;
  } catch {
    return null;
  }
}

/** Where each row starts, and (last) where the rows end: from the index's start and lengths. */
export function rowStarts(index: Pick<CsvIndex, 'start' | 'lengths'>): Float64Array {
  const starts = new Float64Array(index.lengths.length + 1);
  let at = index.start;
  index.lengths.forEach((n, i) => { starts[i] = at; at += n; });
  starts[index.lengths.length] = at;
  return starts;
}

/** Saves the index, renamed into place whole. */
export async function writeCsvIndex(path: string, index: CsvIndex): Promise<void> {
  await writeFileDurably(indexPath(path), [JSON.stringify({ format: FORMAT, ...index })]);
}
