/**
 * The demo: copy the demo rules into a working folder, generate the company,
 * run a full cycle, apply a day of HR changes, run a delta cycle.
 */
import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePeople } from '../data/demo/people.ts';
import { writeSources } from '../data/demo/write-sources.ts';
import { applyDayOfChanges, type DayOfChanges } from '../data/demo/day-of-changes.ts';
import type { RunRecord } from '../data/objects.ts';
import { openProject } from './project.ts';
import { runProfile } from './run/run-step.ts';

const MARKER = '.idsync-demo';
export const demoRulesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'demo', 'rules');

export interface DemoResult {
  readonly dir: string;
  readonly full: RunRecord[];
  readonly delta: RunRecord[];
  readonly day: DayOfChanges;
}

export interface DemoOptions {
  readonly dir: string;
  readonly people?: number;
  readonly now?: Date;
  readonly onStep?: (phase: 'full' | 'delta', r: RunRecord) => void;
  readonly onPhase?: (line: string) => void;
}

/** Prepares the working folder; refuses to touch a folder the demo did not create. */
async function prepare(dir: string): Promise<void> {
  const exists = await stat(dir).then(() => true, () => false);
  if (exists) {
    const entries = await readdir(dir);
    if (entries.length && !entries.includes(MARKER)) throw new Error(`${dir} exists and was not made by 'idsync demo'; give another --dir`);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(join(dir, 'out'), { recursive: true });
  await writeFile(join(dir, MARKER), 'made by idsync demo; safe to delete\n');
  await cp(demoRulesDir, join(dir, 'rules'), { recursive: true });
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const dir = resolve(o.dir);
  const now = o.now ?? new Date();
  await prepare(dir);
  const people = generatePeople(o.people ?? 500, now);
  await writeSources(dir, people);
  o.onPhase?.(`Generated ${people.length} people in ${join(dir, 'sources')}`);
  const project = await openProject(dir, { now: () => now });
  try {
    o.onPhase?.('Full cycle: full import of every source, full sync, export of every target');
    const full = await runProfile(project.engine, 'full-cycle', { onStep: (r) => o.onStep?.('full', r) });
    const day = applyDayOfChanges(people, now);
    await writeSources(dir, day.people, day.deptNames, people);
    o.onPhase?.(`A day of HR changes:\n${day.described.map((d) => `  - ${d}`).join('\n')}`);
    o.onPhase?.('Delta cycle');
    const delta = await runProfile(project.engine, 'delta-cycle', { onStep: (r) => o.onStep?.('delta', r) });
    return { dir, full, delta, day };
  } finally {
    await project.close();
  }
}
