/**
 * Compiles expression ASTs to plain closures, once. There is no `eval` and no
 * `new Function`: user text only ever selects among the closures below.
 */
import type { BinaryOperator, Dialect, Expr } from './ast.ts';
import type { EvalContext } from './functions/types.ts';
import { lookupFunction, lookupSpecialForm } from './functions/registry.ts';
import {
  AuthoritativeNull, ExpressionError, IgnoreThisFlow, isNull, isNullOrEmpty, looseEquals, toBool, toDate, toNum, toStr,
  type Value,
} from './values.ts';

/** The attributes an expression reads: attribute name → value (a missing name is null). */
export type Row = Readonly<Record<string, unknown>>;
export type Compiled = (row: Row, ctx: EvalContext) => Value;

const literalNames: Record<string, Value> = {
  null: null, nothing: null, true: true, false: false, crlf: '\r\n',
  authoritativenull: AuthoritativeNull, ignorethisflow: IgnoreThisFlow,
};
// Enumeration constants AADC functions take bare: ConvertFromBase64(x, UTF8), Contains(x, "a", IgnoreCase).
for (const e of ['UTF8', 'Unicode', 'ASCII', 'IgnoreCase', 'CaseSensitive', 'vbTextCompare', 'vbBinaryCompare', 'DC']) literalNames[e.toLowerCase()] = e;
export const isLiteralName = (name: string): boolean => name.toLowerCase() in literalNames;

const compare = (a: Value, b: Value): number => {
  const na = toNum(a);
  const nb = toNum(b);
  if (na !== null && nb !== null) return na - nb;
  const da = a instanceof Date ? a : null;
  const db = b instanceof Date ? b : null;
  if (da || db) return (toDate(a)?.getTime() ?? 0) - (toDate(b)?.getTime() ?? 0);
  return (toStr(a) ?? '').localeCompare(toStr(b) ?? '');
};

const binaryOps: Record<BinaryOperator, (a: Value, b: Value) => Value> = {
  '&': (a, b) => (toStr(a) ?? '') + (toStr(b) ?? ''),
  '&&': (a, b) => toBool(a) && toBool(b),
  '||': (a, b) => toBool(a) || toBool(b),
  '=': (a, b) => looseEquals(a, b),
  '<>': (a, b) => !looseEquals(a, b),
  '<': (a, b) => compare(a, b) < 0,
  '<=': (a, b) => compare(a, b) <= 0,
  '>': (a, b) => compare(a, b) > 0,
  '>=': (a, b) => compare(a, b) >= 0,
  '+': (a, b) => (toNum(a) ?? 0) + (toNum(b) ?? 0),
  '-': (a, b) => (toNum(a) ?? 0) - (toNum(b) ?? 0),
  '*': (a, b) => (toNum(a) ?? 0) * (toNum(b) ?? 0),
  '/': (a, b) => (toNum(a) ?? 0) / (toNum(b) ?? 1),
};

const withVar = (ctx: EvalContext, name: string, value: Value): EvalContext => {
  const vars = new Map(ctx.vars ?? []);
  vars.set(name, value);
  return { ...ctx, vars };
};
const values = (v: Value): Value[] => (v === null ? [] : Array.isArray(v) ? (v as Value[]) : [v]);

function compileSpecial(form: string, args: Compiled[], argExprs: readonly Expr[], dialect: Dialect): Compiled {
  const a = (i: number): Compiled => args[i] ?? (() => null);
  const varName = (i: number) => (argExprs[i]?.kind === 'Variable' ? argExprs[i].name : '$item');
  switch (form) {
    case 'IIF': {
      const [c, t, f] = [a(0), a(1), a(2)];
      return (r, x) => (toBool(c(r, x)) ? t(r, x) : f(r, x));
    }
    case 'Switch':
      if (dialect === 'aadc') {
        // Switch(condition1, value1, condition2, value2, …)
        return (r, x) => {
          for (let i = 0; i + 1 < args.length; i += 2) if (toBool(a(i)(r, x))) return a(i + 1)(r, x);
          return null;
        };
      }
      // Entra: Switch(source, defaultValue, key1, value1, key2, value2, …)
      return (r, x) => {
        const src = a(0)(r, x);
        for (let i = 2; i + 1 < args.length; i += 2) if (looseEquals(src, a(i)(r, x))) return a(i + 1)(r, x);
        return a(1)(r, x);
      };
    case 'With': {
      const name = varName(0);
      return (r, x) => a(2)(r, withVar(x, name, a(1)(r, x)));
    }
    case 'Select': {
      const name = varName(0);
      return (r, x) => values(a(1)(r, x)).map((v) => a(2)(r, withVar(x, name, v))).filter((v) => !isNull(v));
    }
    case 'Where': {
      const name = varName(0);
      return (r, x) => values(a(1)(r, x)).filter((v) => toBool(a(2)(r, withVar(x, name, v))));
    }
    case 'SelectUniqueValue':
      return (r, x) => {
        for (const c of args) {
          const v = toStr(c(r, x));
          if (v === null || v === '') continue;
          if (!x.isUnique) throw new ExpressionError('SelectUniqueValue needs a target connector space to check against; it only works in outbound flows');
          if (x.isUnique(v)) return v;
        }
        throw new ExpressionError('SelectUniqueValue: every candidate is already taken in the target');
      };
    default:
      throw new Error(`internal: unknown special form ${form}`);
  }
}

/**
 * Compiles an expression that has passed validation. Unknown names compile to
 * closures that throw, so a caller that skipped validation still fails safely.
 */
export function compileExpr(e: Expr, dialect: Dialect): Compiled {
  switch (e.kind) {
    case 'AttrRef': {
      const name = e.name;
      return (row) => (row[name] ?? null) as Value;
    }
    case 'Variable': {
      const name = e.name;
      return (_r, ctx) => ctx.vars?.get(name) ?? null;
    }
    case 'String': { const v = e.value; return () => v; }
    case 'Number': { const v = e.value; return () => v; }
    case 'Empty': return () => null;
    case 'Name': {
      const key = e.name.toLowerCase();
      if (!(key in literalNames)) return () => { throw new ExpressionError(`unknown name '${e.name}'`); };
      const v = literalNames[key]!;
      return () => v;
    }
    case 'Paren': return compileExpr(e.inner, dialect);
    case 'Negate': {
      const inner = compileExpr(e.operand, dialect);
      return (r, x) => -(toNum(inner(r, x)) ?? 0);
    }
    case 'Binary': {
      const l = compileExpr(e.left, dialect);
      const rr = compileExpr(e.right, dialect);
      const op = binaryOps[e.op];
      if (e.op === '&') return (r, x) => (toStr(l(r, x)) ?? '') + (toStr(rr(r, x)) ?? '');
      return (r, x) => op(l(r, x), rr(r, x));
    }
    case 'Call': {
      const args = e.args.map((arg) => compileExpr(arg, dialect));
      const special = lookupSpecialForm(e.name);
      if (special) return compileSpecial(special, args, e.args, dialect);
      const def = lookupFunction(e.name, dialect);
      if (!def) return () => { throw new ExpressionError(`unknown function '${e.name}'`); };
      const impl = def.impl;
      // Fixed-arity paths avoid building an argument array per call on hot flows.
      if (args.length === 1) { const [a0] = args as [Compiled]; return (r, x) => impl([a0(r, x)], x); }
      if (args.length === 2) { const [a0, a1] = args as [Compiled, Compiled]; return (r, x) => impl([a0(r, x), a1(r, x)], x); }
      return (r, x) => impl(args.map((c) => c(r, x)), x);
    }
  }
}

export { isNullOrEmpty };
