/**
 * The lower bound: only the unavoidable work on the same input, with inline
 * code: parse the HR CSV and the Workday XML, join the two with a Map, compute
 * the same output attributes, and write the same three output files.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';

const dir = process.argv[2]!;
// Bytes decoded in one call: a string read with 'utf8' is joined from chunks, and flattening it costs the first pass.
const text = async (path: string) => (await readFile(path)).toString('utf8');
type P = { id: string; given: string; sn: string; mail: string; dept: string; title: string; manager: string; status: string; workerId?: string };
const people = new Map<string, P>();
const hr = parse(await text(join(dir, 'sources', 'hr.csv')), { columns: true }) as Record<string, string>[];
for (const r of hr) {
  const status = r['status'] === 'terminated' ? 'terminated' : r['hireDate']! > new Date().toISOString().slice(0, 10) ? 'prehire' : 'active';
  people.set(r['mail']!.toLowerCase(), { id: r['employeeId']!, given: r['givenName']!, sn: r['sn']!, mail: r['mail']!.toLowerCase(), dept: r['department']!, title: r['title']!, manager: r['managerId']!, status });
}
const xml = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, processEntities: false });
for (const f of (await readdir(join(dir, 'sources', 'workday'))).sort()) {
  const doc = xml.parse(await text(join(dir, 'sources', 'workday', f)));
  const workers = [doc.Get_Workers_Response.Response_Data.Worker].flat();
  for (const w of workers) {
    const d = w.Worker_Data;
    const name = d.Personal_Data.Name_Data.Legal_Name_Data.Name_Detail_Data;
    const mail = String(d.Personal_Data.Contact_Data.Email_Address_Data.Email_Address).toLowerCase();
    const existing = people.get(mail);
    if (existing) { existing.workerId = String(d.Worker_ID); continue; }
    const st = d.Employment_Data.Worker_Status_Data;
    people.set(mail, { id: String(d.Worker_ID), workerId: String(d.Worker_ID), given: String(name.First_Name), sn: String(name.Last_Name), mail, dept: String(d.Organization_Data.Worker_Organization_Data.Organization_Data.Organization_Name), title: String(d.Employment_Data.Worker_Job_Data.Position_Data.Business_Title), manager: '', status: st.Terminated === 1 ? 'terminated' : 'active' });
  }
}
const byId = new Map([...people.values()].map((p) => [p.id, p]));
const esc = (v: string) => v.replace(/[,+"\\<>;=]/g, '\\$&');
const dnOf = (p: P) => `CN=${esc(`${p.given} ${p.sn}`)},OU=${esc(p.dept)},OU=People,DC=corp,DC=example,DC=com`;
const sam = new Set<string>();
const dirOut: string[] = ['version: 1\n'];
const cloudOut: string[] = ['version: 1\n'];
const app: string[] = ['employeeId,displayName,email,department,title'];
for (const p of people.values()) {
  if (p.status !== 'active') continue;
  let s = (p.given[0] + p.sn).normalize('NFD').replace(/\p{Mn}/gu, '').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 20);
  if (sam.has(s)) s = `${s.slice(0, 13)}${p.id.slice(-7)}`;
  sam.add(s);
  const guid = randomUUID();
  const manager = byId.get(p.manager);
  dirOut.push(`dn: ${dnOf(p)}\nobjectClass: user\nsAMAccountName: ${s}\nuserPrincipalName: ${p.mail}\ngivenName: ${p.given}\nsn: ${p.sn}\ndisplayName: ${p.given} ${p.sn}\nmail: ${p.mail}\ndepartment: ${p.dept}\ntitle: ${p.title}\n${manager ? `manager: ${dnOf(manager)}\n` : ''}employeeID: ${p.id}\nuserAccountControl: 512\nobjectGUID: ${guid}\n`);
  const anchor = Buffer.from(guid.replace(/-/g, ''), 'hex').toString('base64');
  cloudOut.push(`dn: id=${esc(anchor)}\nobjectClass: cloudUser\nonPremisesImmutableId: ${anchor}\nuserPrincipalName: ${p.mail}\ndisplayName: ${p.given} ${p.sn}\nmail: ${p.mail}\ndepartment: ${p.dept}\njobTitle: ${p.title}\naccountEnabled: true\nid: ${randomUUID()}\n`);
  if (p.dept === 'Sales' || p.dept === 'Marketing') app.push([p.id, `${p.given} ${p.sn}`, p.mail, p.dept, p.title].map((v) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(','));
}
await mkdir(join(dir, 'lower-bound'), { recursive: true });
await writeFile(join(dir, 'lower-bound', 'directory.ldif'), dirOut.join('\n'));
await writeFile(join(dir, 'lower-bound', 'cloud.ldif'), cloudOut.join('\n'));
await writeFile(join(dir, 'lower-bound', 'app-users.csv'), app.join('\n') + '\n');
const u = process.resourceUsage();
process.stdout.write(JSON.stringify({ cpu_s: (u.userCPUTime + u.systemCPUTime) / 1e6, peak_rss_mb: u.maxRSS / 1024 }) + '\n');
