/**
 * Reads a text file of any size as batches of lines. A JavaScript string
 * cannot hold more than about 512 MB, and at a million people a journal or a
 * directory file is larger than that, so such files are never read whole.
 */
import { createReadStream } from 'node:fs';

/** Lines without their line ends ("\n" or "\r\n"), in batches of one read chunk each. */
export async function* readLineBatches(path: string, chunkBytes = 16 * 2 ** 20): AsyncGenerator<string[]> {
  let carry: Buffer | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    // A "\n" byte is never inside a UTF-8 sequence: decoding up to the last one splits no character.
    const end = data.lastIndexOf(10);
    if (end < 0) { carry = data; continue; }
    carry = end + 1 < data.length ? data.subarray(end + 1) : null;
    yield split(data.toString('utf8', 0, end));
  }
  if (carry) yield split(carry.toString('utf8'));
}

function split(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  return lines;
}
