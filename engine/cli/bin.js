#!/usr/bin/env -S node --max-semi-space-size=32
// The flags after node are NODE_FLAGS in engine/heap-policy.ts (why: there); a test keeps the two equal.
// idsync runs its TypeScript sources directly through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
