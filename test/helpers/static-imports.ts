/**
 * The project's modules a module loads as it is evaluated: its static imports
 * and re-exports, followed through the project's own files (packages and
 * `import type` left out, as no JavaScript loads them). For tests that keep a
 * costly module off a path that does not need it.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// `import x from './y.ts'`, `import './y.ts'`, `export { x } from './y.ts'`, `export * from './y.ts'`; not `import type`.
const STATIC = /^(?:import(?!\s+type\b)(?:[^'";]*?\bfrom)?|export(?!\s+type\b)[^'";]*?\bfrom)\s*'(\.{1,2}\/[^']+)'/gm;

/** Paths from the repository's root (`rules/parse.ts`) of every module `entry` (one such path) loads, itself included. */
export function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(resolve(root, file), 'utf8');
    for (const m of text.matchAll(STATIC)) visit(relative(root, resolve(root, dirname(file), m[1]!)));
  };
  visit(entry);
  return seen;
}
