/** Date and time functions; Windows FILETIME is 100 ns ticks since 1601-01-01 UTC. */
import { fn, type FunctionDef } from './types.ts';
import { ExpressionError, isNull, perValue, toDate, toNum, toStr, type Value } from '../values.ts';
import { formatDotNet, parseDotNet } from './dotnet-format.ts';

const EPOCH_DIFF_MS = 11_644_473_600_000n;

export function dateFromFileTime(v: Value): Date | null {
  const t = toStr(v);
  if (t === null || !/^-?\d+$/.test(t.trim())) return null;
  return new Date(Number(BigInt(t.trim()) / 10_000n - EPOCH_DIFF_MS));
}

export function fileTimeFromDate(d: Date): number {
  return Number((BigInt(d.getTime()) + EPOCH_DIFF_MS) * 10_000n);
}

function addInterval(interval: string, amount: number, d: Date): Date {
  const r = new Date(d.getTime());
  switch (interval.toLowerCase()) {
    case 'yyyy': r.setUTCFullYear(r.getUTCFullYear() + amount); break;
    case 'q': r.setUTCMonth(r.getUTCMonth() + 3 * amount); break;
    case 'm': r.setUTCMonth(r.getUTCMonth() + amount); break;
    case 'y': case 'd': case 'w': r.setUTCDate(r.getUTCDate() + amount); break;
    case 'ww': r.setUTCDate(r.getUTCDate() + 7 * amount); break;
    case 'h': r.setUTCHours(r.getUTCHours() + amount); break;
    case 'n': r.setUTCMinutes(r.getUTCMinutes() + amount); break;
    case 's': r.setUTCSeconds(r.getUTCSeconds() + amount); break;
    default: throw new ExpressionError(`DateAdd: unknown interval '${interval}' (use yyyy, q, m, y, d, w, ww, h, n or s)`);
  }
  return r;
}

const intervalMs: Record<string, number> = { d: 86_400_000, y: 86_400_000, w: 86_400_000, ww: 604_800_000, h: 3_600_000, n: 60_000, s: 1000 };
function dateDiff(interval: string, a: Date, b: Date): number {
  const i = interval.toLowerCase();
  if (i === 'yyyy') return b.getUTCFullYear() - a.getUTCFullYear();
  if (i === 'm') return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
  if (i === 'q') return Math.trunc(((b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth()) / 3);
  const unit = intervalMs[i];
  if (!unit) throw new ExpressionError(`DateDiff: unknown interval '${interval}'`);
  return Math.trunc((b.getTime() - a.getTime()) / unit);
}

const date = (v: Value | undefined, name: string): Date => {
  const d = toDate(v ?? null);
  if (!d) throw new ExpressionError(`${name}: '${toStr(v ?? null)}' is not a date`);
  return d;
};

export const dateFunctions: FunctionDef[] = [
  fn('Now', 0, 0, (_a, ctx) => (ctx.now ? ctx.now() : new Date())),
  fn('DateFromNum', 1, 1, ([v]) => perValue(v ?? null, (x) => dateFromFileTime(x))),
  fn('NumFromDate', 1, 1, ([v]) => perValue(v ?? null, (x) => fileTimeFromDate(date(x, 'NumFromDate')))),
  fn('DateAdd', 3, 3, ([i, n, d]) => (isNull(d ?? null) ? null : addInterval(toStr(i ?? null) ?? '', toNum(n ?? null) ?? 0, date(d, 'DateAdd')))),
  fn('DateDiff', 3, 3, ([i, a, b]) => dateDiff(toStr(i ?? null) ?? '', date(a, 'DateDiff'), date(b, 'DateDiff'))),
];

/** Entra: FormatDateTime(source, [dateTimeStyles], inputFormat, outputFormat). */
export const entraDate: FunctionDef[] = [
  fn('FormatDateTime', 3, 4, (args) => {
    const [source, inputFormat, outputFormat] = args.length === 4 ? [args[0], args[2], args[3]] : args;
    return perValue(source ?? null, (x) => {
      const text = toStr(x) ?? '';
      const inFmt = toStr(inputFormat ?? null);
      const d = inFmt ? parseDotNet(text, inFmt) : toDate(x);
      if (!d) throw new ExpressionError(`FormatDateTime: '${text}' does not match the input format '${inFmt}'`);
      return formatDotNet(d, toStr(outputFormat ?? null) ?? 'yyyy-MM-ddTHH:mm:ssZ');
    });
  }),
];

/** Azure AD Connect: FormatDateTime(dateTime, format). */
export const aadcDate: FunctionDef[] = [
  fn('FormatDateTime', 2, 2, ([d, f]) => perValue(d ?? null, (x) => formatDotNet(date(x, 'FormatDateTime'), toStr(f ?? null) ?? ''))),
];
