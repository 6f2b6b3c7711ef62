/** Turns the flat operand/operator chains of the CST into expression trees. */
import type { CstNode, IToken } from 'chevrotain';
import type { BinaryOperator, Dialect, Expr } from './ast.ts';
import { noLoc, type Loc } from './diagnostics.ts';

export function tokenLoc(token: IToken | undefined): Loc {
  if (!token || Number.isNaN(token.startOffset) || token.startLine === undefined || Number.isNaN(token.startLine)) return noLoc;
  return {
    line: token.startLine,
    column: token.startColumn ?? 1,
    offset: token.startOffset,
    length: (token.endOffset ?? token.startOffset) - token.startOffset + 1,
  };
}

/** Source text of a string literal, with backslash escapes applied. */
export function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(.)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '"' || c === '\\' ? c : `\\${c}`,
  );
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
export function durationMs(text: string): number {
  const m = /^(\d+)(ms|[smhdw])$/.exec(text);
  return m ? Number(m[1]) * (durationUnits[m[2]!] ?? 0) : 0;
}

// Conventional precedence for the default (Entra) dialect; higher binds tighter.
const precedence: Record<BinaryOperator, number> = {
  '||': 1, '&&': 2, '=': 3, '<>': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, '&': 4, '+': 5, '-': 5, '*': 6, '/': 6,
};

export function normalizeOp(image: string): BinaryOperator {
  if (image === '==') return '=';
  if (image === '!=') return '<>';
  return image as BinaryOperator;
}

/**
 * Azure AD Connect evaluates every operator with the same priority, left to
 * right; the Entra dialect uses conventional precedence.
 */
export function buildChain(operands: readonly Expr[], ops: readonly IToken[], dialect: Dialect): Expr {
  const first = operands[0];
  if (!first) return { kind: 'Empty', loc: noLoc };
  if (dialect === 'aadc') {
    let acc = first;
    ops.forEach((t, i) => {
      const right = operands[i + 1] ?? { kind: 'Empty', loc: tokenLoc(t) };
      acc = { kind: 'Binary', op: normalizeOp(t.image), left: acc, right, loc: tokenLoc(t) };
    });
    return acc;
  }
  // Precedence climbing over the flat list.
  let pos = 0;
  const parse = (minPrec: number): Expr => {
    let left = operands[pos] ?? first;
    while (pos < ops.length) {
      const t = ops[pos]!;
      const op = normalizeOp(t.image);
      const p = precedence[op] ?? 0;
      if (p < minPrec) break;
      pos++;
      const right = parse(p + 1);
      left = { kind: 'Binary', op, left, right, loc: tokenLoc(t) };
    }
    return left;
  };
  const result = parse(0);
  return result;
}

export type Children = Record<string, (CstNode | IToken)[] | undefined>;
export const tok = (c: Children, key: string, i = 0): IToken | undefined => c[key]?.[i] as IToken | undefined;
export const node = (c: Children, key: string, i = 0): CstNode | undefined => c[key]?.[i] as CstNode | undefined;
export const toks = (c: Children, key: string): IToken[] => (c[key] ?? []) as IToken[];
export const nodes = (c: Children, key: string): CstNode[] => (c[key] ?? []) as CstNode[];
