/**
 * The AST of the rules language: readonly plain objects tagged by `kind`.
 * Handlers dispatch through `Record<X['kind'], …>`, so a new kind without a
 * handler is a compile error.
 */
import type { Loc } from './diagnostics.ts';

export type Dialect = 'entra' | 'aadc';

// ----------------- expressions -----------------
export type BinaryOperator = '&' | '&&' | '||' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/';

export interface AttrRefExpr { readonly kind: 'AttrRef'; readonly name: string; readonly loc: Loc }
export interface VariableExpr { readonly kind: 'Variable'; readonly name: string; readonly loc: Loc }
export interface StringExpr { readonly kind: 'String'; readonly value: string; readonly loc: Loc }
export interface NumberExpr { readonly kind: 'Number'; readonly value: number; readonly loc: Loc }
/** A bare name: NULL, True, False, CRLF, AuthoritativeNull, IgnoreThisFlow. */
export interface NameExpr { readonly kind: 'Name'; readonly name: string; readonly loc: Loc }
/** An empty argument, as Entra allows: `FormatDateTime([x], , "yyyy", "yy")`. */
export interface EmptyExpr { readonly kind: 'Empty'; readonly loc: Loc }
export interface CallExpr { readonly kind: 'Call'; readonly name: string; readonly args: readonly Expr[]; readonly loc: Loc }
export interface BinaryExpr {
  readonly kind: 'Binary';
  readonly op: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
  readonly loc: Loc;
}
export interface NegateExpr { readonly kind: 'Negate'; readonly operand: Expr; readonly loc: Loc }
export interface ParenExpr { readonly kind: 'Paren'; readonly inner: Expr; readonly loc: Loc }

export type Expr =
  | AttrRefExpr | VariableExpr | StringExpr | NumberExpr | NameExpr | EmptyExpr
  | CallExpr | BinaryExpr | NegateExpr | ParenExpr;

// ----------------- declarations -----------------
export interface AttributeDecl {
  readonly kind: 'Attribute';
  readonly name: string;
  readonly type: string;
  /** Where the type is written, for diagnostics about it. */
  readonly typeLoc: Loc;
  readonly refType: string | undefined;
  readonly multi: boolean;
  readonly indexed: boolean;
  readonly loc: Loc;
}
export interface ObjectDecl { readonly kind: 'Object'; readonly name: string; readonly attributes: readonly AttributeDecl[]; readonly loc: Loc }

export type SettingValue =
  | { readonly kind: 'String'; readonly value: string; readonly loc: Loc }
  | { readonly kind: 'Number'; readonly value: number; readonly loc: Loc }
  | { readonly kind: 'Duration'; readonly text: string; readonly ms: number; readonly loc: Loc }
  | { readonly kind: 'Name'; readonly name: string; readonly loc: Loc }
  | { readonly kind: 'Secret'; readonly source: 'env' | 'file'; readonly ref: string; readonly loc: Loc };
export interface Setting { readonly kind: 'Setting'; readonly name: string; readonly values: readonly SettingValue[]; readonly loc: Loc }
export interface AgentObject {
  readonly kind: 'AgentObject';
  readonly name: string;
  readonly anchor: readonly string[];
  readonly attributes: readonly string[];
  readonly loc: Loc;
}
export interface Threshold { readonly kind: 'Threshold'; readonly value: number; readonly percent: boolean; readonly loc: Loc }
export interface AgentDecl {
  readonly kind: 'Agent';
  readonly name: string;
  readonly type: string;
  readonly settings: readonly Setting[];
  readonly objects: readonly AgentObject[];
  readonly thresholds: readonly Threshold[];
  readonly loc: Loc;
}

export type MergeMode = 'replace' | 'merge' | 'merge-case-insensitive';
export interface FlowDecl {
  readonly kind: 'Flow';
  readonly target: string;
  /** `dnPart` set means a DN-component flow (`flow ou <- dn 2`). */
  readonly source: Expr | undefined;
  readonly dnPart: number | undefined;
  readonly precedence: number | undefined;
  readonly merge: string | undefined;
  readonly once: boolean;
  readonly allowNull: boolean;
  readonly loc: Loc;
}
export interface JoinPair { readonly cs: Expr; readonly mv: Expr; readonly loc: Loc }
export interface JoinGroup { readonly kind: 'JoinGroup'; readonly pairs: readonly JoinPair[]; readonly loc: Loc }
export interface Condition { readonly when: Expr | undefined; readonly loc: Loc }

export interface RuleHeader {
  readonly name: string;
  readonly agent: string;
  readonly objectType: string;
  readonly mvType: string;
  readonly precedence: number | undefined;
  readonly dialect: string | undefined;
  readonly loc: Loc;
}
export interface InboundDecl extends RuleHeader {
  readonly kind: 'Inbound';
  readonly scope: Expr | undefined;
  readonly filter: Expr | undefined;
  readonly joinGroups: readonly JoinGroup[];
  readonly project: Condition | undefined;
  readonly flows: readonly FlowDecl[];
}
export interface DeprovisionDecl {
  readonly action: string;
  readonly flows: readonly FlowDecl[];
  readonly deleteAfter: { readonly text: string; readonly ms: number } | undefined;
  readonly loc: Loc;
}
export interface OutboundDecl extends RuleHeader {
  readonly kind: 'Outbound';
  readonly scope: Expr | undefined;
  readonly provision: Condition | undefined;
  readonly dn: Expr | undefined;
  readonly flows: readonly FlowDecl[];
  readonly deprovision: DeprovisionDecl | undefined;
}
export interface DeletionDecl {
  readonly kind: 'Deletion';
  readonly mvType: string;
  readonly mode: string;
  readonly agents: readonly string[];
  readonly except: readonly string[];
  readonly grace: { readonly text: string; readonly ms: number } | undefined;
  readonly loc: Loc;
}
export interface StepDecl {
  readonly agent: string;
  readonly stepType: string;
  readonly options: readonly { readonly name: string; readonly value: number | undefined; readonly loc: Loc }[];
  readonly loc: Loc;
}
export interface ProfileDecl { readonly kind: 'Profile'; readonly name: string; readonly steps: readonly StepDecl[]; readonly loc: Loc }
export interface ScheduleDecl {
  readonly kind: 'Schedule';
  readonly name: string;
  readonly profile: string;
  readonly every: { readonly text: string; readonly ms: number } | undefined;
  readonly cron: string | undefined;
  readonly loc: Loc;
}
export interface DialectDecl { readonly kind: 'Dialect'; readonly dialect: string; readonly loc: Loc }

export type Declaration =
  | DialectDecl | ObjectDecl | AgentDecl | InboundDecl | OutboundDecl | DeletionDecl | ProfileDecl | ScheduleDecl;

export interface RulesDocument {
  readonly kind: 'Document';
  readonly file: string;
  readonly declarations: readonly Declaration[];
  /** Full-line comments, kept so `fmt` can put them back. */
  readonly comments: readonly { readonly text: string; readonly line: number }[];
}
