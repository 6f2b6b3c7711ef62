/** Distinguished-name functions (RFC 4514). */
import { fn, type FunctionDef } from './types.ts';
import { perValue, toNum, toStr, type Value } from '../values.ts';

/** Escapes one RDN value: `, + " \ < > ; =`, a leading `#` or space, a trailing space, NUL. */
export function escapeRdnValue(value: string): string {
  let out = value.replace(/[,+"\\<>;=]/g, '\\$&').replace(/\0/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Splits a DN into RDNs, honouring escapes. */
export function splitDn(dn: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) { cur += c + dn[i + 1]; i++; continue; }
    if (c === ',') { parts.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim() !== '') parts.push(cur.trim());
  return parts;
}

/** The value of an RDN, unescaped. */
export function rdnValue(rdn: string): string {
  const eq = rdn.indexOf('=');
  return rdn.slice(eq + 1).replace(/\\([0-9a-fA-F]{2}|.)/g, (_, c: string) => (c.length === 2 ? String.fromCharCode(parseInt(c, 16)) : c));
}

export const directoryFunctions: FunctionDef[] = [
  fn('EscapeDNComponent', 1, 1, ([v]) => perValue(v ?? null, (x) => {
    const t = toStr(x) ?? '';
    // AADC passes "CN=" & [displayName]: escape the value after the attribute type.
    const m = /^([A-Za-z][A-Za-z0-9-]*)=(.*)$/s.exec(t);
    return m ? `${m[1]}=${escapeRdnValue(m[2]!)}` : escapeRdnValue(t);
  })),
  fn('DNComponent', 2, 2, ([dn, n]) => perValue(dn ?? null, (x) => {
    const rdn = splitDn(toStr(x) ?? '')[(toNum(n ?? null) ?? 0) - 1];
    return rdn === undefined ? null : rdnValue(rdn);
  })),
  fn('DNComponentRev', 2, 3, ([dn, n, opt]: readonly Value[]) => perValue(dn ?? null, (x) => {
    let parts = splitDn(toStr(x) ?? '');
    if ((toStr(opt ?? null) ?? '').toUpperCase() === 'DC') parts = parts.filter((p) => !/^dc=/i.test(p));
    const rdn = parts[parts.length - (toNum(n ?? null) ?? 0)];
    return rdn === undefined ? null : rdnValue(rdn);
  })),
];
