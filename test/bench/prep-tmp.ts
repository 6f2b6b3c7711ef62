import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePeople } from '../../data/demo/people.ts';
import { writeSources } from '../../data/demo/write-sources.ts';
import { demoRulesDir } from '../../engine/demo.ts';
const [n, dir] = [Number(process.argv[2]), process.argv[3]!];
await mkdir(join(dir, 'out'), { recursive: true });
await cp(demoRulesDir, join(dir, 'rules'), { recursive: true });
await writeSources(dir, generatePeople(n, new Date()));
