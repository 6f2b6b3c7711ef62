/** Text → AST with every lexing and parsing error as a diagnostic. Never throws. */
import type { IToken } from 'chevrotain';
import type { Dialect, Expr, RulesDocument } from './ast.ts';
import { Codes, type Diagnostic } from './diagnostics.ts';
import { rulesParser } from './parser.ts';
import { rulesLexer } from './tokens.ts';
import { AstBuilder } from './to-ast.ts';

export interface ParseResult<T> {
  readonly value: T;
  readonly diagnostics: Diagnostic[];
}

function describe(t: IToken | undefined): string {
  return !t || t.tokenType?.name === 'EOF' ? 'end of file' : `'${t.image}'`;
}

function run<T>(file: string, text: string, entry: 'file' | 'expression', build: (b: AstBuilder, cst: never) => T, empty: T, dialect: Dialect): ParseResult<T> {
  const diagnostics: Diagnostic[] = [];
  try {
    const lex = rulesLexer.tokenize(text);
    for (const e of lex.errors) {
      diagnostics.push({
        file, line: e.line ?? 1, column: e.column ?? 1, length: e.length, severity: 'error', code: Codes.LexError,
        message: `unexpected character '${text.substr(e.offset, e.length)}'`,
      });
    }
    rulesParser.input = lex.tokens;
    const cst = entry === 'file' ? rulesParser.file() : rulesParser.expression();
    for (const e of rulesParser.errors) {
      const t = e.token;
      const ok = t && !Number.isNaN(t.startOffset) && t.tokenType?.name !== 'EOF';
      const last = text.split(/\r\n|\r|\n/);
      diagnostics.push({
        file,
        line: ok ? (t.startLine ?? 1) : last.length,
        column: ok ? (t.startColumn ?? 1) : (last[last.length - 1]?.length ?? 0) + 1,
        length: ok ? t.image.length : 0,
        severity: 'error',
        code: Codes.ParseError,
        message: `${e.message} but found ${describe(t)}`,
      });
    }
    const builder = new AstBuilder();
    builder.dialect = dialect;
    const comments = (lex.groups['comments'] ?? []).map((t) => ({ text: t.image, line: t.startLine ?? 1 }));
    const value = build(builder, cst as never);
    return { value: entry === 'file' ? ({ ...(value as object), comments } as T) : value, diagnostics };
  } catch (err) {
    // Recovery can hand the visitor a tree it does not expect; report, never crash.
    diagnostics.push({ file, line: 1, column: 1, length: 0, severity: 'error', code: Codes.InternalError, message: `could not read this file: ${(err as Error).message}` });
    return { value: empty, diagnostics };
  }
}

export function parseDocument(file: string, text: string): ParseResult<RulesDocument> {
  const empty: RulesDocument = { kind: 'Document', file, declarations: [], comments: [] };
  return run(file, text, 'file', (b, cst) => ({ kind: 'Document', file, declarations: b.visit(cst) ?? [], comments: [] }) as RulesDocument, empty, 'entra');
}

export function parseExpression(text: string, dialect: Dialect, file = '<expression>'): ParseResult<Expr> {
  // Chevrotain reports input left after the expression as NotAllInputParsed.
  return run(file, text, 'expression', (b, cst) => b.visit(cst) as Expr, { kind: 'Empty', loc: { line: 1, column: 1, offset: 0, length: 0 } } as Expr, dialect);
}
