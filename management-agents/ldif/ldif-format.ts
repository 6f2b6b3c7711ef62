/** RFC 2849: content records in, content and change records out. */
import type { Attributes, Scalar } from '../../data/model.ts';
import type { AttrChange } from '../../data/objects.ts';
import { splitDn } from '../../data/dn.ts';

export interface LdifEntry {
  readonly dn: string;
  readonly attrs: Attributes;
  /** 1-based line where the record starts. */
  readonly line: number;
}

export class LdifSyntaxError extends Error {
  override name = 'LdifSyntaxError';
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

/** Unfolds continuation lines (a leading single space) and drops comments, keeping line numbers. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    if (raw.startsWith(' ') && out.length && out[out.length - 1]!.text !== '') out[out.length - 1]!.text += raw.slice(1);
    else if (raw.startsWith('#')) out.push({ text: '#', line: i + 1 });
    else out.push({ text: raw, line: i + 1 });
  });
  return out.filter((l) => l.text !== '#');
}

/** Parses content records. A bad record is reported and skipped; the others are returned. */
export function parseLdif(text: string): { entries: LdifEntry[]; errors: LdifSyntaxError[] } {
  const entries: LdifEntry[] = [];
  const errors: LdifSyntaxError[] = [];
  let cur: { dn: string; attrs: Record<string, Scalar[]>; line: number; bad?: LdifSyntaxError } | null = null;
  const flush = () => {
    if (cur && !cur.bad) entries.push({ dn: cur.dn, line: cur.line, attrs: Object.fromEntries(Object.entries(cur.attrs).map(([k, v]) => [k, v.length === 1 ? v[0]! : v])) });
    if (cur?.bad) errors.push(cur.bad);
    cur = null;
  };
  for (const { text: l, line } of logicalLines(text)) {
    if (l === '') { flush(); continue; }
    const m = /^([A-Za-z0-9;.-]+)(:<|::?)\s?(.*)$/.exec(l);
    if (!m) {
      if (cur) cur.bad ??= new LdifSyntaxError(`not an LDIF line: '${l.slice(0, 40)}'`, line);
      else errors.push(new LdifSyntaxError(`not an LDIF line: '${l.slice(0, 40)}'`, line));
      continue;
    }
    const [, name, sep, raw] = m as unknown as [string, string, string, string];
    if (sep === ':<') {
      // URL values would make the agent read arbitrary files: refused.
      const err = new LdifSyntaxError(`attribute ${name} uses a URL value (:<), which is not accepted`, line);
      if (cur) cur.bad ??= err;
      else errors.push(err);
      continue;
    }
    const value = sep === '::' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (name.toLowerCase() === 'version' && !cur) continue;
    if (name.toLowerCase() === 'dn') {
      flush();
      cur = { dn: value, attrs: {}, line };
      continue;
    }
    if (!cur) { errors.push(new LdifSyntaxError(`attribute ${name} before any dn:`, line)); continue; }
    if (name.toLowerCase() === 'changetype') { cur.bad ??= new LdifSyntaxError('a change record where content records are expected', line); continue; }
    (cur.attrs[name] ??= []).push(value);
  }
  flush();
  return { entries, errors };
}

/** RFC 2849 SAFE-STRING, else base64. */
function line(name: string, value: Scalar): string {
  const v = String(value);
  const safe = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(v) && !v.endsWith(' ');
  const text = v === '' ? `${name}:` : safe ? `${name}: ${v}` : `${name}:: ${Buffer.from(v, 'utf8').toString('base64')}`;
  // Fold at 76 columns, as RFC 2849 allows.
  return text.length <= 76 ? text : text.slice(0, 76) + text.slice(76).replace(/(.{1,75})/g, '\n $1');
}

const values = (v: Scalar | Scalar[]) => (Array.isArray(v) ? v : [v]);

export function contentRecord(dn: string, attrs: Attributes): string {
  return [line('dn', dn), ...Object.entries(attrs).flatMap(([k, v]) => values(v).map((x) => line(k, x)))].join('\n') + '\n';
}

export function addRecord(dn: string, attrs: Attributes): string {
  return [line('dn', dn), 'changetype: add', ...Object.entries(attrs).flatMap(([k, v]) => values(v).map((x) => line(k, x)))].join('\n') + '\n';
}

export function modifyRecord(dn: string, changes: Readonly<Record<string, AttrChange>>): string {
  const parts = [line('dn', dn), 'changetype: modify'];
  for (const [k, c] of Object.entries(changes)) {
    if (c.op === 'replace') parts.push(`replace: ${k}`, ...(c.value === null ? [] : values(c.value).map((x) => line(k, x))), '-');
    else {
      if (c.add.length) parts.push(`add: ${k}`, ...c.add.map((x) => line(k, x)), '-');
      if (c.remove.length) parts.push(`delete: ${k}`, ...c.remove.map((x) => line(k, x)), '-');
    }
  }
  return parts.join('\n') + '\n';
}

export function modrdnRecord(dn: string, newDn: string): string {
  const [rdn, ...parent] = splitDn(newDn);
  const oldParent = splitDn(dn).slice(1).join(',');
  const newParent = parent.join(',');
  return [line('dn', dn), 'changetype: modrdn', line('newrdn', rdn ?? newDn), 'deleteoldrdn: 1', ...(newParent.toLowerCase() !== oldParent.toLowerCase() ? [line('newsuperior', newParent)] : [])].join('\n') + '\n';
}

export const deleteRecord = (dn: string) => `${line('dn', dn)}\nchangetype: delete\n`;
