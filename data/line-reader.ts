/**
 * Reads a text file of any size as batches of lines. A JavaScript string
 * cannot hold more than about 512 MB, and at a million people a journal or a
 * directory file is larger than that, so such files are never read whole.
 */
import { createReadStream } from 'node:fs';

/** One read chunk's lines, with where each starts in the file. */
export interface LineBatch {
  /** Lines without their line ends ("\n" or "\r\n"). */
  readonly lines: string[];
  /** Byte offset in the file of each line. */
  readonly starts: readonly number[];
  /** Byte offset just past the batch's last line end: where the next batch starts, or the file's length. */
  readonly end: number;
}

/**
 * Whole lines of the file as bytes: `data` up to `end` (a "\n", or the file's
 * end for its last chunk), starting at byte `base` of the file.
 */
export async function* lineChunks(path: string, chunkBytes: number, start = 0): AsyncGenerator<{ data: Buffer; end: number; base: number }> {
  let carry: Buffer | null = null;
  let base = start;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes, start }) as AsyncIterable<Buffer>) {
    const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    // A "\n" byte is never inside a UTF-8 sequence: decoding up to the last one splits no character.
    const end = data.lastIndexOf(10);
    if (end < 0) { carry = data; continue; }
    carry = end + 1 < data.length ? data.subarray(end + 1) : null;
    yield { data, end, base };
    base += end + 1;
  }
  if (carry) yield { data: carry, end: carry.length, base };
}

/** Lines without their line ends ("\n" or "\r\n"), in batches of one read chunk each. */
export async function* readLineBatches(path: string, chunkBytes = 16 * 2 ** 20): AsyncGenerator<string[]> {
  for await (const { data, end } of lineChunks(path, chunkBytes)) yield split(data.toString('utf8', 0, end));
}

/**
 * As `readLineBatches`, with each line's byte offset: for copying parts of the
 * file as they are, or reading on from where an earlier read ended (`start`).
 */
export async function* readLineBatchesAt(path: string, chunkBytes = 16 * 2 ** 20, start = 0): AsyncGenerator<LineBatch> {
  for await (const { data, end, base } of lineChunks(path, chunkBytes, start)) {
    const text = data.toString('utf8', 0, end);
    const starts: number[] = [];
    // Only ASCII decodes to as many UTF-16 units as bytes: then a character's index is its byte offset.
    const ascii = text.length === end;
    for (let at = 0; ; ) {
      starts.push(base + at);
      const next = ascii ? text.indexOf('\n', at) : data.indexOf(10, at);
      if (next < 0 || next >= end) break;
      at = next + 1;
    }
    const lines = split(text);
    yield { lines, starts, end: base + Math.min(end + 1, data.length) };
  }
}

function split(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  return lines;
}
