/** Writes the demo's source files: the HR CSV, Workday XML pages, and the departments extract. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { departments, mailOf, type Person } from './people.ts';

const csvCell = (v: string | null) => (v === null ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const hrColumns = ['employeeId', 'givenName', 'sn', 'department', 'title', 'managerId', 'location', 'hireDate', 'terminationDate', 'status', 'mail'];
const hrRows = (people: readonly Person[]) => new Map(people.filter((p) => p.source !== 'workday').map((p) =>
  [p.id, [p.id, p.givenName, p.sn, p.department, p.title, p.managerId, p.location, p.hireDate, p.terminationDate, p.status, mailOf(p)].map(csvCell).join(',')]));

export function hrCsv(people: readonly Person[]): string {
  return [hrColumns.join(','), ...hrRows(people).values()].join('\n') + '\n';
}

/** The HR system's drop file between two days: the rows that changed or are new (`delta = drop`). People never leave the extract. */
export function hrChanges(before: readonly Person[], after: readonly Person[]): string {
  const old = hrRows(before);
  const changed = [...hrRows(after)].filter(([id, row]) => old.get(id) !== row).map(([id, row]) => `${old.has(id) ? 'update' : 'add'},${row}`);
  return [['changeType', ...hrColumns].join(','), ...changed].join('\n') + '\n';
}

function worker(p: Person, byId: ReadonlyMap<string, Person>): string {
  const manager = p.managerId ? byId.get(p.managerId) : undefined;
  const managerRef = manager ? (manager.source === 'workday' ? `<wd:ID wd:type="Contingent_Worker_ID">${manager.workerId}</wd:ID>` : `<wd:ID wd:type="Employee_ID">${manager.id}</wd:ID>`) : '';
  return `    <wd:Worker>
      <wd:Worker_Reference><wd:ID wd:type="WID">${p.id}0000wid</wd:ID><wd:ID wd:type="Contingent_Worker_ID">${p.workerId}</wd:ID></wd:Worker_Reference>
      <wd:Worker_Data>
        <wd:Worker_ID>${p.workerId}</wd:Worker_ID>
        <wd:Personal_Data>
          <wd:Name_Data><wd:Legal_Name_Data><wd:Name_Detail_Data wd:Formatted_Name="${xml(`${p.givenName} ${p.sn}`)}"><wd:First_Name>${xml(p.givenName)}</wd:First_Name><wd:Last_Name>${xml(p.sn)}</wd:Last_Name></wd:Name_Detail_Data></wd:Legal_Name_Data></wd:Name_Data>
          <wd:Contact_Data><wd:Email_Address_Data><wd:Email_Address>${xml(mailOf(p))}</wd:Email_Address><wd:Usage_Data><wd:Type_Data wd:Primary="1"><wd:Type_Reference><wd:ID wd:type="Communication_Usage_Type_ID">WORK</wd:ID></wd:Type_Reference></wd:Type_Data></wd:Usage_Data></wd:Email_Address_Data></wd:Contact_Data>
        </wd:Personal_Data>
        <wd:Employment_Data>
          <wd:Worker_Job_Data wd:Primary_Job="1">
            <wd:Position_Data wd:Effective_Date="${p.hireDate}">
              <wd:Position_ID>P-${p.workerId}</wd:Position_ID>
              <wd:Business_Title>${xml(p.source === 'both' ? 'Contractor' : p.title)}</wd:Business_Title>
              <wd:Worker_Type_Reference><wd:ID wd:type="Contingent_Worker_Type_ID">Contractor</wd:ID></wd:Worker_Type_Reference>
              <wd:Manager_as_of_last_detected_manager_change_Reference>${managerRef}</wd:Manager_as_of_last_detected_manager_change_Reference>
              <wd:Business_Site_Summary_Data><wd:Name>${xml(p.location)}</wd:Name></wd:Business_Site_Summary_Data>
            </wd:Position_Data>
          </wd:Worker_Job_Data>
          <wd:Worker_Status_Data><wd:Active>${p.status === 'active' ? 1 : 0}</wd:Active><wd:Hire_Date>${p.hireDate}</wd:Hire_Date><wd:Terminated>${p.terminationDate ? 1 : 0}</wd:Terminated>${p.terminationDate ? `<wd:Termination_Date>${p.terminationDate}</wd:Termination_Date>` : ''}</wd:Worker_Status_Data>
        </wd:Employment_Data>
        <wd:Organization_Data><wd:Worker_Organization_Data><wd:Organization_Data><wd:Organization_Name>${xml(p.department)}</wd:Organization_Name><wd:Organization_Type_Reference><wd:ID wd:type="Organization_Type_ID">SUPERVISORY</wd:ID></wd:Organization_Type_Reference></wd:Organization_Data></wd:Worker_Organization_Data></wd:Organization_Data>
      </wd:Worker_Data>
    </wd:Worker>`;
}

function responsePage(rendered: readonly string[], total: number, pages: number, page: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc" wd:version="v40.0">
  <wd:Response_Results><wd:Total_Results>${total}</wd:Total_Results><wd:Total_Pages>${pages}</wd:Total_Pages><wd:Page_Results>${rendered.length}</wd:Page_Results><wd:Page>${page}</wd:Page></wd:Response_Results>
  <wd:Response_Data>
${rendered.join('\n')}
  </wd:Response_Data>
</wd:Get_Workers_Response>
`;
}

export function workdayPages(people: readonly Person[], pageSize = 1000): string[] {
  const byId = new Map(people.map((p) => [p.id, p]));
  const workers = people.filter((p) => p.source !== 'hr');
  const pages: string[] = [];
  const total = Math.max(1, Math.ceil(workers.length / pageSize));
  for (let i = 0; i < total; i++) pages.push(responsePage(workers.slice(i * pageSize, (i + 1) * pageSize).map((p) => worker(p, byId)), workers.length, total, i + 1));
  return pages;
}

/**
 * Workday's change extract between two days: whole records of the workers
 * whose record differs (new ones included), as Workday returns them for an
 * incremental Get_Workers. People never leave the demo's extract, so there
 * are no removals to express. Null when nothing changed.
 */
export function workdayChanges(before: readonly Person[], after: readonly Person[]): string | null {
  const rendered = (people: readonly Person[]) => {
    const byId = new Map(people.map((p) => [p.id, p]));
    return new Map(people.filter((p) => p.source !== 'hr').map((p) => [p.id, worker(p, byId)]));
  };
  const old = rendered(before);
  const changed = [...rendered(after)].filter(([id, xml]) => old.get(id) !== xml).map(([, xml]) => xml);
  return changed.length ? responsePage(changed, changed.length, 1, 1) : null;
}

/** Department groups with their members, named by each member's own source anchor. */
export function departmentsCsv(people: readonly Person[], names: ReadonlyMap<string, string> = new Map()): string {
  const rows = departments.map(([code, name]) => {
    const label = names.get(code) ?? name;
    const members = people.filter((p) => p.department === label && p.status === 'active').map((p) => (p.source === 'workday' ? p.workerId! : p.id));
    return [code, label, members.join(';')].map(csvCell).join(',');
  });
  return ['code,name,members', ...rows].join('\n') + '\n';
}

/**
 * Writes the full extracts; given the people as they were (`before`), also
 * the day's HR drop file and Workday change extract (named after the ones
 * already there), as those systems hand changes to a delta import.
 */
export async function writeSources(dir: string, people: readonly Person[], deptNames?: ReadonlyMap<string, string>, before?: readonly Person[]): Promise<void> {
  await mkdir(join(dir, 'sources', 'workday'), { recursive: true });
  if (before) await writeFile(join(dir, 'sources', 'hr.delta.csv'), hrChanges(before, people));
  const changes = before ? workdayChanges(before, people) : null;
  if (changes) {
    const folder = join(dir, 'sources', 'workday-changes');
    await mkdir(folder, { recursive: true });
    const seq = (await readdir(folder)).filter((f) => f.endsWith('.xml')).length + 1;
    await writeFile(join(folder, `changes-${String(seq).padStart(6, '0')}.xml`), changes);
  }
  await writeFile(join(dir, 'sources', 'hr.csv'), hrCsv(people));
  await writeFile(join(dir, 'sources', 'departments.csv'), departmentsCsv(people, deptNames));
  const pages = workdayPages(people);
  for (let i = 0; i < pages.length; i++) await writeFile(join(dir, 'sources', 'workday', `workers-${String(i + 1).padStart(4, '0')}.xml`), pages[i]!);
}
