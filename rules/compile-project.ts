/**
 * A project's rules compiled from its directory. Apart from index.ts so that
 * the engine, which only compiles projects, does not load the parser with the
 * rest of the language: parse-cache.ts loads it only for a file whose tree was
 * not kept.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { compileDocuments, type CompileResult } from './compile.ts';
import type { RulesDocument } from './ast.ts';
import type { ParseResult } from './parse.ts';
import { defaultRulesCache, parsedDocuments } from './parse-cache.ts';

/** Every `*.sync` file under `dir`, skipping node_modules and dot-folders. */
export async function findRuleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.sync')) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Compiles every `*.sync` file of a project directory. Files' syntax trees are
 * kept in `o.cache` (parse-cache.ts; null: parse every file).
 */
export async function compileProject(dir: string, o: { cache?: string | null } = {}): Promise<CompileResult & { files: string[] }> {
  const files = await findRuleFiles(dir);
  const sources = new Map<string, string>();
  for (const f of files) sources.set(relative(process.cwd(), f) || f, await readFile(f, 'utf8'));
  return { ...compileParsed(await parsedDocuments(sources, o.cache === undefined ? defaultRulesCache : o.cache)), files };
}

/** Compiles parsed files, their parse diagnostics first. */
export function compileParsed(parsed: readonly ParseResult<RulesDocument>[]): CompileResult {
  return compileDocuments(parsed.map((r) => r.value), parsed.flatMap((r) => r.diagnostics));
}
