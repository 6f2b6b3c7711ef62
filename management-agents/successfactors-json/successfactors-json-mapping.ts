/**
 * SuccessFactors OData v2 `PerPerson` → flat attributes, with the current
 * (as-of) record of each effective-dated navigation: personalInfoNav,
 * employmentNav and its jobInfoNav.
 */
import type { Attributes } from '../../data/model.ts';

type Rec = Record<string, unknown>;
const results = (v: unknown): Rec[] => {
  if (Array.isArray(v)) return v as Rec[];
  const r = (v as { results?: unknown } | undefined)?.results;
  return Array.isArray(r) ? (r as Rec[]) : v && typeof v === 'object' ? [v as Rec] : [];
};

/** OData v2 dates: "/Date(1577836800000)/" or "/Date(1577836800000+0000)/" → yyyy-MM-dd. */
export function odataDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(v);
  if (m) return new Date(Number(m[1])).toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined;
}

/** The record in effect on `asOf`: the latest startDate not after it, whose endDate is not before it. */
function current(records: Rec[], asOf: string): Rec | undefined {
  return records
    .filter((r) => (odataDate(r['startDate']) ?? '0000') <= asOf && (odataDate(r['endDate']) ?? '9999') >= asOf)
    .sort((a, b) => (odataDate(b['startDate']) ?? '').localeCompare(odataDate(a['startDate']) ?? ''))[0];
}

export function mapPerPerson(p: Rec, asOf: string): { anchor: string; attrs: Attributes } | { error: string } {
  const id = typeof p['personIdExternal'] === 'string' ? p['personIdExternal'] : undefined;
  if (!id) return { error: 'PerPerson has no personIdExternal' };
  const info = current(results(p['personalInfoNav']), asOf) ?? results(p['personalInfoNav'])[0];
  const employments = results(p['employmentNav']);
  const employment = employments.find((e) => !odataDate(e['endDate']) || odataDate(e['endDate'])! >= asOf) ?? employments[0];
  const job = employment ? current(results(employment['jobInfoNav']), asOf) : undefined;
  const start = odataDate(employment?.['startDate']);
  const end = odataDate(employment?.['endDate']);
  let status = 'active';
  if (start && start > asOf) status = 'prehire';
  else if (end && end < asOf) status = 'terminated';
  const attrs: Attributes = {};
  const set = (k: string, v: unknown) => { if (typeof v === 'string' && v.trim() !== '') attrs[k] = v.trim(); };
  set('personIdExternal', id);
  set('firstName', info?.['firstName']);
  set('lastName', info?.['lastName']);
  set('preferredName', info?.['preferredName']);
  set('userId', employment?.['userId']);
  set('title', job?.['jobTitle']);
  set('department', job?.['department']);
  set('division', job?.['division']);
  set('location', job?.['location']);
  set('managerId', job?.['managerId']);
  set('emplStatus', job?.['emplStatus']);
  set('startDate', start);
  set('endDate', end);
  attrs['status'] = status;
  return { anchor: id, attrs };
}
