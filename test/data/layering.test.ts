/** The layering of the brief, checked on the import statements: data ← management-agents ← engine ← engine/cli; rules → data only. */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
const allowed: Record<string, readonly string[]> = {
  data: ['data'],
  rules: ['rules', 'data'],
  'management-agents': ['management-agents', 'data'],
  engine: ['engine', 'management-agents', 'rules', 'data'],
};

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

test('each layer imports only the layers below it', async (t) => {
  const violations: string[] = [];
  let checked = 0;
  for (const [layer, may] of Object.entries(allowed)) {
    for await (const file of tsFiles(join(root, layer))) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        checked++;
        const target = relative(root, resolve(dirname(file), m[1]!)).split('/')[0]!;
        // engine/cli is inside engine; nothing below engine may reach it.
        const intoCli = relative(root, resolve(dirname(file), m[1]!)).startsWith('engine/cli') && !relative(root, file).startsWith('engine/cli');
        if (!may.includes(target) || intoCli) violations.push(`${relative(root, file)} imports ${m[1]}`);
      }
    }
  }
  t.true(checked > 100, `only ${checked} imports found: the scan is broken`);
  t.deepEqual(violations, []);
});
