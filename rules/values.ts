/**
 * Runtime values of expressions. Attribute values from the store are JSON
 * (string, number, boolean, arrays of them); expressions may also produce
 * dates, GUIDs as bytes, and the two flow sentinels.
 */
export type Scalar = string | number | boolean | Date | Uint8Array;
export type Value = Scalar | null | readonly Value[] | Sentinel;

/** AADC's `AuthoritativeNull` and `IgnoreThisFlow`. */
export class Sentinel {
  constructor(readonly name: 'AuthoritativeNull' | 'IgnoreThisFlow') {}
  toString(): string { return this.name; }
}
export const AuthoritativeNull = new Sentinel('AuthoritativeNull');
export const IgnoreThisFlow = new Sentinel('IgnoreThisFlow');

/** An error raised by an expression at run time (the `Error()` function, a bad conversion). */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

/** Null, or an empty multi-value: "not present". */
export function isNull(v: Value): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0) || v instanceof Sentinel;
}

export function isNullOrEmpty(v: Value): boolean {
  return isNull(v) || v === '' || (Array.isArray(v) && v.every((x) => x === '' || x === null));
}

/** The first value of a multi-value; scalars as they are. */
export function first(v: Value): Value {
  return Array.isArray(v) ? ((v as Value[])[0] ?? null) : v;
}

export function toStr(v: Value): string | null {
  const x = first(v);
  if (x === null || x instanceof Sentinel) return null;
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return String(x);
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  if (x instanceof Date) return x.toISOString();
  if (x instanceof Uint8Array) return Buffer.from(x).toString('base64');
  return null;
}

export function toNum(v: Value): number | null {
  const x = first(v);
  if (x === null || x instanceof Sentinel) return null;
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') {
    const t = x.trim();
    if (/^&H[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
    const n = Number(t);
    return t !== '' && Number.isFinite(n) ? n : null;
  }
  if (x instanceof Date) return x.getTime();
  return null;
}

export function toBool(v: Value): boolean {
  const x = first(v);
  if (x === null || x instanceof Sentinel) return false;
  if (typeof x === 'boolean') return x;
  if (typeof x === 'number') return x !== 0;
  if (typeof x === 'string') {
    const t = x.trim().toLowerCase();
    if (t === 'true' || t === 'yes') return true;
    if (t === 'false' || t === 'no' || t === '' ) return false;
    const n = Number(t);
    return Number.isFinite(n) ? n !== 0 : true;
  }
  return true;
}

/** Parses ISO 8601 and the common "yyyy-MM-dd HH:mm:ss" forms; a bare date/time without zone is UTC. */
export function toDate(v: Value): Date | null {
  const x = first(v);
  if (x instanceof Date) return x;
  if (typeof x === 'number') return new Date(x);
  if (typeof x !== 'string') return null;
  const t = x.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (m) {
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    let time = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
    const zone = m[8];
    if (zone && zone !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    return new Date(time);
  }
  // US dates as AADC's examples write them ("12/25/2007 3:04 PM"), always UTC, never the host's zone.
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i.exec(t);
  if (us) {
    let h = +(us[4] ?? 0);
    if (us[7]) h = (h % 12) + (us[7].toUpperCase() === 'PM' ? 12 : 0);
    return new Date(Date.UTC(+us[3]!, +us[1]! - 1, +us[2]!, h, +(us[5] ?? 0), +(us[6] ?? 0)));
  }
  return null;
}

/** Applies `fn` to every value of a multi-value, or once to a scalar (null stays null). */
export function perValue(v: Value, fn: (x: Value) => Value): Value {
  if (Array.isArray(v)) return (v as Value[]).map(fn).filter((x) => x !== null);
  return v === null ? null : fn(v);
}

/** Equality the way the directory sees it: case-sensitive strings, numbers by value. */
export function looseEquals(a: Value, b: Value): boolean {
  const x = first(a);
  const y = first(b);
  if (x === null || y === null) return x === y;
  if (typeof x === 'number' || typeof y === 'number') return toNum(x) === toNum(y);
  if (typeof x === 'boolean' || typeof y === 'boolean') return toBool(x) === toBool(y);
  if (x instanceof Date || y instanceof Date) return toDate(x)?.getTime() === toDate(y)?.getTime();
  return toStr(x) === toStr(y);
}

const primitives = (v: readonly unknown[]): boolean => {
  for (const x of v) if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') return false;
  return true;
};

/** Converts an expression result to a JSON-safe attribute value for the store. */
export function toStored(v: Value): string | number | boolean | (string | number | boolean)[] | null {
  if (v === null || v instanceof Sentinel) return null;
  if (Array.isArray(v)) {
    // Most lists hold strings only (a department group's 10,000 members): copied as they are, not value by value.
    if (primitives(v)) return v.length ? (v as (string | number | boolean)[]).slice() : null;
    const out = (v as Value[]).map((x) => toStored(x)).filter((x): x is string | number | boolean => x !== null && !Array.isArray(x));
    return out.length ? out : null;
  }
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return v as string | number | boolean;
}
