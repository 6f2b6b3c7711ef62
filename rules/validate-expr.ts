/** Checks of one expression: functions, arity, names, variables and attribute references. */
import type { Dialect, Expr } from './ast.ts';
import { Codes, suggest, type DiagnosticSink } from './diagnostics.ts';
import { allFunctionNames, lookupFunction, lookupSpecialForm, specialForms } from './functions/registry.ts';
import { isLiteralName } from './compile-expr.ts';
import type { MvObjectTypeDef } from './model.ts';

/** What `[name]` may refer to in this expression. */
export interface AttrScope {
  /** e.g. "metaverse attribute". */
  readonly what: string;
  /** e.g. "of 'person'". */
  readonly owner: string;
  /** Known names; undefined means "not declared, anything goes". */
  readonly names: ReadonlySet<string> | undefined;
  /** When reading the metaverse: its type, for reference checks. */
  readonly mvType?: MvObjectTypeDef;
}

const binders = new Set(['With', 'Select', 'Where']);
/** Functions that read a reference as a value (presence tests, counts, pass-through). */
const referenceSafe = new Set(['crref', 'cref', 'ispresent', 'isnull', 'isnullorempty', 'count', 'iif', 'coalesce', 'item', 'itemornull', 'removeduplicates', 'ignoreflowifnullorempty']);
/** Functions that return several values. */
export const multiValuedFunctions = new Set(['split', 'removeduplicates', 'select', 'where']);

export function checkExpr(e: Expr, dialect: Dialect, scope: AttrScope, accept: DiagnosticSink, vars: ReadonlySet<string> = new Set()): void {
  const visit = (x: Expr, v: ReadonlySet<string>, parentFn: string | undefined): void => {
    switch (x.kind) {
      case 'AttrRef': {
        if (scope.names && !scope.names.has(x.name) && x.name !== 'dn') {
          accept('error', Codes.UnknownMvAttribute, `unknown ${scope.what} '${x.name}' ${scope.owner}${suggest(x.name, scope.names)}`, x.loc);
        }
        const def = scope.mvType?.attributes.get(x.name);
        if (def?.type === 'reference' && parentFn && !referenceSafe.has(parentFn.toLowerCase())) {
          accept('error', Codes.TypeMismatch, `type mismatch: '${x.name}' is a reference to ${def.refType}; ${parentFn}() needs a value, not a reference`, x.loc);
        }
        return;
      }
      case 'Variable':
        if (!v.has(x.name)) accept('error', Codes.UnknownVariable, `unknown variable '${x.name}' (bind it with With, Select or Where)`, x.loc);
        return;
      case 'Name':
        if (!isLiteralName(x.name)) {
          accept('error', Codes.UnknownLiteral, `unknown name '${x.name}'; expected NULL, True, False, CRLF, AuthoritativeNull or IgnoreThisFlow${suggest(x.name, ['NULL', 'True', 'False', 'CRLF', 'AuthoritativeNull', 'IgnoreThisFlow'])}`, x.loc);
        }
        return;
      case 'String': case 'Number': case 'Empty':
        return;
      case 'Paren': visit(x.inner, v, parentFn); return;
      case 'Negate': visit(x.operand, v, parentFn); return;
      case 'Binary':
        visit(x.left, v, x.op === '&' ? 'the & operator' : parentFn);
        visit(x.right, v, x.op === '&' ? 'the & operator' : parentFn);
        return;
      case 'Call': {
        const special = lookupSpecialForm(x.name);
        const def = special ? undefined : lookupFunction(x.name, dialect);
        if (!special && !def) {
          accept('error', Codes.UnknownFunction, `unknown function '${x.name}'${suggest(x.name, allFunctionNames())}`, x.loc);
        } else if (def?.notSupported) {
          accept('error', Codes.NotSupportedYet, `${def.name} is not supported yet: ${def.notSupported}`, x.loc);
        } else {
          const { min, max } = special ? specialForms[special]! : def!;
          const n = x.args.length;
          if (n < min || n > max) {
            const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
            accept('error', Codes.WrongArgumentCount, `${special ?? def!.name} takes ${expected} argument${expected === '1' ? '' : 's'}, got ${n}`, x.loc);
          }
        }
        let inner = v;
        if (special && binders.has(special)) {
          const first = x.args[0];
          if (first?.kind === 'Variable') inner = new Set([...v, first.name]);
          else accept('error', Codes.UnknownVariable, `${special} needs a $variable as its first argument`, x.loc);
        }
        x.args.forEach((a, i) => {
          if (special && binders.has(special) && i === 0) return;
          // With($v, value, body): the value is evaluated outside the binding.
          const scopeVars = special === 'With' && i === 1 ? v : inner;
          visit(a, scopeVars, special ?? def?.name ?? x.name);
        });
        return;
      }
    }
  };
  visit(e, vars, undefined);
}

/** True when the expression can only yield several values (into a single-valued attribute is a mismatch). */
export function yieldsMulti(e: Expr, mvType?: MvObjectTypeDef): boolean {
  if (e.kind === 'Paren') return yieldsMulti(e.inner, mvType);
  if (e.kind === 'Call') return multiValuedFunctions.has(e.name.toLowerCase());
  if (e.kind === 'AttrRef') return mvType?.attributes.get(e.name)?.multi ?? false;
  return false;
}
