/**
 * Active Directory values as idsync keeps them: objectGUID in the string form
 * Microsoft tools show, objectSid as S-1-5-…, other binary attributes as
 * base64, GeneralizedTime as ISO 8601, USNs as numbers.
 */
import type { AttrValue, Attributes, Scalar } from '../../data/model.ts';
import { guidFromBytes, guidToBytes, sidToString } from '../../data/binary-ids.ts';

/** Attributes AD stores as octet strings. */
export const binaryAttributes = new Set(['objectguid', 'objectsid', 'ms-ds-consistencyguid', 'thumbnailphoto', 'jpegphoto', 'usercertificate', 'sidhistory', 'msexchmailboxguid']);
const timeAttributes = new Set(['whenchanged', 'whencreated']);
const numberAttributes = new Set(['usnchanged', 'usncreated', 'useraccountcontrol', 'grouptype', 'samaccounttype', 'instancetype']);


function generalizedTime(v: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(v);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)).toISOString() : v;
}

function fromWire(name: string, v: Buffer | string): Scalar {
  const n = name.toLowerCase();
  if (Buffer.isBuffer(v)) {
    if (n === 'objectguid') return guidFromBytes(v);
    if (n === 'objectsid' || n === 'sidhistory') return sidToString(v);
    return v.toString('base64');
  }
  if (timeAttributes.has(n)) return generalizedTime(v);
  if (numberAttributes.has(n) && /^-?\d+$/.test(v)) return Number(v);
  return v;
}

/** An entry's attributes (ranged ones already merged) to idsync attributes. */
export function toAttributes(entry: Record<string, unknown>, wanted: readonly string[]): Attributes {
  const attrs: Attributes = {};
  const byLower = new Map(Object.keys(entry).map((k) => [k.toLowerCase(), k]));
  for (const name of wanted) {
    const key = byLower.get(name.toLowerCase());
    if (!key || key === 'dn') continue;
    const raw = entry[key];
    const values = (Array.isArray(raw) ? raw : [raw]).filter((x) => x !== undefined && x !== null && x !== '') as (Buffer | string)[];
    if (values.length === 0) continue;
    const converted = values.map((v) => fromWire(name, v));
    attrs[name] = converted.length === 1 ? converted[0]! : converted;
  }
  return attrs;
}

/** idsync values back to what AD takes. */
export function toWire(name: string, value: AttrValue | readonly Scalar[]): Buffer[] | string[] {
  const values = (Array.isArray(value) ? value : [value]) as Scalar[];
  const n = name.toLowerCase();
  if (n === 'objectguid' || (n === 'ms-ds-consistencyguid' && values.every((v) => /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(String(v))))) {
    return values.map((v) => Buffer.from(guidToBytes(String(v))));
  }
  if (binaryAttributes.has(n)) return values.map((v) => Buffer.from(String(v), 'base64'));
  return values.map((v) => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v)));
}

/** The UTF-16LE, double-quoted form AD requires for unicodePwd. */
export const unicodePwd = (password: string): Buffer => Buffer.from(`"${password}"`, 'utf16le');

/** RFC 4515: `*` `(` `)` `\` and NUL are escaped wherever a value reaches a filter. */
export function escapeFilterValue(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
