/**
 * Generates the demo organisation: `tsx data/generate.ts --n 500 --out DIR [--day]`.
 * --day applies one day of HR changes on top (for a delta cycle).
 */
import { parseArgs } from 'node:util';
import { generatePeople } from './demo/people.ts';
import { writeSources } from './demo/write-sources.ts';
import { applyDayOfChanges } from './demo/day-of-changes.ts';

export async function generate(dir: string, n: number, now: Date, withDay: boolean): Promise<string[]> {
  const people = generatePeople(n, now);
  if (!withDay) {
    await writeSources(dir, people);
    return [];
  }
  const day = applyDayOfChanges(people, now);
  await writeSources(dir, day.people, day.deptNames);
  return day.described;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '500' }, out: { type: 'string', default: 'demo-out' }, day: { type: 'boolean', default: false } } });
  const described = await generate(values.out!, Number(values.n), new Date(), !!values.day);
  process.stdout.write(`wrote ${values.n} people to ${values.out}/sources\n${described.map((d) => `  ${d}\n`).join('')}`);
}
