/**
 * Reads a text file of any size as batches of lines. A JavaScript string
 * cannot hold more than about 512 MB, and at a million people a journal or a
 * directory file is larger than that, so such files are never read whole.
 */
import { createReadStream } from 'node:fs';

/**
 * Lines without their line ends ("\n" or "\r\n"), in batches of one read chunk each.
 * Only a line cut by a chunk's edge is copied, to join its parts: copying
 * each chunk onto the previous one's tail took a tenth of opening a store.
 */
export async function* readLineBatches(path: string, chunkBytes = 16 * 2 ** 20): AsyncGenerator<string[]> {
  let carry: Buffer[] = [];
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    let start = 0;
    let head: string | undefined;
    if (carry.length) {
      const nl = chunk.indexOf(10);
      if (nl < 0) { carry.push(chunk); continue; }
      carry.push(chunk.subarray(0, nl));
      head = Buffer.concat(carry).toString('utf8');
      carry = [];
      start = nl + 1;
    }
    // A "\n" byte is never inside a UTF-8 sequence: decoding up to the last one splits no character.
    const end = chunk.lastIndexOf(10);
    const lines = end >= start ? chunk.toString('utf8', start, end).split('\n') : [];
    if (head !== undefined) lines.unshift(head);
    const rest = Math.max(end + 1, start);
    if (rest < chunk.length) carry.push(chunk.subarray(rest));
    if (lines.length) yield trimCr(lines);
  }
  if (carry.length) yield trimCr([Buffer.concat(carry).toString('utf8')]);
}

function trimCr(lines: string[]): string[] {
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  return lines;
}
