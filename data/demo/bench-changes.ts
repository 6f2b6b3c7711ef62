/** Changes for the benchmark's delta cycles: a third new hires, a third terminations, a third attribute changes. */
import { employeeId, type Person } from './people.ts';

export function applyChanges(original: readonly Person[], count: number, now: Date, seed = 1): Person[] {
  const people = original.map((p) => ({ ...p }));
  const today = now.toISOString().slice(0, 10);
  const third = Math.max(1, Math.floor(count / 3));
  const active = people.filter((p, i) => i >= 20 && p.status === 'active' && p.source !== 'workday');
  const step = Math.max(1, Math.floor(active.length / (2 * third + 1)));
  for (let i = 0; i < third; i++) {
    const id = employeeId(people.length);
    people.push({ ...active[0]!, id, givenName: `New${seed}`, sn: `Hire${i}`, hireDate: today, terminationDate: null, status: 'active', source: 'hr', workerId: null, managerId: employeeId(1) });
  }
  for (let i = 0; i < third; i++) {
    const p = active[((2 * i) * step) % active.length]!;
    p.status = 'terminated';
    p.terminationDate = today;
  }
  for (let i = 0; i < count - 2 * third; i++) active[((2 * i + 1) * step) % active.length]!.title = `Changed ${seed}-${i}`;
  return people;
}
