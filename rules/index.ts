/** The rules language: parse, check, compile, format, evaluate. */
import { parseDocument, parseExpression } from './parse.ts';
import type { CompileResult } from './compile.ts';
import { compileParsed } from './compile-project.ts';

export * from './diagnostics.ts';
export type * from './model.ts';
export type { RulesDocument, Dialect, Expr } from './ast.ts';
export { parseDocument, parseExpression } from './parse.ts';
export { compileDocuments } from './compile.ts';
export { compileProject, findRuleFiles } from './compile-project.ts';
export { compileExpr, type Compiled, type Row } from './compile-expr.ts';
export { formatDocument } from './format.ts';
export { checkExpr } from './validate-expr.ts';
export { toStored, AuthoritativeNull, IgnoreThisFlow, Sentinel, ExpressionError, type Value } from './values.ts';
export type { EvalContext } from './functions/types.ts';
export { escapeRdnValue, splitDn, rdnValue } from '../data/dn.ts';

/** Compiles sources given as file name → text (paths as they should appear in diagnostics). */
export function compileSources(sources: ReadonlyMap<string, string>): CompileResult {
  return compileParsed([...sources].map(([file, text]) => parseDocument(file, text)));
}

export { parseExpression as parse };
