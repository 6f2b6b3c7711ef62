/**
 * A fictional company, generated deterministically (seeded), with the cases
 * that break identity engines: diacritics, apostrophes, commas, two people of
 * the same name, long names, a future hire, terminations, a rehire.
 */

export interface Person {
  id: string;
  givenName: string;
  sn: string;
  department: string;
  title: string;
  managerId: string | null;
  location: string;
  hireDate: string;
  terminationDate: string | null;
  status: 'active' | 'terminated';
  /** hr: the employee extract only; workday: the contractor system only; both: in both, HR wins. */
  source: 'hr' | 'workday' | 'both';
  workerId: string | null;
}

export const departments = [
  ['D01', 'Executive'], ['D02', 'Sales'], ['D03', 'Engineering'], ['D04', 'Finance'], ['D05', 'Human Resources'],
  ['D06', 'Legal'], ['D07', 'Marketing'], ['D08', 'Operations'], ['D09', 'Support'], ['D10', 'Research'],
] as const;
const locations = ['Paris', 'Lyon', 'Berlin', 'London', 'Madrid', 'New York', 'Montréal', 'Kraków'];
const given = ['Anna', 'Zoë', 'José', 'Łukasz', 'Chloé', 'Søren', 'François', 'Ana-María', 'Liam', 'Noah', 'Emma', 'Olivia', 'Mateo', 'Amélie', 'Björn', 'Aoife', 'Jürgen', 'Siobhán', 'Hannah', 'Yusuf', 'Mei', 'Ravi', 'Ingrid', 'Tomás', 'Nadia', 'Omar', 'Clara', 'Pablo', 'Eva', 'Hugo'];
const surnames = ["O'Brien", 'Müller', 'García', 'Nguyen', 'Dubois', 'Kowalski', 'Smith', 'Johansson', 'Rossi', 'Ünal', "D'Angelo", 'Martínez', 'Nowak', 'Lefèvre', 'Schmidt', 'Fischer', 'Moreau', 'Novák', 'Costa', 'Andersen', 'de la Cruz', 'Ó Súilleabháin', 'Petrović', 'Kim', 'Brown'];
const titles = ['Analyst', 'Engineer', 'Specialist', 'Consultant', 'Coordinator', 'Associate', 'Administrator', 'Designer'];

/** mulberry32: small, fast, and the same sequence on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const day = (base: Date, offsetDays: number) => new Date(base.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
export const employeeId = (n: number) => String(100000 + n);
export const contractorId = (n: number) => `C${String(n).padStart(6, '0')}`;

export function generatePeople(n: number, today: Date, seed = 42): Person[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const people: Person[] = [];
  const heads = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const dept = i === 0 ? departments[0] : i <= departments.length - 1 ? departments[i]! : pick(departments.slice(1));
    // 80% employees, 10% contractors only, 10% in both systems.
    const r = i < 20 ? 0 : rnd();
    const source = r < 0.8 ? 'hr' : r < 0.9 ? 'workday' : 'both';
    const p: Person = {
      id: employeeId(i), givenName: pick(given), sn: pick(surnames), department: dept[1], title: i === 0 ? 'Chief Executive Officer' : i < departments.length ? `Head of ${dept[1]}` : pick(titles),
      managerId: null, location: pick(locations), hireDate: day(today, -Math.floor(rnd() * 3000) - 30), terminationDate: null, status: 'active',
      source, workerId: source === 'hr' ? null : contractorId(i),
    };
    if (i > 0 && i < departments.length) { p.managerId = employeeId(0); heads.set(dept[1], p.id); }
    else if (i >= departments.length) p.managerId = heads.get(dept[1]) ?? employeeId(0);
    people.push(p);
  }
  // The hard cases, at fixed places so tests can name them.
  const fixed = (i: number, patch: Partial<Person>) => { if (people[i]) Object.assign(people[i]!, patch); };
  fixed(11, { givenName: 'Jean', sn: 'Dupont', department: 'Sales', source: 'hr', workerId: null });
  fixed(12, { givenName: 'Jean', sn: 'Dupont', department: 'Engineering', source: 'hr', workerId: null, managerId: heads.get('Engineering') ?? null });
  fixed(13, { givenName: 'Maximiliano Alessandro', sn: 'Wolfeschlegelsteinhausenbergerdorff-Montmorency', source: 'hr', workerId: null });
  fixed(14, { givenName: 'Ann', sn: "Smith, Jr.", source: 'hr', workerId: null });
  fixed(15, { givenName: 'Siobhán', sn: "O'Connor-Ünal", source: 'both', workerId: contractorId(15), title: 'Engineer' });
  fixed(16, { givenName: 'Future', sn: 'Hire', hireDate: day(today, 14), source: 'hr', workerId: null });
  fixed(17, { givenName: 'Gone', sn: 'Already', status: 'terminated', terminationDate: day(today, -60), source: 'hr', workerId: null });
  fixed(18, { givenName: 'Carla', sn: 'Rehire', status: 'terminated', terminationDate: day(today, -90), source: 'workday', workerId: contractorId(18) });
  fixed(19, { givenName: 'Team', sn: 'Lead', title: 'Team Lead', department: 'Support', source: 'hr', workerId: null });
  for (const p of people.slice(20)) if (p.department === 'Support' && rnd() < 0.5) p.managerId = employeeId(19);
  return people;
}

export const mailOf = (p: Person) => `${p.givenName}.${p.sn}`.replace(/[øØ]/g, 'o').replace(/[łŁ]/g, 'l').normalize('NFD').replace(/\p{Mn}/gu, '').toLowerCase().replace(/[^a-z0-9.]/g, '') + `.${p.id}@example.com`;
