/** Distinguished-name functions (RFC 4514). */
import { fn, type FunctionDef } from './types.ts';
import { perValue, toNum, toStr, type Value } from '../values.ts';
import { escapeRdnValue, rdnValue, splitDn } from '../../data/dn.ts';

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
