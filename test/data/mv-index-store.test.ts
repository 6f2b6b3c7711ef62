/** The store's metaverse lookups by value (joins, and who refers to whom) against a plain reference, through writes, rollbacks and reopening. */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import type { MvObject } from '../../data/objects.ts';

const group = (id: string, member: string[]): MvObject => ({ id, objectType: 'group', attrs: { member }, lineage: {}, connectors: [], createdAt: '2026-01-01T00:00:00Z', deleteAt: null });

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

for (const seed of [1, 2, 3]) {
  test(`lookups by member follow commits, not rollbacks, inside a transaction and after reopening (seed ${seed})`, async (t) => {
    const r = random(seed);
    const dir = await mkdtemp(join(tmpdir(), 'idsync-mvindex-'));
    let store = await openFileStore(dir);
    const people = Array.from({ length: 40 }, (_, i) => `p${i}`);
    let held = new Map<string, string[]>();
    const check = (what: string, view: Map<string, string[]>) => {
      for (const p of people) {
        const expected = [...view].filter(([, ms]) => ms.includes(p)).map(([g]) => g).sort();
        t.deepEqual(store.mvFind('group', 'member', p).map((m) => m.id).sort(), expected, `${what}: ${p}`);
      }
    };
    for (let round = 0; round < 12; round++) {
      const tx = store.begin();
      const view = new Map(held);
      for (let i = 0; i < 6; i++) {
        const id = `g${Math.floor(r() * 6)}`;
        if (r() < 0.15) { tx.deleteMv(id); view.delete(id); continue; }
        const before = view.get(id) ?? [];
        const next = [...new Set(r() < 0.6 ? [...before.filter(() => r() > 0.1), ...people.filter(() => r() < 0.05)] : people.filter(() => r() < 0.5))];
        tx.putMv(group(id, next));
        view.set(id, next);
        if (r() < 0.3) check(`round ${round} in the transaction`, view);
      }
      if (r() < 0.3) await tx.rollback();
      else { await tx.commit(); held = view; }
      // Snapshots too: a compaction writes the lookups as they are after the last writes.
      if (round % 4 === 1) await (store as unknown as { compact(): Promise<void> }).compact();
      check(`round ${round}`, held);
      if (round % 3 === 2) {
        await store.close();
        store = await openFileStore(dir);
        check(`round ${round}, reopened`, held);
      }
    }
    await store.close();
  });
}

test('an index built from every object (a store written before it was kept) is kept by a snapshot at close, not built by every run', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'idsync-mvindex-'));
  const catalog = (gen: number) => readFile(join(dir, 'snapshot', String(gen), 'catalog.jsonl'), 'utf8').catch(() => '');
  let store = await openFileStore(dir, { compactOnCloseAfterOps: 0 });
  const tx = store.begin();
  for (let i = 0; i < 200; i++) tx.putMv(group(`g${i}`, [`p${i % 7}`, `p${(i * 3) % 11}`]));
  await tx.commit();
  await store.close();
  t.notRegex(await catalog(1), /"mvIndex"/, 'a snapshot without the index, as an older version wrote it');
  // An empty journal, and a threshold under the 200 objects the lookup reads to build the index.
  store = await openFileStore(dir, { compactOnCloseAfterOps: 150 });
  t.true(store.mvFind('group', 'member', 'p3').length > 0);
  await store.close();
  t.regex(await catalog(2), /"mvIndex":\["group","member"\]/);
  store = await openFileStore(dir);
  const expected = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 7 === 3 || (i * 3) % 11 === 3).map((i) => `g${i}`);
  t.deepEqual(store.mvFind('group', 'member', 'p3').map((m) => m.id).sort(), expected.sort());
  await store.close();
});
