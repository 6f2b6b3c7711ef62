/** Indexes frozen into one buffer by a snapshot, looked up in place when the store opens. */
import test from 'ava';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrozenTable, FrozenTableWriter, stringHash } from '../../data/frozen-table.ts';

const dir = () => mkdtemp(join(tmpdir(), 'idsync-frozen-'));

test('a frozen table gives the values of a key in the order they were added, comparing keys even when hashes collide', async (t) => {
  const w = new FrozenTableWriter();
  const keys = ['ann@x', 'bob@x', 'Zoë', '李小龍', '𐐀 Deseret', ''];
  keys.forEach((k, i) => w.add(stringHash(k), k, `id${i}`));
  w.add(stringHash('ann@x'), 'ann@x', 'second');
  // Two keys under one hash: each finds only its own values.
  w.add(7, 'seven-a', 'a1');
  w.add(7, 'seven-b', 'b1');
  w.add(7, 'seven-a', 'a2');
  const path = join(await dir(), 't.bin');
  w.writeFile(path);
  const table = await FrozenTable.read(path);
  t.is(table.size, keys.length + 4);
  t.deepEqual(table.get(stringHash('ann@x'), 'ann@x'), ['id0', 'second']);
  keys.slice(1, -1).forEach((k, i) => t.deepEqual(table.get(stringHash(k), k), [`id${i + 1}`], k));
  t.deepEqual(table.get(7, 'seven-a'), ['a1', 'a2']);
  t.deepEqual(table.get(7, 'seven-b'), ['b1']);
  t.deepEqual(table.get(7, ''), ['a1', 'b1', 'a2'], 'an empty key asks for every value under the hash');
  t.deepEqual(table.get(stringHash('nobody'), 'nobody'), []);
  t.deepEqual([...table.entries()].slice(0, 3), [['ann@x', 'id0'], ['bob@x', 'id1'], ['Zoë', 'id2']]);
});

test('a table where every key shares one bucket still finds each, and an empty table finds nothing', async (t) => {
  const w = new FrozenTableWriter();
  for (let i = 0; i < 1000; i++) w.add(i * 4096, `k${i}`, `v${i}`);
  const d = await dir();
  w.writeFile(join(d, 'a.bin'));
  const table = await FrozenTable.read(join(d, 'a.bin'));
  for (let i = 0; i < 1000; i += 97) t.deepEqual(table.get(i * 4096, `k${i}`), [`v${i}`]);
  new FrozenTableWriter().writeFile(join(d, 'empty.bin'));
  t.deepEqual((await FrozenTable.read(join(d, 'empty.bin'))).get(0, ''), []);
});

test('a damaged table file stops with its path', async (t) => {
  const d = await dir();
  const w = new FrozenTableWriter();
  w.add(stringHash('a'), 'a', 'b');
  const path = join(d, 'index-1.bin');
  w.writeFile(path);
  await writeFile(join(d, 'not.bin'), 'hello, this is not a table');
  await t.throwsAsync(FrozenTable.read(join(d, 'not.bin')), { message: /not\.bin cannot be read \(not an index table\); the snapshot is damaged/ });
  const whole = await readFile(path);
  await writeFile(path, whole.subarray(0, 20));
  await t.throwsAsync(FrozenTable.read(path), { message: /index-1\.bin cannot be read \(its header does not match its length\)/ });
});

test('a writer carrying a table keeps its entries byte for byte, replaces the ones asked and adds after them', (t) => {
  const w = new FrozenTableWriter();
  const names = Array.from({ length: 3000 }, (_, i) => `name-${i}-ß`);
  names.forEach((k, i) => w.add(stringHash(k), k, `v${i}`));
  const first = FrozenTable.of(w.toBuffer(), 'mem', (why) => new Error(why));
  const carried = FrozenTableWriter.carrying(first);
  carried.replace(5, stringHash('renamed'), 'renamed', 'v5-new');
  carried.add(stringHash('added'), 'added', 'v-added');
  const next = FrozenTable.of(carried.toBuffer(), 'mem', (why) => new Error(why));
  t.is(next.size, 3001);
  t.deepEqual(next.get(stringHash('name-5-ß'), 'name-5-ß'), [], 'a replaced key no longer finds its entry');
  t.deepEqual(next.get(stringHash('renamed'), 'renamed'), ['v5-new']);
  t.is(next.first(stringHash('renamed'), 'renamed'), 5, 'a replaced entry keeps its number');
  t.is(next.first(stringHash('added'), 'added'), 3000);
  t.is(next.first(stringHash('nobody'), 'nobody'), -1);
  for (const i of [0, 4, 6, 1234, 2999]) {
    t.deepEqual([next.key(i), next.value(i)], [`name-${i}-ß`, `v${i}`]);
    t.is(next.first(stringHash(`name-${i}-ß`), `name-${i}-ß`), i);
  }
});

test('a table read from part of a buffer reports damage in its caller\'s words', (t) => {
  const w = new FrozenTableWriter();
  w.add(1, 'k', 'v');
  const buf = w.toBuffer();
  const err = t.throws(() => FrozenTable.of(buf.subarray(0, 10), 'dir.ldif.index', (why) => new Error(`the cache is unusable: ${why}`)));
  t.is(err?.message, 'the cache is unusable: not an index table');
  const cut = FrozenTable.of(buf.subarray(0, buf.length - 1), 'dir.ldif.index', (why) => new Error(`the cache is unusable: ${why}`));
  t.throws(() => cut.get(1, 'k'), { message: 'the cache is unusable: an entry points past its end' });
});

test('keys with thousands of values, interleaved with others and with keys of colliding hashes, are laid out as plain linear probing lays them', (t) => {
  // Seeded: the same entries every run.
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const hot = Array.from({ length: 5 }, (_, i) => `manager-${i}`);
  const added: [number, string, string][] = [];
  for (let i = 0; i < 6000; i++) {
    const r = next() % 10;
    const key = r < 6 ? hot[next() % hot.length]! : r < 8 ? `k${next() % 500}` : `c${i}`;
    // Some keys under hashes that share a home bucket with the hot keys' runs.
    const hash = key.startsWith('c') ? stringHash(hot[0]!) + (next() % 4) * 16384 : stringHash(key);
    added.push([hash, key, `v${i}`]);
  }
  const w = new FrozenTableWriter();
  for (const [h, k, v] of added) w.add(h, k, v);
  const buf = w.toBuffer();
  const buckets = buf.readUInt32LE(12);
  // Plain linear probing, entry after entry from each one's home bucket.
  const expected = new Uint32Array(buckets);
  added.forEach(([h], e) => {
    let b = (h >>> 0) & (buckets - 1);
    while (expected[b] !== 0) b = (b + 1) & (buckets - 1);
    expected[b] = e + 1;
  });
  t.deepEqual(new Uint32Array(buf.buffer.slice(buf.byteOffset + 16, buf.byteOffset + 16 + buckets * 4)), expected);
  const table = FrozenTable.of(buf, 'test', (why) => new Error(why));
  const byKey = new Map<string, string[]>();
  for (const [, k, v] of added) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  for (const [k, vs] of byKey) t.deepEqual(table.get(added.find((a) => a[1] === k)![0], k), vs, k);
});
