/**
 * Opening restores each object's last committed version from the journal,
 * not every version: the store it opens must answer every lookup as a store
 * that applied every version in order does. Seeded random transactions
 * (objects renamed, re-anchored, joined to other metaverse objects, deleted
 * and put back, groups' members changed) against the memory store.
 */
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../../data/json-file-store.ts';
import { MemoryStore } from '../../data/store-state.ts';
import type { Store, StoreTransaction } from '../../data/store.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';
import { newCsObject } from '../../engine/import/stage-object.ts';

/** Park-Miller: the same sequence for a seed on every machine. */
const random = (seed: number) => () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
const mvIds = Array.from({ length: 8 }, (_, i) => `m${i}`);
const names = Array.from({ length: 10 }, (_, i) => `CN=N${i},DC=corp`);

/** One transaction's ops, keeping what the engine keeps unique (an anchor, a join per metaverse object) unique. */
function transaction(r: () => number, live: Map<string, CsObject>, step: number): ((tx: StoreTransaction) => void)[] {
  const ops: ((tx: StoreTransaction) => void)[] = [];
  for (let n = 1 + Math.floor(r() * 4); n > 0; n--) {
    const x = r();
    if (x < 0.5) {
      const id = pick(r, ids);
      const taken = (f: (o: CsObject) => string | null) => new Set([...live.values()].filter((o) => o.id !== id).map(f));
      const anchors = taken((o) => o.anchor);
      const joined = taken((o) => o.mvId);
      const anchor = r() < 0.2 ? null : pick(r, ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'].filter((a) => !anchors.has(a)).concat([`X${id}`]));
      const mvId = r() < 0.3 ? null : pick(r, mvIds.filter((m) => !joined.has(m)).concat([null as unknown as string]));
      const o = newCsObject('dir', { dn: pick(r, names), objectType: pick(r, ['user', 'group']) });
      const obj: CsObject = { ...o, id, anchor, mvId: mvId ?? null, state: mvId ? 'connector' : 'disconnector', hologram: { sAMAccountName: `s${step % 5}`, member: names.slice(0, Math.floor(r() * 6)) }, pendingImport: r() < 0.3 ? { op: 'update', delta: {} } : null };
      live.set(id, obj);
      ops.push((tx) => tx.putCs(obj));
    } else if (x < 0.65) {
      const id = pick(r, ids);
      live.delete(id);
      ops.push((tx) => tx.deleteCs('dir', id));
    } else if (x < 0.9) {
      const id = pick(r, mvIds);
      const m: MvObject = { id, objectType: 'group', attrs: { member: mvIds.filter(() => r() < 0.5), code: `g${step % 3}` }, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null };
      ops.push((tx) => tx.putMv(m));
    } else if (x < 0.95) {
      const id = pick(r, mvIds);
      ops.push((tx) => tx.deleteMv(id));
    } else ops.push((tx) => tx.setMeta('k', step));
  }
  return ops;
}

/** JSON with each object's keys sorted: a store reads an object back with its fields in its own order. */
const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** Every lookup the engine makes, as text. */
function lookups(s: Store): string[] {
  const cs = s.cs('dir');
  const out = [`ids ${cs.ids().join(',')}`, `importing ${[...cs.pendingImportIds()].sort().join(',')}`, `meta ${String(s.meta('k'))}`];
  for (const id of ids) out.push(`get ${id} ${canonical(cs.get(id) ?? null)}`);
  for (const a of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', ...ids.map((i) => `X${i}`)]) out.push(`anchor ${a} ${cs.byAnchor(a)?.id ?? '-'}`);
  for (const n of names) out.push(`dn ${n} ${cs.byDn(n.toLowerCase())?.id ?? '-'}`);
  for (const m of mvIds) out.push(`joined ${m} ${cs.joinedTo(m)?.id ?? '-'}`, `mv ${m} ${canonical(s.mv(m) ?? null)}`, `members ${m} ${s.mvFind('group', 'member', m).map((o) => o.id).sort().join(',')}`);
  // find may return more than hold the value (its callers check): what holds it must be among them.
  for (const v of ['s0', 's1', 's2', 's3', 's4']) out.push(`sam ${v} ${cs.find('user', 'sAMAccountName', v).filter((o) => o.objectType === 'user' && o.hologram['sAMAccountName'] === v).map((o) => o.id).sort().join(',')}`);
  for (const c of ['g0', 'g1', 'g2']) out.push(`code ${c} ${s.mvFind('group', 'code', c).map((o) => o.id).sort().join(',')}`);
  return out;
}

for (const [seed, replayHeldBytes] of [[7, undefined], [1234, undefined], [98765, 0]] as const) {
  test(`seed ${seed}${replayHeldBytes === 0 ? ', metaverse lines read again' : ''}: a reopened store answers every lookup as the ops applied in order do`, async (t) => {
    const r = random(seed);
    const d = await mkdtemp(join(tmpdir(), 'idsync-coalesce-'));
    // A snapshot with the indexes a replay must keep (a value index of connector objects, two of metaverse
    // objects), after five steps; then never again, so that every reopen replays the whole journal over it.
    let file = await openFileStore(d, { compactOnCloseAfterOps: 0 });
    const options = { compactAfterOps: 1e9, compactOnCloseAfterOps: 1e9, ...(replayHeldBytes === undefined ? {} : { replayHeldBytes }) };
    const memory = new MemoryStore();
    lookups(file);
    lookups(memory);
    const live = new Map<string, CsObject>();
    for (let step = 0; step < 60; step++) {
      if (step === 5) {
        await file.close();
        file = await openFileStore(d, options);
      }
      const ops = transaction(r, live, step);
      for (const s of [file, memory]) {
        const tx = s.begin();
        for (const op of ops) op(tx);
        await tx.commit();
      }
      if (step % 10 === 9) {
        await file.close();
        file = await openFileStore(d, options);
        t.deepEqual(lookups(file), lookups(memory), `after step ${step}`);
      }
    }
    await file.close();
  });
}
