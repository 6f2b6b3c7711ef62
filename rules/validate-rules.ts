/** Checks of inbound and outbound rules, and the checks that span several rules. */
import type { Dialect, FlowDecl, InboundDecl, OutboundDecl, RuleHeader } from './ast.ts';
import { Codes, createSink, suggest, type Diagnostic, type DiagnosticSink } from './diagnostics.ts';
import { checkExpr, yieldsMulti, type AttrScope } from './validate-expr.ts';
import { inclusionList, type Symbols } from './symbols.ts';

export const mergeModes = ['replace', 'merge', 'merge-case-insensitive'];
export const deprovisionActions = ['disconnect', 'explicit-disconnect', 'delete', 'disable'];
export const DEFAULT_PRECEDENCE = 100;

export function ruleDialect(r: RuleHeader, fileDialect: Dialect): Dialect {
  return r.dialect === 'aadc' ? 'aadc' : r.dialect === 'entra' ? 'entra' : fileDialect;
}

function checkHeader(r: RuleHeader, accept: DiagnosticSink, sym: Symbols): boolean {
  let ok = true;
  if (!sym.objects.has(r.mvType)) {
    accept('error', Codes.UnknownObjectType, `unknown metaverse object type '${r.mvType}'${suggest(r.mvType, sym.objects.keys())}`, r.loc);
    ok = false;
  }
  const agent = sym.agents.get(r.agent);
  if (!agent) {
    accept('error', Codes.UnknownAgent, `unknown agent '${r.agent}'${suggest(r.agent, sym.agents.keys())}`, r.loc);
    ok = false;
  } else if (!agent.objects.some((o) => o.name === r.objectType)) {
    accept('error', Codes.UnknownAgentObjectType, `agent '${r.agent}' has no object type '${r.objectType}'${suggest(r.objectType, agent.objects.map((o) => o.name))}`, r.loc);
    ok = false;
  }
  if (r.dialect !== undefined && r.dialect !== 'entra' && r.dialect !== 'aadc') {
    accept('error', Codes.UnknownDialect, `unknown dialect '${r.dialect}': use entra or aadc`, r.loc);
  }
  return ok;
}

function checkFlowOptions(f: FlowDecl, accept: DiagnosticSink, inbound: boolean): void {
  if (f.merge !== undefined && !mergeModes.includes(f.merge)) accept('error', Codes.BadOption, `unknown merge mode '${f.merge}'${suggest(f.merge, mergeModes)}`, f.loc);
  if (inbound && (f.once || f.allowNull)) accept('error', Codes.BadOption, `'once' and 'allow-null' apply to outbound flows only`, f.loc);
  if (!inbound && (f.merge !== undefined || f.precedence !== undefined)) accept('error', Codes.BadOption, `merge modes and precedence apply to inbound flows only`, f.loc);
}

export function checkInbound(d: InboundDecl, accept: DiagnosticSink, sym: Symbols, fileDialect: Dialect): void {
  if (!checkHeader(d, accept, sym)) return;
  const dialect = ruleDialect(d, fileDialect);
  const mv = sym.objects.get(d.mvType)!;
  const csScope: AttrScope = { what: 'attribute', owner: `of ${d.agent}.${d.objectType} (not in its inclusion list)`, names: inclusionList(sym.agents.get(d.agent), d.objectType) };
  const mvScope: AttrScope = { what: 'metaverse attribute', owner: `of '${d.mvType}'`, names: new Set(mv.attributes.keys()), mvType: mv };
  for (const e of [d.scope, d.filter, d.project?.when]) if (e) checkExpr(e, dialect, csScope, accept);
  for (const g of d.joinGroups) {
    for (const p of g.pairs) {
      checkExpr(p.cs, dialect, csScope, accept);
      checkExpr(p.mv, dialect, mvScope, accept);
      if (p.mv.kind === 'AttrRef' && mv.attributes.get(p.mv.name) && !mv.attributes.get(p.mv.name)!.indexed) {
        accept('warning', Codes.JoinNotIndexed, `join on '${p.mv.name}', which is not indexed: declare it 'indexed' so joins do not scan the metaverse`, p.loc);
      }
    }
  }
  for (const f of d.flows) {
    checkFlowOptions(f, accept, true);
    const target = mv.attributes.get(f.target);
    if (!target) {
      accept('error', Codes.UnknownMvAttribute, `unknown metaverse attribute '${f.target}'${suggest(f.target, mv.attributes.keys())}`, f.loc);
    }
    if (!f.source) continue;
    checkExpr(f.source, dialect, csScope, accept);
    if (target && !target.multi && yieldsMulti(f.source)) {
      accept('error', Codes.TypeMismatch, `type mismatch: the expression yields several values but '${f.target}' is single-valued`, f.loc);
    }
    if (target?.type === 'reference' && (f.source.kind === 'String' || f.source.kind === 'Number')) {
      accept('error', Codes.TypeMismatch, `type mismatch: '${f.target}' is a reference; a constant cannot name an object`, f.loc);
    }
  }
}

export function checkOutbound(d: OutboundDecl, accept: DiagnosticSink, sym: Symbols, fileDialect: Dialect): void {
  if (!checkHeader(d, accept, sym)) return;
  const dialect = ruleDialect(d, fileDialect);
  const mv = sym.objects.get(d.mvType)!;
  const mvScope: AttrScope = { what: 'metaverse attribute', owner: `of '${d.mvType}'`, names: new Set(mv.attributes.keys()), mvType: mv };
  const targetNames = inclusionList(sym.agents.get(d.agent), d.objectType);
  const csScope: AttrScope = { what: 'attribute', owner: `of ${d.agent}.${d.objectType} (not in its inclusion list)`, names: targetNames };
  for (const e of [d.scope, d.provision?.when, d.dn]) if (e) checkExpr(e, dialect, mvScope, accept);
  const checkTarget = (f: FlowDecl) => {
    if (targetNames && !targetNames.has(f.target)) {
      accept('error', Codes.AttributeNotInInclusionList, `flow into '${f.target}', which the inclusion list of ${d.agent}.${d.objectType} lacks${suggest(f.target, targetNames)}`, f.loc);
    }
  };
  for (const f of d.flows) {
    checkFlowOptions(f, accept, false);
    checkTarget(f);
    if (f.dnPart !== undefined) accept('error', Codes.BadOption, 'DN-component flows are inbound only', f.loc);
    if (f.source) checkExpr(f.source, dialect, mvScope, accept);
  }
  const dep = d.deprovision;
  if (dep) {
    if (!deprovisionActions.includes(dep.action)) accept('error', Codes.BadOption, `unknown deprovisioning action '${dep.action}'${suggest(dep.action, deprovisionActions)}`, dep.loc);
    if (dep.action === 'disable' && dep.flows.length === 0) accept('error', Codes.BadOption, `'deprovision disable' needs flows that disable the object, e.g. { flow userAccountControl <- BitOr([userAccountControl], 2) }`, dep.loc);
    if (dep.action !== 'disable' && dep.flows.length > 0) accept('error', Codes.BadOption, `only 'deprovision disable' takes flows`, dep.loc);
    for (const f of dep.flows) {
      checkTarget(f);
      if (f.source) checkExpr(f.source, dialect, csScope, accept);
    }
  }
}

interface FlowSite { flow: FlowDecl; rule: InboundDecl; file: string }

/** Rules joining the same object pair, duplicate precedences, and merge-mode conflicts. */
export function checkAcrossRules(rules: readonly { rule: InboundDecl; file: string }[], out: Diagnostic[]): void {
  const joiners = new Map<string, { rule: InboundDecl; file: string }>();
  const flows = new Map<string, FlowSite[]>();
  for (const { rule, file } of rules) {
    const accept = createSink(file, out);
    if (rule.joinGroups.length > 0) {
      const key = `${rule.agent}.${rule.objectType}->${rule.mvType}`;
      const other = joiners.get(key);
      if (other) accept('error', Codes.DuplicateJoin, `two rules join ${rule.agent}.${rule.objectType} to '${rule.mvType}': '${other.rule.name}' (${other.file}:${other.rule.loc.line}) and '${rule.name}'; keep the join in one rule`, rule.loc);
      else joiners.set(key, { rule, file });
    }
    for (const f of rule.flows) {
      const key = `${rule.mvType}.${f.target}`;
      flows.set(key, [...(flows.get(key) ?? []), { flow: f, rule, file }]);
    }
  }
  for (const [key, sites] of flows) {
    const modes = new Set(sites.map((s) => s.flow.merge ?? 'replace'));
    const byPrecedence = new Map<number, FlowSite>();
    for (const s of sites) {
      const accept = createSink(s.file, out);
      if (modes.size > 1) accept('error', Codes.MergeModeConflict, `flows into '${key}' use different merge modes (${[...modes].join(', ')}); all must use the same`, s.flow.loc);
      if ((s.flow.merge ?? 'replace') !== 'replace') continue;
      const p = s.flow.precedence ?? s.rule.precedence ?? DEFAULT_PRECEDENCE;
      const other = byPrecedence.get(p);
      if (other && other.rule !== s.rule) {
        accept('error', Codes.DuplicatePrecedence, `flows into '${key}' from '${other.rule.name}' and '${s.rule.name}' share precedence ${p}; give each a distinct rank`, s.flow.loc);
      } else byPrecedence.set(p, s);
    }
  }
}
