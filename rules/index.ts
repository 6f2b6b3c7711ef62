/** The rules language: parse, check, compile, format, evaluate. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseDocument, parseExpression } from './parse.ts';
import { compileDocuments, type CompileResult } from './compile.ts';
import type { Diagnostic } from './diagnostics.ts';

export * from './diagnostics.ts';
export type * from './model.ts';
export type { RulesDocument, Dialect, Expr } from './ast.ts';
export { parseDocument, parseExpression } from './parse.ts';
export { compileDocuments } from './compile.ts';
export { compileExpr, type Compiled, type Row } from './compile-expr.ts';
export { formatDocument } from './format.ts';
export { checkExpr } from './validate-expr.ts';
export { toStored, AuthoritativeNull, IgnoreThisFlow, Sentinel, ExpressionError, type Value } from './values.ts';
export type { EvalContext } from './functions/types.ts';
export { escapeRdnValue, splitDn, rdnValue } from '../data/dn.ts';

/** Compiles sources given as file name → text (paths as they should appear in diagnostics). */
export function compileSources(sources: ReadonlyMap<string, string>): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const docs = [...sources].map(([file, text]) => {
    const r = parseDocument(file, text);
    diagnostics.push(...r.diagnostics);
    return r.value;
  });
  return compileDocuments(docs, diagnostics);
}

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

/** Compiles every `*.sync` file of a project directory. */
export async function compileProject(dir: string): Promise<CompileResult & { files: string[] }> {
  const files = await findRuleFiles(dir);
  const sources = new Map<string, string>();
  for (const f of files) sources.set(relative(process.cwd(), f) || f, await readFile(f, 'utf8'));
  return { ...compileSources(sources), files };
}

export { parseExpression as parse };
