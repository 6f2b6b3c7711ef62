/** Diagnostics are data, never thrown: every stage appends to one list. */

export type Severity = 'error' | 'warning' | 'info';

/** One problem found in a rules file. Lines and columns are 1-based. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly length: number;
  readonly severity: Severity;
  /** Stable code, `IDSnnnn`; see docs/rules-language.md#diagnostics. */
  readonly code: string;
  readonly message: string;
}

export interface Loc {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly length: number;
}

export const noLoc: Loc = { line: 1, column: 1, offset: 0, length: 0 };

/** Stable diagnostic codes. Never renumber; add new ones at the end of a range. */
export const Codes = {
  LexError: 'IDS0001',
  ParseError: 'IDS0002',
  InternalError: 'IDS0009',
  UnknownObjectType: 'IDS0101',
  UnknownAgent: 'IDS0102',
  UnknownAgentObjectType: 'IDS0103',
  UnknownMvAttribute: 'IDS0104',
  UnknownAttributeType: 'IDS0105',
  AttributeNotInInclusionList: 'IDS0106',
  DuplicateDeclaration: 'IDS0107',
  UnknownFunction: 'IDS0201',
  WrongArgumentCount: 'IDS0202',
  NotSupportedYet: 'IDS0203',
  TypeMismatch: 'IDS0204',
  UnknownLiteral: 'IDS0205',
  BadLiteral: 'IDS0206',
  UnknownVariable: 'IDS0207',
  UnknownDialect: 'IDS0208',
  DuplicateJoin: 'IDS0301',
  DuplicatePrecedence: 'IDS0302',
  JoinNotIndexed: 'IDS0303',
  MergeModeConflict: 'IDS0304',
  BadOption: 'IDS0305',
  LiteralSecret: 'IDS0401',
  UnknownSetting: 'IDS0402',
  BadSettingValue: 'IDS0403',
  MissingSetting: 'IDS0404',
  UnknownAgentType: 'IDS0405',
  BadProfile: 'IDS0501',
  BadSchedule: 'IDS0502',
} as const;

export type DiagnosticSink = (severity: Severity, code: string, message: string, loc: Loc) => void;

export function createSink(file: string, out: Diagnostic[]): DiagnosticSink {
  return (severity, code, message, loc) =>
    out.push({ file, line: loc.line, column: loc.column, length: loc.length, severity, code, message });
}

/** `hr.sync:14:22 error IDS0104 unknown metaverse attribute …` */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;
}

/** Levenshtein-based suggestion for "did you mean …?". */
export function suggest(name: string, candidates: Iterable<string>): string {
  let best = '';
  let bestScore = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const score = c.toLowerCase() === lower ? 0 : distance(lower, c.toLowerCase());
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
