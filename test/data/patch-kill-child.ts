/** Writes versions of a large group, as patches, until killed (patch-kill.test.ts); prints each version once committed. */
import { openFileStore } from '../../data/json-file-store.ts';
import { groupAt, mvGroupAt } from './patch-kill-versions.ts';

// Small limits, so that kills also land while a transaction writes out before its commit and while a snapshot is written.
const store = await openFileStore(process.argv[2]!, { waitMs: 30_000, spillAfterObjects: 1, compactAfterOps: 60 });
let v = store.meta<number>('v') ?? 0;
for (;;) {
  v++;
  const tx = store.begin();
  // From the versions read back, as a sync changes a group: the patch is of the version on disk.
  const cs = store.cs('dir').get('g');
  tx.putCs(cs ? { ...cs, hologram: groupAt(v).hologram } : groupAt(v));
  tx.settled?.();
  const mv = store.mv('m');
  tx.putMv(mv ? { ...mv, attrs: mvGroupAt(v).attrs } : mvGroupAt(v));
  tx.setMeta('v', v);
  await tx.commit();
  process.stdout.write(`${v}\n`);
}
