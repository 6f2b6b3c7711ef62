/** Ranges of a file read back: the bytes asked for, in reads that fit an edit's few records and grow for a copy in file order. */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK, RangeReader } from '../../data/file-ranges.ts';

const SIZE = 3 * BLOCK + 12_345;

async function file(): Promise<{ path: string; bytes: Buffer }> {
  const bytes = Buffer.alloc(SIZE);
  let x = 7;
  for (let i = 0; i < SIZE; i++) { x = (x * 1103515245 + 12345) >>> 0; bytes[i] = 97 + (x >>> 24) % 26; }
  const path = join(await mkdtemp(join(tmpdir(), 'idsync-ranges-')), 'f');
  await writeFile(path, bytes);
  return { path, bytes };
}

/** The range's bytes as the reader hands them over. */
function bytesOf(r: RangeReader, from: number, to: number): Buffer {
  const parts: Buffer[] = [];
  r.read({ from, to }, (buf, start, end) => parts.push(Buffer.from(buf.subarray(start, end))));
  return Buffer.concat(parts);
}

test('every range gives the file\'s bytes: forward, back, across blocks, longer than a block, to the end', async (t) => {
  const { path, bytes } = await file();
  const r = new RangeReader(path);
  let x = 11;
  const next = (n: number) => { x = (x * 1103515245 + 12345) >>> 0; return x % n; };
  const ranges: [number, number][] = [[0, 10], [10, 4000], [SIZE - 100, SIZE], [BLOCK - 5, BLOCK + 5], [5, 2 * BLOCK + 17], [0, SIZE]];
  for (let i = 0; i < 300; i++) {
    const from = i % 3 === 0 ? (ranges.at(-1)![1] % SIZE) : next(SIZE);
    ranges.push([from, Math.min(SIZE, from + (i % 7 === 0 ? next(BLOCK + 9999) : next(5000)) + 1)]);
  }
  for (const [from, to] of ranges) t.true(bytesOf(r, from, to).equals(bytes.subarray(from, to)), `[${from}, ${to})`);
  t.is(r.text({ from: 100, to: 200 }), bytes.toString('utf8', 100, 200));
  r.close();
});

test('a record read at some place reads about that much, not a block; records copied in file order take few reads', async (t) => {
  const { path } = await file();
  const r = new RangeReader(path);
  // An edit: one record of 1 KB in the middle, then one of 1 MB elsewhere.
  bytesOf(r, 2 * BLOCK, 2 * BLOCK + 1024);
  t.true(r.bytesRead <= 64 * 1024, `${r.bytesRead} bytes for 1 KB`);
  bytesOf(r, 1000, 1000 + 2 ** 20);
  t.true(r.bytesRead <= 64 * 1024 + 2 ** 20 + 64 * 1024, `${r.bytesRead} bytes for 1 MB more`);
  r.close();
  // A copy: 2,000 records of 4 KB, one after another, with small gaps where records changed.
  const c = new RangeReader(path);
  for (let i = 0, at = 0; i < 2000; i++, at += 4096 + (i % 10 === 0 ? 300 : 0)) bytesOf(c, at, at + 4096);
  t.true(c.reads <= 12, `${c.reads} reads for 8 MB in order`);
  c.close();
});
