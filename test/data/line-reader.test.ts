/** Files read as batches of lines, never as one string: chunk edges split no line and no character. */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineBatches, readLineBatchesAt } from '../../data/line-reader.ts';

async function lines(text: string, chunkBytes: number): Promise<string[]> {
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-lines-')), 'f.txt');
  await writeFile(path, text);
  const out: string[] = [];
  for await (const batch of readLineBatches(path, chunkBytes)) out.push(...batch);
  return out;
}

test('lines come back whole across chunk edges, with CRLF and multi-byte characters', async (t) => {
  const text = 'first\r\nZoë Ünal 日本\nthird line that is longer than a chunk\r\n\nlast without a line end';
  const expected = ['first', 'Zoë Ünal 日本', 'third line that is longer than a chunk', '', 'last without a line end'];
  for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 20]) t.deepEqual(await lines(text, chunk), expected, `chunk ${chunk}`);
});

test('a file ending with a line end has no empty last line; an empty file has no lines', async (t) => {
  t.deepEqual(await lines('a\nb\n', 3), ['a', 'b']);
  t.deepEqual(await lines('', 3), []);
});

test('each line comes with its byte offset, and each batch with where the next starts, in ASCII and multi-byte chunks alike', async (t) => {
  const text = 'first\r\nZoë Ünal 日本\nthird\r\n\nlast without a line end';
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-lines-')), 'f.txt');
  await writeFile(path, text);
  const bytes = Buffer.from(text);
  for (const chunk of [1, 4, 9, 64]) {
    const got: [string, number][] = [];
    let end = 0;
    for await (const b of readLineBatchesAt(path, chunk)) {
      t.is(b.starts.length, b.lines.length);
      t.is(b.starts[0], end, `chunk ${chunk}: a batch starts where the last ended`);
      b.lines.forEach((l, i) => got.push([l, b.starts[i]!]));
      end = b.end;
    }
    t.is(end, bytes.length);
    for (const [line, at] of got) t.is(bytes.toString('utf8', at, at + Buffer.byteLength(line)), line, `chunk ${chunk}: ${line}`);
    t.deepEqual(got.map(([l]) => l), ['first', 'Zoë Ünal 日本', 'third', '', 'last without a line end']);
  }
});
