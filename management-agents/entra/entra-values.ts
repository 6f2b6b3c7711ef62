/** Graph properties as idsync attributes, and back. */
import type { AttrValue, Attributes, Scalar } from '../../data/model.ts';

const booleans = new Set(['accountEnabled', 'securityEnabled', 'mailEnabled']);
const collection = { user: 'users', group: 'groups', device: 'devices' } as const;
export const pathOf = (type: 'user' | 'group' | 'device') => collection[type];
export const dnOf = (type: 'user' | 'group' | 'device', id: string) => `${collection[type]}/${id}`;
/** Reference properties are not plain properties: they go through $ref, and in a second pass. */
export const referenceProps = new Set(['manager', 'member']);

export function toAttributes(o: Record<string, unknown>, wanted: readonly string[]): Attributes {
  const attrs: Attributes = {};
  for (const k of wanted) {
    if (k === 'manager') {
      const m = o['manager'] as { id?: string } | undefined;
      if (m?.id) attrs[k] = m.id;
      continue;
    }
    const v = o[k];
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    if (Array.isArray(v)) attrs[k] = v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : x) as Scalar);
    else if (typeof v !== 'object') attrs[k] = v as Scalar;
  }
  return attrs;
}

/** An idsync value as the property Graph expects. */
export function toGraph(name: string, v: AttrValue | null): unknown {
  if (v === null) return null;
  if (booleans.has(name)) return Array.isArray(v) ? v.map((x) => String(x).toLowerCase() === 'true') : String(v).toLowerCase() === 'true';
  if (name === 'proxyAddresses' || name === 'businessPhones' || name === 'otherMails') return Array.isArray(v) ? v : [v];
  return Array.isArray(v) ? v[0] ?? null : v;
}

export interface GraphErrorBody { error?: { code?: string; message?: string; details?: { target?: string; code?: string }[] } }

export function describeError(status: number, body: unknown): { message: string; retryable: boolean; code: 'not-found' | 'already-exists' | 'other' } {
  const e = (body as GraphErrorBody | undefined)?.error;
  const details = e?.details?.map((d) => `${d.target}: ${d.code}`).join(', ');
  const message = `${status} ${e?.code ?? 'error'}: ${e?.message ?? ''}${details ? ` (${details})` : ''}`;
  const code = status === 404 || e?.code === 'Request_ResourceNotFound' ? 'not-found' : 'other';
  return { message, retryable: status === 429 || status >= 500, code };
}
