/** Text functions of Entra provisioning and Azure AD Connect. */
import { fn, type FunctionDef } from './types.ts';
import { ExpressionError, isNull, perValue, toNum, toStr, type Value } from '../values.ts';

const s = (v: Value): string => toStr(v) ?? '';
const n = (v: Value, d = 0): number => toNum(v) ?? d;
const strFn = (name: string, f: (x: string) => string): FunctionDef =>
  fn(name, 1, 1, ([v]) => perValue(v ?? null, (x) => (isNull(x) ? null : f(s(x)))));

/** Patterns compiled so far: a rule's pattern is a constant, evaluated for every object. Bounded, as a pattern may come from data. */
const compiled = new Map<string, RegExp>();
function regex(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    if (compiled.size >= 256) compiled.clear();
    compiled.set(key, (re = new RegExp(pattern, flags)));
  }
  return re;
}

/** .NET TextInfo.ToTitleCase: words entirely in upper case are taken as acronyms and kept. */
function titleCase(text: string): string {
  return text.replace(/[\p{L}\p{N}']+/gu, (w) => (w === w.toUpperCase() && /\p{Lu}/u.test(w) ? w : w[0]!.toUpperCase() + w.slice(1).toLowerCase()));
}

function pcaseWithSeparators(text: string, separators: string): string {
  let out = '';
  let start = true;
  for (const ch of text) {
    out += start ? ch.toUpperCase() : ch.toLowerCase();
    start = separators.includes(ch);
  }
  return out;
}

// Letters NFD does not decompose.
const extraDiacritics: Record<string, string> = {
  ł: 'l', Ł: 'L', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ħ: 'h', Ħ: 'H', ı: 'i', ß: 'ss', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', þ: 'th', Þ: 'TH',
};
const ASCII = /^[\x00-\x7f]*$/;
export function normalizeDiacritics(text: string): string {
  // Most names are ASCII, which has nothing to strip: decomposing them was a cost on every account name.
  if (ASCII.test(text)) return text;
  return text.normalize('NFD').replace(/\p{Mn}/gu, '').replace(/[łŁøØđĐħĦıßæÆœŒþÞ]/g, (c) => extraDiacritics[c] ?? c);
}

function inStr(hay: string, needle: string, start: number, compare: string): number {
  const ci = /text|ignore/i.test(compare);
  const h = ci ? hay.toLowerCase() : hay;
  const nd = ci ? needle.toLowerCase() : needle;
  const i = h.indexOf(nd, Math.max(0, start - 1));
  return i + 1;
}

function word(text: string, index: number, delimiters: string): string {
  if (index < 1) return '';
  const words = text.split(regex(`[${delimiters.replace(/[\]\\^-]/g, '\\$&')}]+`, '')).filter((w) => w !== '');
  return delimiters === '' ? (index === 1 ? text : '') : (words[index - 1] ?? '');
}

function randomString(len: number, digits: number, specials: number, caps: number, lower: number, avoid: string): string {
  const pick = (set: string) => {
    const allowed = [...set].filter((c) => !avoid.includes(c));
    if (!allowed.length) throw new ExpressionError('RandomString: every character of a required class is avoided');
    return allowed[Math.floor(Math.random() * allowed.length)]!;
  };
  const sets = { d: '0123456789', s: '!@#$%^&*()-_=+[]{};:,.?', u: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', l: 'abcdefghijklmnopqrstuvwxyz' };
  const chars: string[] = [];
  for (let i = 0; i < digits; i++) chars.push(pick(sets.d));
  for (let i = 0; i < specials; i++) chars.push(pick(sets.s));
  for (let i = 0; i < caps; i++) chars.push(pick(sets.u));
  for (let i = 0; i < lower; i++) chars.push(pick(sets.l));
  while (chars.length < len) chars.push(pick(sets.u + sets.l + sets.d));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Entra: Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template). */
function entraReplace(a: readonly Value[]): Value {
  const [source, oldValue, pattern, group, replacement, replacementAttr, template] = a.map((x) => (x === undefined || isNull(x) ? null : x));
  const replacementText = replacement !== null && replacement !== undefined ? s(replacement) : replacementAttr != null ? s(replacementAttr) : null;
  return perValue(source ?? null, (v) => {
    const src = s(v);
    if (oldValue != null && template != null) return s(template).split(s(oldValue)).join(src);
    if (oldValue != null) return replacementText === null ? src : src.split(s(oldValue)).join(replacementText);
    if (pattern != null) {
      // Shared across calls: replace() with a global pattern, and exec() without one, start from the beginning.
      if (group != null) {
        const m = regex(s(pattern), '').exec(src);
        const g = m?.groups?.[s(group)];
        if (!m || g === undefined) return src;
        return replacementText === null ? g : src.replace(g, replacementText);
      }
      return src.replace(regex(s(pattern), 'g'), (replacementText ?? '').replace(/\$\{(\w+)\}/g, '$<$1>'));
    }
    return src;
  });
}

export const textFunctions: FunctionDef[] = [
  fn('Append', 2, 2, ([a, b]) => s(a ?? null) + s(b ?? null)),
  fn('Left', 2, 2, ([v, c]) => perValue(v ?? null, (x) => { const k = n(c ?? null); return k < 0 ? s(x) : s(x).slice(0, k); })),
  fn('Right', 2, 2, ([v, c]) => perValue(v ?? null, (x) => { const k = n(c ?? null); const t = s(x); return k <= 0 ? '' : t.slice(Math.max(0, t.length - k)); })),
  fn('Mid', 3, 3, ([v, st, len]) => perValue(v ?? null, (x) => { const t = s(x); const b = Math.max(1, n(st ?? null, 1)); return t.substr(b - 1, Math.max(0, n(len ?? null))); })),
  fn('Len', 1, 1, ([v]) => perValue(v ?? null, (x) => s(x).length)),
  strFn('LCase', (x) => x.toLowerCase()),
  strFn('UCase', (x) => x.toUpperCase()),
  fn('ToLower', 1, 2, ([v]) => perValue(v ?? null, (x) => s(x).toLowerCase())),
  fn('ToUpper', 1, 2, ([v]) => perValue(v ?? null, (x) => s(x).toUpperCase())),
  strFn('Trim', (x) => x.trim()),
  strFn('LTrim', (x) => x.trimStart()),
  strFn('RTrim', (x) => x.trimEnd()),
  strFn('StripSpaces', (x) => x.replace(/ /g, '')),
  strFn('NormalizeDiacritics', normalizeDiacritics),
  fn('PadLeft', 2, 3, ([v, l, p]) => perValue(v ?? null, (x) => s(x).padStart(n(l ?? null), (s(p ?? ' ') || ' ')[0]))),
  fn('PadRight', 2, 3, ([v, l, p]) => perValue(v ?? null, (x) => s(x).padEnd(n(l ?? null), (s(p ?? ' ') || ' ')[0]))),
  fn('InStr', 2, 4, ([a, b, st, cmp]) => (isNull(a ?? null) ? 0 : inStr(s(a!), s(b ?? null), n(st ?? null, 1), s(cmp ?? null)))),
  fn('InStrRev', 2, 4, ([a, b, st, cmp]) => {
    const hay = s(a ?? null);
    const ci = /text|ignore/i.test(s(cmp ?? null));
    const start = st === undefined || isNull(st) ? hay.length : n(st);
    return (ci ? hay.toLowerCase() : hay).lastIndexOf(ci ? s(b ?? null).toLowerCase() : s(b ?? null), start - 1) + 1;
  }),
  fn('Word', 3, 3, ([v, i, d]) => (isNull(v ?? null) ? '' : word(s(v!), n(i ?? null), s(d ?? null)))),
  fn('ReplaceChars', 2, 2, ([v, pattern]) => {
    const pairs = s(pattern ?? null).split(',').map((p) => p.split(':')).filter((p) => p.length === 2) as [string, string][];
    return perValue(v ?? null, (x) => pairs.reduce((t, [from, to]) => t.split(from).join(to), s(x)));
  }),
  fn('ConvertToUTF8Hex', 1, 1, ([v]) => perValue(v ?? null, (x) => Buffer.from(s(x), 'utf8').toString('hex').toUpperCase())),
  fn('ConvertFromUTF8Hex', 1, 1, ([v]) => perValue(v ?? null, (x) => Buffer.from(s(x), 'hex').toString('utf8'))),
  fn('ConvertToBase64', 1, 2, ([v]) =>
    perValue(v ?? null, (x) => (x instanceof Uint8Array ? Buffer.from(x) : Buffer.from(s(x), 'utf16le')).toString('base64'))),
  fn('ConvertFromBase64', 1, 2, ([v, enc]) => {
    const e = s(enc ?? null).toLowerCase();
    const encoding: BufferEncoding = e === 'utf8' ? 'utf8' : e === 'ascii' ? 'ascii' : 'utf16le';
    return perValue(v ?? null, (x) => Buffer.from(s(x), 'base64').toString(encoding));
  }),
  fn('RandomString', 1, 6, ([l, d, sp, u, lo, av]) => randomString(n(l ?? null), n(d ?? null), n(sp ?? null), n(u ?? null), n(lo ?? null), s(av ?? null))),
  fn('Redact', 1, 1, ([v]) => v ?? null),
  fn('Guid', 0, 0, () => crypto.randomUUID()),
  fn('GUID', 0, 0, () => crypto.randomUUID()),
];

/** Names whose meaning differs between Entra provisioning and Azure AD Connect. */
export const entraText: FunctionDef[] = [
  fn('PCase', 1, 2, ([v, sep]) => perValue(v ?? null, (x) => (sep === undefined || isNull(sep) ? titleCase(s(x)) : pcaseWithSeparators(s(x), s(sep))))),
  fn('Replace', 3, 7, (a) => entraReplace(a)),
  fn('Join', 1, Infinity, ([sep, ...parts]) => parts.flatMap((p) => (Array.isArray(p) ? (p as Value[]) : [p ?? null])).filter((p) => !isNull(p)).map(s).join(s(sep ?? null))),
  fn('Split', 2, 2, ([v, d]) => (isNull(v ?? null) ? null : s(v!).split(s(d ?? null)))),
];
export const aadcText: FunctionDef[] = [
  fn('PCase', 1, 1, ([v]) => perValue(v ?? null, (x) => titleCase(s(x)))),
  fn('Replace', 3, 3, ([v, o, nv]) => perValue(v ?? null, (x) => s(x).replace(regex(escapeRe(s(o ?? null)), 'g'), () => s(nv ?? null)))),
  fn('Join', 1, 2, ([v, d]) => (isNull(v ?? null) ? null : (Array.isArray(v) ? (v as Value[]) : [v!]).map(s).join(s(d ?? null)))),
  fn('Split', 2, 3, ([v, d, lim]) => {
    if (isNull(v ?? null)) return null;
    const parts = s(v!).split(s(d ?? null));
    const limit = toNum(lim ?? null);
    return limit && limit > 0 && parts.length > limit ? [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(s(d ?? null))] : parts;
  }),
];
