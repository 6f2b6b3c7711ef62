import { openFileStore } from '../../data/json-file-store.ts';
const s = await openFileStore(process.argv[2]!, { compactOnCloseAfterOps: -1 });
await s.close();
