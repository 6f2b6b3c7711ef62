/**
 * Workday Get_Workers_Response → flat attributes. Typed IDs (`wd:ID wd:type`)
 * are read by type; status comes from effective dates as of a given day.
 */
import type { Attributes } from '../../data/model.ts';

type Node = Record<string, unknown>;
const arr = (v: unknown): Node[] => (v === undefined || v === null ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
const one = (v: unknown): Node | undefined => arr(v)[0];
const text = (v: unknown): string | undefined => {
  const n = Array.isArray(v) ? v[0] : v;
  if (n === undefined || n === null) return undefined;
  if (typeof n === 'object') return text((n as Node)['#text']);
  const s = String(n).trim();
  return s === '' ? undefined : s;
};

/** The value of the `wd:ID` with the given `wd:type` in a reference element. */
export function typedId(ref: unknown, ...types: string[]): string | undefined {
  for (const r of arr(ref)) {
    for (const id of arr(r['ID'])) {
      if (types.includes(String(id['@_type'] ?? ''))) return text(id);
    }
  }
  return undefined;
}

/** The attribute map the agent exposes; documented in docs/agents.md. */
export function mapWorker(worker: Node, asOf: string): { anchor: string; attrs: Attributes; changesOn?: string } | { error: string } {
  const data = one(worker['Worker_Data']) ?? {};
  const ref = worker['Worker_Reference'];
  const id = typedId(ref, 'Employee_ID', 'Contingent_Worker_ID') ?? text(data['Worker_ID']);
  if (!id) return { error: 'Worker has no Employee_ID or Contingent_Worker_ID' };
  const personal = one(data['Personal_Data']) ?? {};
  const names = one(personal['Name_Data']) ?? {};
  const legal = one(one(names['Legal_Name_Data'])?.['Name_Detail_Data']) ?? {};
  const preferred = one(one(names['Preferred_Name_Data'])?.['Name_Detail_Data']);
  const emails = arr(one(personal['Contact_Data'])?.['Email_Address_Data']);
  const workEmail = emails.find((e) => JSON.stringify(e['Usage_Data'] ?? '').includes('WORK')) ?? emails[0];
  const employment = one(data['Employment_Data']) ?? {};
  const jobs = arr(employment['Worker_Job_Data']);
  const job = jobs.find((j) => String(j['@_Primary_Job'] ?? '') === '1') ?? jobs[0] ?? {};
  const position = one(job['Position_Data']) ?? {};
  const status = one(employment['Worker_Status_Data']) ?? {};
  const orgs = arr(one(data['Organization_Data'])?.['Worker_Organization_Data']).map((o) => one(o['Organization_Data']) ?? {});
  const orgOfType = (t: string) => text(orgs.find((o) => typedId(o['Organization_Type_Reference'], 'Organization_Type_ID') === t)?.['Organization_Name']);

  const hire = text(status['Hire_Date'])?.slice(0, 10);
  const termination = text(status['Termination_Date'])?.slice(0, 10);
  const terminatedFlag = text(status['Terminated']) === '1' || text(status['Terminated']) === 'true';
  // Effective dates decide, not flags alone: a future hire is a pre-hire; a rehire after a termination is active.
  let state = 'active';
  if (hire && hire > asOf) state = 'prehire';
  else if (terminatedFlag && termination && termination <= asOf && !(hire && hire > termination)) state = 'terminated';

  const attrs: Attributes = {};
  const set = (k: string, v: string | undefined) => { if (v !== undefined) attrs[k] = v; };
  set('workerId', id);
  set('wid', typedId(ref, 'WID'));
  set('userId', text(data['User_ID']));
  set('firstName', text(legal['First_Name']));
  set('lastName', text(legal['Last_Name']));
  set('preferredFirstName', text(preferred?.['First_Name']));
  set('formattedName', text(legal['@_Formatted_Name']));
  set('email', text(workEmail?.['Email_Address']));
  set('title', text(position['Business_Title']) ?? text(position['Position_Title']));
  set('positionId', text(position['Position_ID']));
  set('positionEffectiveDate', text(position['@_Effective_Date'])?.slice(0, 10));
  set('workerType', typedId(position['Worker_Type_Reference'], 'Employee_Type_ID', 'Contingent_Worker_Type_ID'));
  set('managerId', typedId(position['Manager_as_of_last_detected_manager_change_Reference'], 'Employee_ID', 'Contingent_Worker_ID'));
  set('location', text(one(position['Business_Site_Summary_Data'])?.['Name']));
  set('department', orgOfType('SUPERVISORY') ?? orgOfType('COST_CENTER'));
  set('costCenter', orgOfType('COST_CENTER'));
  set('hireDate', hire);
  set('terminationDate', termination);
  set('status', state);
  // The status changes by itself on a future hire or termination date: a delta import must not miss that day.
  const upcoming = [hire, terminatedFlag ? termination : undefined].filter((d): d is string => !!d && d > asOf).sort()[0];
  return { anchor: id, attrs, ...(upcoming ? { changesOn: upcoming } : {}) };
}
