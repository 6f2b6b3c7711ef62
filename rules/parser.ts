/**
 * The CST parser of the rules language. Rules are class properties, so a
 * reference to a rule that does not exist is a TypeScript error.
 * One instance is reused: setting `input` resets it.
 */
import type { CstNode, IOrAlt, IParserErrorMessageProvider } from 'chevrotain';
import { CstParser, defaultParserErrorProvider } from './chevrotain.ts';
import * as T from './tokens.ts';

const { kw } = T;

const expectations: Record<string, string> = {
  declaration: 'a declaration (object, agent, inbound, outbound, deletion, profile, schedule or dialect)',
  expression: 'an expression', operand: 'an expression', argument: 'an expression', flowItem: 'an expression or dn N',
  settingValue: 'a value (a string, a number, a name, env("…") or file("…"))',
};

/** Short messages: "expecting an expression but found '}'" rather than every token sequence. */
const errorMessageProvider: IParserErrorMessageProvider = {
  ...defaultParserErrorProvider,
  buildNoViableAltMessage: (o) => `expecting ${expectations[o.ruleName] ?? `one of: ${o.expectedPathsPerAlt.flat().map((p) => p[0]?.LABEL ?? p[0]?.name).filter((x, i, a) => a.indexOf(x) === i).join(', ')}`}`,
  buildEarlyExitMessage: (o) => `expecting ${expectations[o.ruleName] ?? `at least one ${o.expectedIterationPaths.flat().map((t) => t.LABEL ?? t.name)[0] ?? 'item'}`}`,
  buildMismatchTokenMessage: (o) => `expecting ${o.expected.LABEL ?? o.expected.name}`,
  buildNotAllInputParsedMessage: () => 'expecting end of input',
};

export class RulesParser extends CstParser {
  /** OR alternatives, built once: rebuilding them on every call is chevrotain's most common slowdown. */
  private readonly alts: IOrAlt<unknown>[][] = [];

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: 'none', errorMessageProvider });
    // Very important to call this after all the rules have been defined.
    this.performSelfAnalysis();
  }

  public file = this.RULE('file', () => {
    this.MANY(() => this.SUBRULE(this.declaration));
  });

  private declaration = this.RULE('declaration', () => {
    this.OR(this.alts[1] ??= [
      { ALT: () => this.SUBRULE(this.dialectDecl) },
      { ALT: () => this.SUBRULE(this.objectDecl) },
      { ALT: () => this.SUBRULE(this.agentDecl) },
      { ALT: () => this.SUBRULE(this.inboundDecl) },
      { ALT: () => this.SUBRULE(this.outboundDecl) },
      { ALT: () => this.SUBRULE(this.deletionDecl) },
      { ALT: () => this.SUBRULE(this.profileDecl) },
      { ALT: () => this.SUBRULE(this.scheduleDecl) },
    ]);
  });

  private dialectDecl = this.RULE('dialectDecl', () => {
    this.CONSUME(kw.dialect);
    this.CONSUME(T.Name);
  });

  // ----------------- metaverse schema -----------------
  private objectDecl = this.RULE('objectDecl', () => {
    this.CONSUME(kw.object);
    this.CONSUME(T.Name);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.attributeDecl));
    this.CONSUME(T.RBrace);
  });

  private attributeDecl = this.RULE('attributeDecl', () => {
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Name, { LABEL: 'type' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.CONSUME3(T.Name, { LABEL: 'refType' });
      this.CONSUME(T.RParen);
    });
    // A modifier is a name not followed by ':' (that would be the next attribute).
    this.MANY({
      GATE: () => this.LA(2).tokenType !== T.Colon,
      DEF: () => this.OR(this.alts[2] ??= [{ ALT: () => this.CONSUME(kw.multi) }, { ALT: () => this.CONSUME(kw.indexed) }]),
    });
  });

  // ----------------- management agents -----------------
  private agentDecl = this.RULE('agentDecl', () => {
    this.CONSUME(kw.agent);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME(kw.type);
    this.CONSUME2(T.Name, { LABEL: 'type' });
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR(this.alts[3] ??= [
        { ALT: () => this.SUBRULE(this.agentObject) },
        { ALT: () => this.SUBRULE(this.threshold) },
        { ALT: () => this.SUBRULE(this.setting) },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  private setting = this.RULE('setting', () => {
    this.CONSUME(T.Name);
    this.CONSUME(T.Equals);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.settingValue) });
  });

  private settingValue = this.RULE('settingValue', () => {
    this.OR(this.alts[4] ??= [
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Duration) },
      {
        GATE: () => this.LA(2).tokenType === T.LParen,
        ALT: () => {
          this.OR2(this.alts[5] ??= [{ ALT: () => this.CONSUME(kw.env) }, { ALT: () => this.CONSUME(kw.file) }]);
          this.CONSUME(T.LParen);
          this.CONSUME2(T.StringLiteral);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.CONSUME(T.Name) },
    ]);
  });

  private agentObject = this.RULE('agentObject', () => {
    this.CONSUME(kw.object);
    this.CONSUME(T.Name);
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR(this.alts[6] ??= [
        { ALT: () => { this.CONSUME(kw.anchor); this.SUBRULE(this.nameList, { LABEL: 'anchor' }); } },
        { ALT: () => { this.CONSUME(kw.attributes); this.SUBRULE2(this.nameList, { LABEL: 'attributes' }); } },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  private nameList = this.RULE('nameList', () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Name) });
  });

  private threshold = this.RULE('threshold', () => {
    this.CONSUME(kw.threshold);
    this.CONSUME(kw.deletes);
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        this.CONSUME(T.NumberLiteral);
        this.OPTION(() => this.CONSUME(T.Percent));
      },
    });
  });

  // ----------------- inbound and outbound rules -----------------
  private inboundDecl = this.RULE('inboundDecl', () => {
    this.CONSUME(kw.inbound);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(kw.from);
    this.SUBRULE(this.qualifiedName);
    this.CONSUME(kw.to);
    this.CONSUME(T.Name, { LABEL: 'mvType' });
    this.SUBRULE(this.ruleOptions);
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR(this.alts[7] ??= [
        { ALT: () => this.SUBRULE(this.scopeItem) },
        { ALT: () => this.SUBRULE(this.filterItem) },
        { ALT: () => this.SUBRULE(this.joinItem) },
        { ALT: () => this.SUBRULE(this.projectItem) },
        { ALT: () => this.SUBRULE(this.flowItem) },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  private outboundDecl = this.RULE('outboundDecl', () => {
    this.CONSUME(kw.outbound);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(kw.from);
    this.CONSUME(T.Name, { LABEL: 'mvType' });
    this.CONSUME(kw.to);
    this.SUBRULE(this.qualifiedName);
    this.SUBRULE(this.ruleOptions);
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR(this.alts[8] ??= [
        { ALT: () => this.SUBRULE(this.scopeItem) },
        { ALT: () => this.SUBRULE(this.provisionItem) },
        { ALT: () => this.SUBRULE(this.dnItem) },
        { ALT: () => this.SUBRULE(this.flowItem) },
        { ALT: () => this.SUBRULE(this.deprovisionItem) },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  private qualifiedName = this.RULE('qualifiedName', () => {
    this.CONSUME(T.Name, { LABEL: 'agent' });
    this.CONSUME(T.Dot);
    this.CONSUME2(T.Name, { LABEL: 'objectType' });
  });

  private ruleOptions = this.RULE('ruleOptions', () => {
    this.MANY(() =>
      this.OR(this.alts[9] ??= [
        { ALT: () => { this.CONSUME(kw.precedence); this.CONSUME(T.NumberLiteral); } },
        { ALT: () => { this.CONSUME(kw.dialect); this.CONSUME(T.Name); } },
      ]),
    );
  });

  private scopeItem = this.RULE('scopeItem', () => {
    this.CONSUME(kw.scope);
    this.SUBRULE(this.expression);
  });

  private filterItem = this.RULE('filterItem', () => {
    this.CONSUME(kw.filter);
    this.SUBRULE(this.expression);
  });

  private joinItem = this.RULE('joinItem', () => {
    this.CONSUME(kw.join);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.joinGroup));
    this.CONSUME(T.RBrace);
  });

  private joinGroup = this.RULE('joinGroup', () => {
    this.CONSUME(kw.group);
    this.CONSUME(T.LBrace);
    this.AT_LEAST_ONE(() => {
      this.CONSUME(kw.match);
      this.SUBRULE(this.expression, { LABEL: 'cs' });
      this.CONSUME(kw.to);
      this.SUBRULE2(this.expression, { LABEL: 'mv' });
    });
    this.CONSUME(T.RBrace);
  });

  private projectItem = this.RULE('projectItem', () => {
    this.CONSUME(kw.project);
    this.OPTION(() => {
      this.CONSUME(kw.when);
      this.SUBRULE(this.expression);
    });
  });

  private provisionItem = this.RULE('provisionItem', () => {
    this.CONSUME(kw.provision);
    this.OPTION(() => {
      this.CONSUME(kw.when);
      this.SUBRULE(this.expression);
    });
  });

  private dnItem = this.RULE('dnItem', () => {
    this.CONSUME(kw.dn);
    this.SUBRULE(this.expression);
  });

  private flowItem = this.RULE('flowItem', () => {
    this.CONSUME(kw.flow);
    this.CONSUME(T.Name, { LABEL: 'target' });
    this.CONSUME(T.Arrow);
    this.OR(this.alts[10] ??= [
      {
        GATE: () => this.LA(2).tokenType === T.NumberLiteral,
        ALT: () => { this.CONSUME(kw.dn); this.CONSUME(T.NumberLiteral, { LABEL: 'dnPart' }); },
      },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
    this.MANY(() =>
      this.OR2(this.alts[11] ??= [
        { ALT: () => { this.CONSUME(kw.precedence); this.CONSUME2(T.NumberLiteral, { LABEL: 'precedence' }); } },
        { ALT: () => { this.CONSUME(kw.merge); this.CONSUME2(T.Name, { LABEL: 'mergeMode' }); } },
        { ALT: () => this.CONSUME(kw.once) },
        { ALT: () => this.CONSUME(kw['allow-null']) },
      ]),
    );
  });

  private deprovisionItem = this.RULE('deprovisionItem', () => {
    this.CONSUME(kw.deprovision);
    // delete | disconnect | explicit-disconnect | disable { flows }
    this.CONSUME(T.Name, { LABEL: 'action' });
    this.OPTION(() => {
      this.CONSUME(T.LBrace);
      this.MANY(() => this.SUBRULE(this.flowItem));
      this.CONSUME(T.RBrace);
    });
    this.OPTION2(() => {
      this.CONSUME(kw.then);
      this.CONSUME2(kw.delete);
      this.CONSUME(kw.after);
      this.CONSUME(T.Duration);
    });
  });

  // ----------------- deletion rules, run profiles, schedules -----------------
  private deletionDecl = this.RULE('deletionDecl', () => {
    this.CONSUME(kw.deletion);
    this.CONSUME(T.Name, { LABEL: 'mvType' });
    this.CONSUME(kw.when);
    this.CONSUME2(T.Name, { LABEL: 'mode' });
    this.OPTION({
      GATE: () => this.LA(1).tokenType !== kw.except && this.LA(1).tokenType !== kw.grace,
      DEF: () => this.SUBRULE(this.nameList, { LABEL: 'agents' }),
    });
    this.OPTION2(() => {
      this.CONSUME(kw.except);
      this.SUBRULE2(this.nameList, { LABEL: 'except' });
    });
    this.OPTION3(() => {
      this.CONSUME(kw.grace);
      this.CONSUME(T.Duration);
    });
  });

  private profileDecl = this.RULE('profileDecl', () => {
    this.CONSUME(kw.profile);
    this.CONSUME(T.Name);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.stepItem));
    this.CONSUME(T.RBrace);
  });

  private stepItem = this.RULE('stepItem', () => {
    this.CONSUME(kw.step);
    this.CONSUME(T.Name, { LABEL: 'agent' });
    this.CONSUME2(T.Name, { LABEL: 'stepType' });
    this.MANY({
      GATE: () => this.LA(1).tokenType !== kw.step,
      DEF: () => {
        this.CONSUME3(T.Name, { LABEL: 'option' });
        this.OPTION(() => this.CONSUME(T.NumberLiteral, { LABEL: 'optionValue' }));
      },
    });
  });

  private scheduleDecl = this.RULE('scheduleDecl', () => {
    this.CONSUME(kw.schedule);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME(kw.run);
    this.CONSUME2(T.Name, { LABEL: 'profile' });
    this.OR(this.alts[12] ??= [
      { ALT: () => { this.CONSUME(kw.every); this.CONSUME(T.Duration); } },
      { ALT: () => { this.CONSUME(kw.cron); this.CONSUME(T.StringLiteral); } },
    ]);
  });

  // ----------------- expressions -----------------
  /** A flat operand/operator chain; precedence is applied when building the AST, per dialect. */
  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.CONSUME(T.BinaryOp);
      this.SUBRULE2(this.operand);
    });
  });

  private operand = this.RULE('operand', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.OR(this.alts[13] ??= [
      { ALT: () => this.CONSUME(T.AttrRef) },
      { ALT: () => this.CONSUME(T.Variable) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.HexNumber) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.callOrName) },
    ]);
  });

  private parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
  });

  private callOrName = this.RULE('callOrName', () => {
    this.CONSUME(T.Name);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      // Entra allows empty arguments: FormatDateTime([x], , "yyyyMMdd", "yyyy-MM-dd").
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
      this.CONSUME(T.RParen);
    });
  });

  private argument = this.RULE('argument', () => {
    this.OPTION(() => this.SUBRULE(this.expression));
  });
}

export const rulesParser = new RulesParser();
export type { CstNode };
