/**
 * A value index told the version an object replaces (value-index.ts,
 * `update`'s `before`): a rewrite with the same indexed values changes
 * nothing, and any other still moves the object, over a snapshot's base or not.
 */
import test from 'ava';
import { CsValueIndex, MvValueIndex } from '../../data/value-index.ts';
import { FrozenTable } from '../../data/frozen-table.ts';
import type { CsObject, MvObject } from '../../data/objects.ts';

const person = (id: string, mail: string[], title: string): MvObject => ({ id, objectType: 'person', attrs: { mail, title }, lineage: {}, connectors: [], createdAt: '', deleteAt: null });

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

for (const seed of [1, 2, 3]) {
  test(`lookups follow rewrites told what they replace, over a snapshot's base (seed ${seed})`, (t) => {
    const r = random(seed);
    const mails = Array.from({ length: 12 }, (_, i) => `M${i}@x`);
    const pick = () => mails.filter(() => r() < 0.15);
    // The snapshot: a base table of what the first versions held.
    const held = new Map<string, MvObject>();
    const first = new MvValueIndex('person', 'mail');
    for (let i = 0; i < 8; i++) {
      const m = person(`p${i}`, pick(), 'a');
      held.set(m.id, m);
      first.update(m.id, m);
    }
    const index = new MvValueIndex('person', 'mail');
    index.load(FrozenTable.of(first.frozen().toBuffer(), 'test', (why) => new Error(why)), (id) => id);
    for (let round = 0; round < 200; round++) {
      const id = `p${Math.floor(r() * 8)}`;
      const before = held.get(id)!;
      // Half the rewrites change only another attribute; the others change the mail values, or their order or case.
      const op = r();
      const mail = op < 0.5 ? (before.attrs['mail'] as string[]) : op < 0.7 ? [...(before.attrs['mail'] as string[])].reverse() : op < 0.8 ? (before.attrs['mail'] as string[]).map((m) => m.toLowerCase()) : pick();
      const next = person(id, mail, `t${round}`);
      held.set(id, next);
      index.update(id, next, before);
      const expected = mails.map((m) => `${m}: ${[...held.values()].filter((p) => (p.attrs['mail'] as string[]).some((v) => v.toLowerCase() === m.toLowerCase())).map((p) => p.id).sort().join()}`);
      t.deepEqual(mails.map((m) => `${m}: ${index.ids(m).sort().join()}`), expected, `after round ${round}`);
    }
  });
}

test('a connector\'s value awaiting confirmation counts as held: confirming it rewrites nothing, and dropping the export drops it', (t) => {
  const cs = (o: Partial<CsObject>): CsObject => ({ id: 'c1', agent: 'ad', objectType: 'user', dn: 'CN=a', anchor: null, state: 'connector', mvId: null, hologram: {}, pendingImport: null, pendingExport: null, unconfirmed: null, ...o } as CsObject);
  const index = new CsValueIndex('user', 'sAMAccountName');
  const exported = cs({ unconfirmed: { sAMAccountName: 'jdoe' } });
  index.update('c1', exported);
  const confirmed = cs({ hologram: { sAMAccountName: 'JDoe' } });
  index.update('c1', confirmed, exported);
  t.deepEqual(index.ids('jdoe'), ['c1']);
  const renamed = cs({ hologram: { sAMAccountName: 'jdoe2' } });
  index.update('c1', renamed, confirmed);
  t.deepEqual(index.ids('jdoe'), []);
  t.deepEqual(index.ids('jdoe2'), ['c1']);
});
