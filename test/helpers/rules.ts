/** Helpers for rules tests: evaluate one expression, compile one source. */
import { compileExpr, compileSources, parseExpression, toStored, type Dialect, type EvalContext } from '../../rules/index.ts';
import { checkExpr } from '../../rules/validate-expr.ts';

export function evaluate(text: string, attrs: Record<string, unknown> = {}, dialect: Dialect = 'entra', ctx: EvalContext = {}): unknown {
  const parsed = parseExpression(text, dialect);
  if (parsed.diagnostics.length) throw new Error(parsed.diagnostics.map((d) => d.message).join('; '));
  const errors: string[] = [];
  checkExpr(parsed.value, dialect, { what: 'attribute', owner: '', names: undefined }, (sev, code, msg) => { if (sev === 'error') errors.push(`${code} ${msg}`); });
  if (errors.length) throw new Error(errors.join('; '));
  return toStored(compileExpr(parsed.value, dialect)(attrs, ctx));
}

export function compileOne(text: string, file = 'test.sync') {
  return compileSources(new Map([[file, text]]));
}

export function codes(text: string): string[] {
  return compileOne(text).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
}
