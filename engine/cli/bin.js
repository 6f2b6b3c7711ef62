#!/usr/bin/env node
// idsync runs its TypeScript sources directly through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
