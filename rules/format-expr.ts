/** Prints an expression in canonical form. Parentheses in the source are kept as Paren nodes, so printing flat re-parses to the same tree. */
import type { Expr } from './ast.ts';

export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

export function format(e: Expr): string {
  switch (e.kind) {
    case 'AttrRef': return `[${e.name}]`;
    case 'Variable': return e.name;
    case 'String': return quote(e.value);
    case 'Number': return String(e.value);
    case 'Name': return e.name;
    case 'Empty': return '';
    case 'Paren': return `(${format(e.inner)})`;
    case 'Negate': return `-${format(e.operand)}`;
    case 'Binary': return `${format(e.left)} ${e.op} ${format(e.right)}`;
    case 'Call': return `${e.name}(${e.args.map((a) => (a.kind === 'Empty' ? '' : format(a))).join(', ')})`.replace(/, ,/g, ', ,');
  }
}
