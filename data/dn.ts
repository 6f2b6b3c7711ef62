/**
 * Distinguished names (RFC 4514): escaping, splitting and reading RDNs. Shared
 * by the rules' DN functions and the directory agents, so it lives in data.
 */

const NEEDS_ESCAPE = /[,+"\\<>;=\0]|^[# ]| $/;

/** Escapes one RDN value: `, + " \ < > ; =`, a leading `#` or space, a trailing space, NUL. */
export function escapeRdnValue(value: string): string {
  // Most names need nothing: one test, not two replaces and three checks, on every DN of every sync.
  if (!NEEDS_ESCAPE.test(value)) return value;
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
