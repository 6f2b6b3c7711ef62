/** One day of HR changes for the demo's delta cycle: each named so tests and the demo can point at it. */
import { employeeId, type Person } from './people.ts';

export interface DayOfChanges {
  readonly people: Person[];
  readonly deptNames: Map<string, string>;
  readonly described: string[];
  /** Ids of the people each change touched. */
  readonly ids: { newHire: string; terminated: string; managerChanged: string; renamed: string; managerLeft: string; rehired: string };
}

const today = (d: Date) => d.toISOString().slice(0, 10);

export function applyDayOfChanges(original: readonly Person[], now: Date): DayOfChanges {
  const people = original.map((p) => ({ ...p }));
  const byId = new Map(people.map((p) => [p.id, p]));
  const described: string[] = [];
  const regular = people.filter((p, i) => i >= 20 && p.source === 'hr' && p.status === 'active' && p.managerId !== employeeId(19));

  const hire: Person = {
    id: employeeId(people.length), givenName: 'Noémie', sn: "L'Héritier", department: 'Sales', title: 'Account Executive', managerId: employeeId(1),
    location: 'Paris', hireDate: today(now), terminationDate: null, status: 'active', source: 'hr', workerId: null,
  };
  people.push(hire);
  described.push(`new hire: ${hire.givenName} ${hire.sn} (${hire.id}) in Sales`);

  const leaver = regular[0]!;
  Object.assign(leaver, { status: 'terminated', terminationDate: today(now) });
  described.push(`termination: ${leaver.givenName} ${leaver.sn} (${leaver.id})`);

  const mover = regular[1]!;
  const newManager = mover.managerId === employeeId(2) ? employeeId(3) : employeeId(2);
  mover.managerId = newManager;
  described.push(`manager change: ${mover.givenName} ${mover.sn} (${mover.id}) now reports to ${newManager}`);

  const renamed = byId.get(employeeId(14))!;
  renamed.sn = 'Smith-Taylor';
  described.push(`rename: ${renamed.givenName} Smith, Jr. (${renamed.id}) is now ${renamed.givenName} ${renamed.sn}`);

  const lead = byId.get(employeeId(19))!;
  Object.assign(lead, { status: 'terminated', terminationDate: today(now) });
  const supportHead = people.find((p) => p.title === 'Head of Support')?.id ?? employeeId(0);
  for (const p of people) if (p.managerId === lead.id) p.managerId = supportHead;
  described.push(`manager leaving: ${lead.givenName} ${lead.sn} (${lead.id}); their reports now report to ${supportHead}`);

  const rehire = byId.get(employeeId(18))!;
  Object.assign(rehire, { status: 'active', hireDate: today(new Date(now.getTime() - 86_400_000)) });
  described.push(`rehire: ${rehire.givenName} ${rehire.sn} (${rehire.workerId}) is hired again`);

  for (const p of people) if (p.department === 'Support') p.department = 'Customer Success';
  described.push('department rename: Support is now Customer Success');

  return {
    people, deptNames: new Map([['D09', 'Customer Success']]), described,
    ids: { newHire: hire.id, terminated: leaver.id, managerChanged: mover.id, renamed: renamed.id, managerLeft: lead.id, rehired: rehire.workerId! },
  };
}
