/** AST rules → compiled rules. Runs only on declarations that passed validation. */
import type { Dialect, Expr, FlowDecl, InboundDecl, OutboundDecl } from './ast.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { SourceRef } from '../data/model.ts';
import { compileExpr, type Compiled } from './compile-expr.ts';
import { splitDn, rdnValue } from '../data/dn.ts';
import type { FlowKind, InboundFlow, InboundRule, MergeMode, MvObjectTypeDef, OutboundFlow, OutboundRule, DeprovisionAction } from './model.ts';
import { DEFAULT_PRECEDENCE, ruleDialect } from './validate-rules.ts';
import { format } from './format-expr.ts';
import { lookupSpecialForm } from './functions/registry.ts';

export const sourceRef = (file: string, loc: { line: number; column: number }): SourceRef => ({ file, line: loc.line, column: loc.column });

function flowKind(f: FlowDecl): FlowKind {
  if (f.dnPart !== undefined) return 'dn-part';
  const s = f.source;
  if (s?.kind === 'AttrRef') return 'direct';
  if (s?.kind === 'String' || s?.kind === 'Number') return 'constant';
  return 'expression';
}

function dnPart(index: number): Compiled {
  return (row) => {
    const rdn = splitDn(String(row['dn'] ?? ''))[index - 1];
    return rdn === undefined ? null : rdnValue(rdn);
  };
}

/** Whether the expression calls SelectUniqueValue (in any case): the engine then checks its candidates against the target. */
function selectsUnique(e: Expr | undefined): boolean {
  if (!e) return false;
  switch (e.kind) {
    case 'Call': return lookupSpecialForm(e.name) === 'SelectUniqueValue' || e.args.some(selectsUnique);
    case 'Binary': return selectsUnique(e.left) || selectsUnique(e.right);
    case 'Negate': return selectsUnique(e.operand);
    case 'Paren': return selectsUnique(e.inner);
    default: return false;
  }
}

const opt = (e: Expr | undefined, d: Dialect): Compiled | undefined => (e ? compileExpr(e, d) : undefined);

export function compileInbound(r: InboundDecl, file: string, fileDialect: Dialect, mv: MvObjectTypeDef): InboundRule {
  const d = ruleDialect(r, fileDialect);
  const flows: InboundFlow[] = r.flows.map((f) => ({
    target: f.target,
    kind: flowKind(f),
    evaluate: f.dnPart !== undefined ? dnPart(f.dnPart) : compileExpr(f.source!, d),
    precedence: f.precedence ?? r.precedence ?? DEFAULT_PRECEDENCE,
    merge: (f.merge ?? 'replace') as MergeMode,
    reference: mv.attributes.get(f.target)?.type === 'reference',
    sourceAttribute: f.dnPart === undefined && f.source?.kind === 'AttrRef' ? f.source.name : undefined,
    text: f.dnPart !== undefined ? `dn ${f.dnPart}` : format(f.source!),
    source: sourceRef(file, f.loc),
  }));
  return {
    name: r.name,
    agent: r.agent,
    objectType: r.objectType,
    mvType: r.mvType,
    scope: opt(r.scope, d),
    filter: opt(r.filter, d),
    joinGroups: r.joinGroups.map((g) =>
      g.pairs.map((p) => ({ cs: compileExpr(p.cs, d), mv: compileExpr(p.mv, d), mvAttribute: p.mv.kind === 'AttrRef' ? p.mv.name : undefined })),
    ),
    project: r.project ? { when: opt(r.project.when, d) } : undefined,
    flows,
    source: sourceRef(file, r.loc),
  };
}

function outboundFlow(f: FlowDecl, file: string, d: Dialect, mv: MvObjectTypeDef | undefined): OutboundFlow {
  const s = f.source;
  const ref = s?.kind === 'AttrRef' && mv?.attributes.get(s.name)?.type === 'reference' ? s.name : undefined;
  return {
    target: f.target,
    kind: flowKind(f),
    evaluate: s ? compileExpr(s, d) : () => null,
    once: f.once,
    allowNull: f.allowNull,
    referenceAttribute: ref,
    selectsUnique: selectsUnique(s),
    text: s ? format(s) : '',
    source: sourceRef(file, f.loc),
  };
}

export function compileOutbound(r: OutboundDecl, file: string, fileDialect: Dialect, mv: MvObjectTypeDef): OutboundRule {
  const d = ruleDialect(r, fileDialect);
  const dep = r.deprovision;
  return {
    name: r.name,
    mvType: r.mvType,
    agent: r.agent,
    objectType: r.objectType,
    scope: opt(r.scope, d),
    provision: r.provision ? { when: opt(r.provision.when, d) } : undefined,
    dn: opt(r.dn, d),
    dnSelectsUnique: selectsUnique(r.dn),
    flows: r.flows.map((f) => outboundFlow(f, file, d, mv)),
    deprovision: {
      action: (dep?.action ?? 'disconnect') as DeprovisionAction,
      flows: (dep?.flows ?? []).map((f) => outboundFlow(f, file, d, undefined)),
      deleteAfterMs: dep?.deleteAfter?.ms,
    },
    source: sourceRef(file, r.loc),
  };
}

export const hasErrors = (ds: readonly Diagnostic[]) => ds.some((x) => x.severity === 'error');
