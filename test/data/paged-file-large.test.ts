/**
 * A file read in pages past 2 GiB (paged-file.ts): page numbers and offsets
 * there do not fit 32-bit shifts. The file is sparse, so it takes no disk,
 * and the buffer takes memory only where pages are read.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PagedFile } from '../../data/paged-file.ts';

/** A sparse file of `size` bytes in a folder removed after the test, holding `mark@N` (9 bytes) at each byte N of `marks`. */
async function sparse(t: ExecutionContext, size: number, marks: readonly number[]): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'idsync-paged-large-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  const path = join(d, 'large.bin');
  const f = await open(path, 'w');
  try {
    await f.truncate(size);
    for (const at of marks) await f.write(Buffer.from(`mark@${at}`.slice(0, 9)), 0, 9, at);
  } finally {
    await f.close();
  }
  return path;
}

test('bytes past 2 GiB and up to its end are read where they are', async (t) => {
  const size = 2 ** 31 + 3 * 4096 + 100;
  const marks = [2 ** 31 - 3, 2 ** 31 + 4096 + 7, size - 9];
  const path = await sparse(t, size, marks);
  const pages = PagedFile.open(path);
  try {
    for (const at of marks) {
      pages.need(at, at + 9);
      t.is(pages.buf.toString('latin1', at, at + 9), `mark@${at}`.slice(0, 9), `at byte ${at}`);
    }
    // A sparse file's holes read as zeros: a page read from the wrong place would show a mark or not, here it is all zero.
    pages.need(2 ** 31 + 2 * 4096, 2 ** 31 + 3 * 4096);
    t.true(pages.buf.subarray(2 ** 31 + 2 * 4096, 2 ** 31 + 3 * 4096).every((b) => b === 0));
    t.is(pages.unread, Math.ceil(size / 4096) - 5, 'five pages read');
  } finally {
    pages.close();
  }
});

test('lookups past 2 GiB read the right bytes through the shared pool, and allocate no buffer of the file\'s size', async (t) => {
  const size = 2 ** 31 + 5 * 4096 + 100;
  // One within a page, one across two pages, one at the very end.
  const marks = [2 ** 31 + 4096 + 7, 2 ** 31 + 3 * 4096 - 4, size - 9];
  const path = await sparse(t, size, marks);
  const before = process.memoryUsage().arrayBuffers;
  const pages = PagedFile.open(path);
  try {
    for (const at of marks) {
      t.is(pages.text(at, at + 9, 'latin1'), `mark@${at}`.slice(0, 9), `at byte ${at}`);
      t.is(pages.u32(at), Buffer.from(`mark@${at}`.slice(0, 4), 'latin1').readUInt32LE(0));
    }
    t.is(pages.u32(2 ** 31 + 4 * 4096), 0, 'a hole reads as zeros');
    t.true(process.memoryUsage().arrayBuffers - before < 2 ** 28, 'far less than the file');
  } finally {
    pages.close();
  }
});
