#!/usr/bin/env -S node --max-semi-space-size=32 --min-semi-space-size=8
// The flags after node are NODE_FLAGS in engine/heap-policy.ts (why: there); a test keeps the two equal.
// idsync runs its TypeScript sources as one bundle built from them (bundle-cache.js: why there), or
// through tsx (a runtime dependency) where it cannot be built, or with IDSYNC_NO_BUNDLE=1.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundled } from './bundle-cache.js';

const main = new URL('./main.ts', import.meta.url);
const bundle = process.env['IDSYNC_NO_BUNDLE'] ? null : await bundled(fileURLToPath(main));
if (!bundle) (await import('tsx/esm/api')).register();
const program = await import(bundle ? pathToFileURL(bundle).href : main.href);
process.exitCode = await program.main(process.argv);
