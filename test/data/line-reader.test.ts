/** Files read as batches of lines, never as one string: chunk edges split no line and no character. */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineBatches } from '../../data/line-reader.ts';

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
