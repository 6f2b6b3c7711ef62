/**
 * CST → AST. `validateVisitor()` detects missing or redundant visit methods.
 */
import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.ts';
import { rulesParser } from './parser.ts';
import { noLoc, type Loc } from './diagnostics.ts';
import { buildChain, durationMs, node, nodes, tok, tokenLoc, toks, unquote, type Children } from './to-ast-expr.ts';

const BaseVisitor = rulesParser.getBaseCstVisitorConstructor();

function nodeLoc(n: CstNode | undefined): Loc {
  const l = n?.location;
  if (!l || Number.isNaN(l.startOffset) || !l.startLine || Number.isNaN(l.startLine)) return noLoc;
  return { line: l.startLine, column: l.startColumn ?? 1, offset: l.startOffset, length: (l.endOffset ?? l.startOffset) - l.startOffset + 1 };
}
const img = (t: IToken | undefined): string => t?.image ?? '';
const num = (t: IToken | undefined): number | undefined => (t && !Number.isNaN(Number(t.image)) && t.image !== '' ? Number(t.image) : undefined);
const duration = (t: IToken | undefined) => (t ? { text: t.image, ms: durationMs(t.image) } : undefined);
const kwPresent = (c: Children, word: string): boolean => toks(c, `Kw_${word.replace(/-/g, '_')}`).length > 0;

export class AstBuilder extends BaseVisitor {
  dialect: A.Dialect = 'entra';
  private fileDialect: A.Dialect = 'entra';

  constructor() {
    super();
    this.validateVisitor();
  }

  file(c: Children): A.Declaration[] {
    // The file-level dialect applies to every rule, wherever it is declared.
    for (const d of nodes(c, 'declaration')) {
      const dd = node(d.children as Children, 'dialectDecl');
      if (dd) this.fileDialect = img(tok(dd.children as Children, 'Name')) === 'aadc' ? 'aadc' : 'entra';
    }
    this.dialect = this.fileDialect;
    return nodes(c, 'declaration').map((d) => this.visit(d) as A.Declaration).filter(Boolean);
  }

  declaration(c: Children): A.Declaration | undefined {
    const child = Object.values(c)[0]?.[0] as CstNode | undefined;
    return child ? (this.visit(child) as A.Declaration) : undefined;
  }

  dialectDecl(c: Children, n?: CstNode): A.DialectDecl {
    return { kind: 'Dialect', dialect: img(tok(c, 'Name')), loc: tokenLoc(tok(c, 'Name')) ?? nodeLoc(n) };
  }

  objectDecl(c: Children): A.ObjectDecl {
    return {
      kind: 'Object',
      name: img(tok(c, 'Name')),
      attributes: nodes(c, 'attributeDecl').map((a) => this.visit(a) as A.AttributeDecl),
      loc: tokenLoc(tok(c, 'Name')),
    };
  }

  attributeDecl(c: Children): A.AttributeDecl {
    return {
      kind: 'Attribute',
      name: img(tok(c, 'name')),
      type: img(tok(c, 'type')),
      typeLoc: tokenLoc(tok(c, 'type')),
      refType: tok(c, 'refType')?.image,
      multi: kwPresent(c, 'multi'),
      indexed: kwPresent(c, 'indexed'),
      loc: tokenLoc(tok(c, 'name')),
    };
  }

  agentDecl(c: Children): A.AgentDecl {
    return {
      kind: 'Agent',
      name: img(tok(c, 'name')),
      type: img(tok(c, 'type')),
      settings: nodes(c, 'setting').map((s) => this.visit(s) as A.Setting),
      objects: nodes(c, 'agentObject').map((s) => this.visit(s) as A.AgentObject),
      thresholds: nodes(c, 'threshold').flatMap((s) => this.visit(s) as A.Threshold[]),
      loc: tokenLoc(tok(c, 'name')),
    };
  }

  setting(c: Children): A.Setting {
    return {
      kind: 'Setting',
      name: img(tok(c, 'Name')),
      values: nodes(c, 'settingValue').map((v) => this.visit(v) as A.SettingValue),
      loc: tokenLoc(tok(c, 'Name')),
    };
  }

  settingValue(c: Children): A.SettingValue {
    const str = toks(c, 'StringLiteral');
    const secret = tok(c, 'Kw_env') ?? tok(c, 'Kw_file');
    if (secret) {
      return { kind: 'Secret', source: secret.image === 'env' ? 'env' : 'file', ref: str[0] ? unquote(str[0].image) : '', loc: tokenLoc(secret) };
    }
    if (str[0]) return { kind: 'String', value: unquote(str[0].image), loc: tokenLoc(str[0]) };
    const n = tok(c, 'NumberLiteral');
    if (n) return { kind: 'Number', value: Number(n.image), loc: tokenLoc(n) };
    const d = tok(c, 'Duration');
    if (d) return { kind: 'Duration', text: d.image, ms: durationMs(d.image), loc: tokenLoc(d) };
    const name = tok(c, 'Name');
    return { kind: 'Name', name: img(name), loc: tokenLoc(name) };
  }

  agentObject(c: Children): A.AgentObject {
    return {
      kind: 'AgentObject',
      name: img(tok(c, 'Name')),
      anchor: nodes(c, 'anchor').flatMap((n) => this.visit(n) as string[]),
      attributes: nodes(c, 'attributes').flatMap((n) => this.visit(n) as string[]),
      loc: tokenLoc(tok(c, 'Name')),
    };
  }

  nameList(c: Children): string[] {
    return toks(c, 'Name').map((t) => t.image).filter((s) => s !== '');
  }

  threshold(c: Children): A.Threshold[] {
    const percents = toks(c, 'Percent');
    return toks(c, 'NumberLiteral').map((t) => ({
      kind: 'Threshold',
      value: Number(t.image),
      // A '%' belongs to the number it directly follows.
      percent: percents.some((p) => p.startOffset === t.endOffset! + 1),
      loc: tokenLoc(t),
    }));
  }

  private header(c: Children, n: CstNode | undefined) {
    // After error recovery either part may be missing.
    const qn = node(c, 'qualifiedName');
    const on = node(c, 'ruleOptions');
    const q = (qn ? this.visit(qn) : { agent: '', objectType: '' }) as { agent: string; objectType: string };
    const opts = (on ? this.visit(on) : {}) as { precedence?: number; dialect?: string };
    this.dialect = opts.dialect === 'aadc' ? 'aadc' : opts.dialect === 'entra' ? 'entra' : this.fileDialect;
    const nameTok = tok(c, 'StringLiteral');
    return {
      name: nameTok ? unquote(nameTok.image) : '',
      agent: q.agent,
      objectType: q.objectType,
      mvType: img(tok(c, 'mvType')),
      precedence: opts.precedence,
      dialect: opts.dialect,
      loc: nameTok ? tokenLoc(nameTok) : nodeLoc(n),
    };
  }

  inboundDecl(c: Children, n?: CstNode): A.InboundDecl {
    const h = this.header(c, n);
    const decl: A.InboundDecl = {
      kind: 'Inbound',
      ...h,
      scope: this.optExpr(c, 'scopeItem'),
      filter: this.optExpr(c, 'filterItem'),
      joinGroups: nodes(c, 'joinItem').flatMap((j) => this.visit(j) as A.JoinGroup[]),
      project: node(c, 'projectItem') ? (this.visit(node(c, 'projectItem')!) as A.Condition) : undefined,
      flows: nodes(c, 'flowItem').map((f) => this.visit(f) as A.FlowDecl),
    };
    this.dialect = this.fileDialect;
    return decl;
  }

  outboundDecl(c: Children, n?: CstNode): A.OutboundDecl {
    const h = this.header(c, n);
    const decl: A.OutboundDecl = {
      kind: 'Outbound',
      ...h,
      scope: this.optExpr(c, 'scopeItem'),
      provision: node(c, 'provisionItem') ? (this.visit(node(c, 'provisionItem')!) as A.Condition) : undefined,
      dn: this.optExpr(c, 'dnItem'),
      flows: nodes(c, 'flowItem').map((f) => this.visit(f) as A.FlowDecl),
      deprovision: node(c, 'deprovisionItem') ? (this.visit(node(c, 'deprovisionItem')!) as A.DeprovisionDecl) : undefined,
    };
    this.dialect = this.fileDialect;
    return decl;
  }

  private optExpr(c: Children, key: string): A.Expr | undefined {
    const n = node(c, key);
    return n ? (this.visit(n) as A.Expr) : undefined;
  }

  qualifiedName(c: Children) {
    return { agent: img(tok(c, 'agent')), objectType: img(tok(c, 'objectType')) };
  }

  ruleOptions(c: Children) {
    return { precedence: num(tok(c, 'NumberLiteral')), dialect: tok(c, 'Name')?.image };
  }

  scopeItem(c: Children): A.Expr { return this.visit(node(c, 'expression')!) as A.Expr; }
  filterItem(c: Children): A.Expr { return this.visit(node(c, 'expression')!) as A.Expr; }
  dnItem(c: Children): A.Expr { return this.visit(node(c, 'expression')!) as A.Expr; }

  joinItem(c: Children): A.JoinGroup[] {
    return nodes(c, 'joinGroup').map((g) => this.visit(g) as A.JoinGroup);
  }

  joinGroup(c: Children, n?: CstNode): A.JoinGroup {
    const cs = nodes(c, 'cs');
    const mv = nodes(c, 'mv');
    const matches = toks(c, 'Kw_match');
    return {
      kind: 'JoinGroup',
      pairs: cs.map((e, i) => ({
        cs: this.visit(e) as A.Expr,
        mv: mv[i] ? (this.visit(mv[i]) as A.Expr) : { kind: 'Empty', loc: noLoc },
        loc: tokenLoc(matches[i]),
      })),
      loc: tokenLoc(tok(c, 'Kw_group')) ?? nodeLoc(n),
    };
  }

  projectItem(c: Children): A.Condition {
    return { when: this.optExpr(c, 'expression'), loc: tokenLoc(tok(c, 'Kw_project')) };
  }

  provisionItem(c: Children): A.Condition {
    return { when: this.optExpr(c, 'expression'), loc: tokenLoc(tok(c, 'Kw_provision')) };
  }

  flowItem(c: Children): A.FlowDecl {
    const dnPart = tok(c, 'dnPart');
    return {
      kind: 'Flow',
      target: img(tok(c, 'target')),
      source: dnPart ? undefined : this.optExpr(c, 'expression'),
      dnPart: num(dnPart),
      precedence: num(tok(c, 'precedence')),
      merge: tok(c, 'mergeMode')?.image,
      once: kwPresent(c, 'once'),
      allowNull: kwPresent(c, 'allow-null'),
      loc: tokenLoc(tok(c, 'target')),
    };
  }

  deprovisionItem(c: Children): A.DeprovisionDecl {
    return {
      action: img(tok(c, 'action')),
      flows: nodes(c, 'flowItem').map((f) => this.visit(f) as A.FlowDecl),
      deleteAfter: duration(tok(c, 'Duration')),
      loc: tokenLoc(tok(c, 'action')),
    };
  }

  deletionDecl(c: Children): A.DeletionDecl {
    return {
      kind: 'Deletion',
      mvType: img(tok(c, 'mvType')),
      mode: img(tok(c, 'mode')),
      agents: node(c, 'agents') ? (this.visit(node(c, 'agents')!) as string[]) : [],
      except: node(c, 'except') ? (this.visit(node(c, 'except')!) as string[]) : [],
      grace: duration(tok(c, 'Duration')),
      loc: tokenLoc(tok(c, 'mvType')),
    };
  }

  profileDecl(c: Children): A.ProfileDecl {
    return {
      kind: 'Profile',
      name: img(tok(c, 'Name')),
      steps: nodes(c, 'stepItem').map((s) => this.visit(s) as A.StepDecl),
      loc: tokenLoc(tok(c, 'Name')),
    };
  }

  stepItem(c: Children): A.StepDecl {
    const values = toks(c, 'optionValue');
    const options = toks(c, 'option').map((o) => {
      // An option's number is the one token right after it.
      const v = values.find((t) => t.startOffset > o.startOffset && !toks(c, 'option').some((x) => x.startOffset > o.startOffset && x.startOffset < t.startOffset));
      return { name: o.image, value: num(v), loc: tokenLoc(o) };
    });
    return { agent: img(tok(c, 'agent')), stepType: img(tok(c, 'stepType')), options, loc: tokenLoc(tok(c, 'agent')) };
  }

  scheduleDecl(c: Children): A.ScheduleDecl {
    const cron = tok(c, 'StringLiteral');
    return {
      kind: 'Schedule',
      name: img(tok(c, 'name')),
      profile: img(tok(c, 'profile')),
      every: duration(tok(c, 'Duration')),
      cron: cron ? unquote(cron.image) : undefined,
      loc: tokenLoc(tok(c, 'name')),
    };
  }

  // ----------------- expressions -----------------
  expression(c: Children): A.Expr {
    const operands = nodes(c, 'operand').map((o) => this.visit(o) as A.Expr);
    return buildChain(operands, toks(c, 'BinaryOp'), this.dialect);
  }

  operand(c: Children): A.Expr {
    const inner = this.primary(c);
    const minus = tok(c, 'Minus');
    return minus ? { kind: 'Negate', operand: inner, loc: tokenLoc(minus) } : inner;
  }

  private primary(c: Children): A.Expr {
    const t = tok(c, 'AttrRef');
    if (t) return { kind: 'AttrRef', name: t.image.slice(1, -1).trim(), loc: tokenLoc(t) };
    const v = tok(c, 'Variable');
    if (v) return { kind: 'Variable', name: v.image, loc: tokenLoc(v) };
    const s = tok(c, 'StringLiteral');
    if (s) return { kind: 'String', value: unquote(s.image), loc: tokenLoc(s) };
    const n = tok(c, 'NumberLiteral');
    if (n) return { kind: 'Number', value: Number(n.image), loc: tokenLoc(n) };
    const h = tok(c, 'HexNumber');
    if (h) return { kind: 'Number', value: parseInt(h.image.slice(2), 16), loc: tokenLoc(h) };
    const p = node(c, 'parenExpr');
    if (p) return this.visit(p) as A.Expr;
    const call = node(c, 'callOrName');
    if (call) return this.visit(call) as A.Expr;
    return { kind: 'Empty', loc: noLoc };
  }

  parenExpr(c: Children): A.Expr {
    const inner = this.optExpr(c, 'expression') ?? { kind: 'Empty', loc: tokenLoc(tok(c, 'LParen')) };
    return { kind: 'Paren', inner, loc: tokenLoc(tok(c, 'LParen')) };
  }

  callOrName(c: Children): A.Expr {
    const name = tok(c, 'Name');
    const loc = tokenLoc(name);
    if (!tok(c, 'LParen')) return { kind: 'Name', name: img(name), loc };
    const args = nodes(c, 'argument').map((a) => this.visit(a) as A.Expr);
    // `F()` has one empty argument in the CST; it means no arguments.
    const cleaned = args.length === 1 && args[0]!.kind === 'Empty' ? [] : args;
    return { kind: 'Call', name: img(name), args: cleaned, loc };
  }

  argument(c: Children): A.Expr {
    return this.optExpr(c, 'expression') ?? { kind: 'Empty', loc: noLoc };
  }
}
