/**
 * Tokens of the idsync rules language (`*.sync`).
 *
 * Keywords belong to the `Name` category, so a keyword can still be used
 * where any name is allowed (an attribute called `type`, say).
 */
import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.ts';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\uFEFF]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /(?:\/\/|#)[^\n\r]*/, group: 'comments' });

/** Any identifier-like token, keywords included. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_-]*/,
  categories: [Name],
  label: 'a name',
});

// Expression literals.
export const AttrRef = createToken({ name: 'AttrRef', pattern: /\[[^\]\r\n]*\]/, label: '[attribute]' });
export const Variable = createToken({ name: 'Variable', pattern: /\$[A-Za-z_][A-Za-z0-9_]*/, label: '$variable' });
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  label: 'a string',
});
export const HexNumber = createToken({ name: 'HexNumber', pattern: /&H[0-9A-Fa-f]+/, label: 'a hex number' });
export const Duration = createToken({ name: 'Duration', pattern: /\d+(?:ms|[smhdw])(?![A-Za-z0-9_])/, label: 'a duration (30m, 7d)' });
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /\d+(?:\.\d+)?/, label: 'a number' });

// Punctuation.
export const LBrace = createToken({ name: 'LBrace', pattern: /{/, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/, label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const Arrow = createToken({ name: 'Arrow', pattern: /<-/, label: "'<-'" });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'" });

/** Binary operators share one category; precedence is decided when the AST is built (it depends on the dialect). */
export const BinaryOp = createToken({ name: 'BinaryOp', pattern: Lexer.NA, label: 'an operator' });
const op = (name: string, pattern: RegExp, label: string): TokenType =>
  createToken({ name, pattern, categories: [BinaryOp], label });
export const AndAnd = op('AndAnd', /&&/, "'&&'");
export const Amp = op('Amp', /&/, "'&'");
export const OrOr = op('OrOr', /\|\|/, "'||'");
export const NotEq = op('NotEq', /<>|!=/, "'<>'");
export const LessEq = op('LessEq', /<=/, "'<='");
export const GreaterEq = op('GreaterEq', />=/, "'>='");
export const Less = op('Less', /</, "'<'");
export const Greater = op('Greater', />/, "'>'");
export const Equals = op('Equals', /==?/, "'='");
export const Plus = op('Plus', /\+/, "'+'");
export const Minus = op('Minus', /-/, "'-'");
export const Star = op('Star', /\*/, "'*'");
export const Slash = op('Slash', /\//, "'/'");

const keywordNames = [
  'dialect', 'object', 'agent', 'type', 'anchor', 'attributes', 'threshold', 'deletes',
  'inbound', 'outbound', 'from', 'to', 'precedence', 'scope', 'filter', 'join', 'group', 'match',
  'project', 'when', 'flow', 'dn', 'merge', 'once', 'allow-null', 'provision', 'deprovision',
  'then', 'delete', 'after', 'deletion', 'except', 'grace', 'profile', 'step', 'schedule', 'run',
  'every', 'cron', 'multi', 'indexed', 'env', 'file',
] as const;
export type Keyword = (typeof keywordNames)[number];

/** Keyword tokens by their text, so the parser can say `kw.flow`. */
export const kw = Object.fromEntries(
  keywordNames.map((word) => [
    word,
    createToken({
      name: `Kw_${word.replace(/-/g, '_')}`,
      // `\b` is wrong for hyphenated words, so end on anything that cannot continue a name.
      pattern: new RegExp(`${word}(?![A-Za-z0-9_-])`),
      longer_alt: Identifier,
      categories: [Name],
      label: `'${word}'`,
    }),
  ]),
) as Record<Keyword, TokenType>;

// The order is important: keywords before Identifier, longer operators before their prefixes.
export const allTokens: TokenType[] = [
  WhiteSpace, LineComment, AttrRef, Variable, StringLiteral, HexNumber, Duration, NumberLiteral,
  LBrace, RBrace, LParen, RParen, Comma, Dot, Colon, Arrow, Percent,
  AndAnd, Amp, OrOr, NotEq, LessEq, GreaterEq, Less, Greater, Equals, Plus, Minus, Star, Slash,
  BinaryOp, Name, ...Object.values(kw), Identifier,
];

export const rulesLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });
