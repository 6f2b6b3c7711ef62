/** Snapshot files read in pages as their bytes are asked for (paged-file.ts), and the tables read through them. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POOL_PAGES, PagedFile } from '../../data/paged-file.ts';
import { FrozenTable, FrozenTableWriter, stringHash } from '../../data/frozen-table.ts';
import { openFileStore } from '../../data/json-file-store.ts';
import type { MvObject } from '../../data/objects.ts';

const dir = () => mkdtemp(join(tmpdir(), 'idsync-paged-'));

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

test('each range asked for holds the file\'s bytes, pages are read once, and the file is let go once all are in', async (t) => {
  const path = join(await dir(), 'f.bin');
  const bytes = randomBytes(1_000_003);
  await writeFile(path, bytes);
  const f = PagedFile.open(path);
  const r = random(7);
  let unread = f.unread;
  t.true(unread > 60, `${unread} pages`);
  for (let i = 0; i < 30; i++) {
    const start = Math.floor(r() * bytes.length);
    // Within a page, across two or three, and past the end.
    const end = Math.min(bytes.length + 10, start + Math.floor(r() * (i % 3 ? 4_000 : 40_000)));
    f.need(start, end);
    t.true(f.buf.subarray(start, Math.min(end, bytes.length)).equals(bytes.subarray(start, end)), `bytes ${start}-${end}`);
    t.true(f.unread <= unread, 'no page is read twice');
    unread = f.unread;
  }
  t.true(f.unread > 20, `thirty ranges leave pages unread (${f.unread})`);
  t.true(f.whole().equals(bytes));
  t.is(f.unread, 0);
  f.need(0, bytes.length);
});

test('a page asked for after close, or past the end of a file cut since it was opened, is an error naming the file', async (t) => {
  const path = join(await dir(), 'g.bin');
  await writeFile(path, randomBytes(100_000));
  const closed = PagedFile.open(path);
  closed.need(0, 10);
  closed.close();
  closed.need(5, 20);
  t.throws(() => closed.need(50_000, 50_010), { message: new RegExp(`${path} was closed before all of it was read`) });
  const cut = PagedFile.open(path);
  await truncate(path, 40_000);
  t.throws(() => cut.need(60_000, 60_010), { message: new RegExp(`${path} is shorter than when it was opened`) });
  cut.close();
});

test('a table read in pages: a lookup reads a few, gives what the table holds, and going over every entry reads the rest', async (t) => {
  const w = new FrozenTableWriter();
  const n = 50_000;
  for (let i = 0; i < n; i++) w.add(stringHash(`key${i}`), `key${i}`, `value ${i} ${'x'.repeat(i % 50)}`);
  const path = join(await dir(), 't.bin');
  w.writeFile(path);
  const table = await FrozenTable.read(path);
  const pages = table.unreadPages;
  t.true(pages > 100, `${pages} pages`);
  // A lookup reads the pages of its bucket, of each entry it probes, and of its key and value: a few.
  for (let j = 0; j < 20; j++) {
    const i = (j * 7919) % n;
    t.deepEqual(table.get(stringHash(`key${i}`), `key${i}`), [`value ${i} ${'x'.repeat(i % 50)}`]);
  }
  t.deepEqual(table.get(stringHash('nobody'), 'nobody'), []);
  const read = pages - table.unreadPages;
  t.true(read <= 21 * 8 && read * 5 < pages, `21 lookups read ${read} of ${pages} pages`);
  let count = 0;
  for (const [k, v] of table.entries()) if (v.startsWith(`value ${k.slice(3)} `)) count++;
  t.is(count, n);
  t.is(table.unreadPages, 0);
});

/** The files of `under` this process holds open (Linux: /proc/self/fd; elsewhere none can be told). */
function openUnder(under: string): string[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } }).filter((p) => p.startsWith(under));
}

test('a store opened from a snapshot reads its tables as lookups reach them, and lets go of them before a compaction removes them', async (t) => {
  const d = await dir();
  const person = (i: number): MvObject => ({ id: `m${i}`, objectType: 'person', attrs: { displayName: `P ${i}` }, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null });
  const s = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  const tx = s.begin();
  for (let i = 0; i < 3000; i++) tx.putMv(person(i));
  await tx.commit();
  s.mvIndexed('person', 'displayName');
  await s.close();
  const again = await openFileStore(d, { compactOnCloseAfterOps: 0 });
  t.is(again.mvFind('person', 'displayName', 'p 17')[0]?.id, 'm17');
  const generation = join(d, 'snapshot', '1');
  if (process.platform === 'linux') t.true(openUnder(generation).some((f) => f.includes('index-')), 'its tables are open, read as used');
  await (again as unknown as { compact(): Promise<void> }).compact();
  // Windows does not remove a file still open: what the lookups hold of it is read first.
  t.deepEqual(openUnder(generation), [], 'none of the replaced generation\'s files is left open');
  t.is(again.mvFind('person', 'displayName', 'p 2999')[0]?.id, 'm2999', 'looked up in what was read of it');
  t.is(again.mv('m1234')?.attrs['displayName'], 'P 1234');
  await again.close();
  const reopened = await openFileStore(d);
  t.is(reopened.mvFind('person', 'displayName', 'p 5')[0]?.id, 'm5');
  await reopened.close();
  t.deepEqual(openUnder(join(d, 'snapshot')), [], 'closing lets go of every file, read or not');
});

test.serial('lookups through the shared pool of pages give the file\'s bytes, with pages given up and read again, within pages and across them', async (t) => {
  const path = join(await dir(), 'pool.bin');
  const bytes = randomBytes(300_007);
  await writeFile(path, bytes);
  const f = PagedFile.open(path);
  const other = PagedFile.open(path);
  // Four pages for two files: nearly every read gives one up.
  PagedFile.setPoolPages(4);
  try {
    const r = random(11);
    f.need(8_000, 8_100);
    for (let i = 0; i < 3_000; i++) {
      const file = i % 3 ? f : other;
      // Near a page's end half the time: words and doubles across two pages.
      const at = i % 2 ? Math.floor(r() * 73) * 4096 - Math.floor(r() * 8) + 4095 : Math.floor(r() * (bytes.length - 8));
      const byte = Math.max(0, Math.min(at, bytes.length - 8));
      t.is(file.u8(byte), bytes[byte]!);
      t.is(file.u32(byte), bytes.readUInt32LE(byte));
      t.is(file.f64(byte), bytes.readDoubleLE(byte));
      const end = Math.min(bytes.length, byte + Math.floor(r() * (i % 5 ? 300 : 9_000)));
      if (file.text(byte, end, 'latin1') !== bytes.toString('latin1', byte, end)) t.fail(`text ${byte}-${end}`);
    }
    t.is(f.text(bytes.length - 3, bytes.length, 'hex'), bytes.toString('hex', bytes.length - 3));
    t.is(f.text(10, 10, 'latin1'), '');
    t.throws(() => f.u32(bytes.length - 2), { message: new RegExp(`${path}: bytes ${bytes.length - 2} to ${bytes.length + 2} are past its end`) });
    t.throws(() => f.text(bytes.length - 10, bytes.length + 5000, 'latin1'), { message: /past its end/ });
    t.true(f.unread > 60, 'lookups leave the file-sized buffer alone');
  } finally {
    PagedFile.setPoolPages(POOL_PAGES);
  }
  // A page the pool held is given up at close: read again after, it is an error naming the file.
  f.u32(200_000);
  f.close();
  t.throws(() => f.u32(200_000), { message: new RegExp(`${path} was closed before all of it was read`) });
  t.is(f.u32(8_000), bytes.readUInt32LE(8_000), 'bytes read into its buffer stay');
  other.close();
});

test.serial('opening a table and looking entries up allocates no buffer of the file\'s size', async (t) => {
  const w = new FrozenTableWriter();
  for (let i = 0; i < 150_000; i++) w.add(stringHash(`key${i}`), `key${i}`, `value of entry ${i}`);
  const path = join(await dir(), 'big.bin');
  w.writeFile(path);
  PagedFile.setPoolPages(64);
  try {
    const before = process.memoryUsage().arrayBuffers;
    const table = FrozenTable.open(path);
    for (let i = 0; i < 2_000; i += 7) t.deepEqual(table.get(stringHash(`key${i}`), `key${i}`), [`value of entry ${i}`]);
    const grown = process.memoryUsage().arrayBuffers - before;
    const size = table.unreadPages * 4096;
    t.true(grown < size / 4, `${grown} bytes allocated for a table of ${size}`);
    table.close();
  } finally {
    PagedFile.setPoolPages(POOL_PAGES);
  }
});
