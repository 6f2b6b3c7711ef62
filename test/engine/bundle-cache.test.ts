/** The CLI runs its sources as one bundle: built once, rebuilt when a source changes, each module keeping its own import.meta.url. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundled, INLINED, isPackageFile } from '../../engine/cli/bundle-cache.js';

const bin = fileURLToPath(new URL('../../engine/cli/bin.js', import.meta.url));
const mainTs = fileURLToPath(new URL('../../engine/cli/main.ts', import.meta.url));

function project(t: { teardown: (f: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'idsync-bundle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dep = join(dir, 'dep.ts');
  const write = (value: number, at: number) => {
    writeFileSync(dep, `export const value: number = ${value};\nexport const here = import.meta.url;\n`);
    utimesSync(dep, at, at);
  };
  write(1, 1_700_000_000);
  writeFileSync(join(dir, 'entry.ts'), `export { value, here } from './dep.ts';\n`);
  return { dir, dep, entry: join(dir, 'entry.ts'), cache: join(dir, 'cache'), write };
}

let loads = 0;
const load = async (path: string) => (await import(`${pathToFileURL(path).href}?${++loads}`)) as { value: number; here: string };

test('a bundle keeps each module its own import.meta.url, and is reused while its sources are unchanged', async (t) => {
  const p = project(t);
  const out = await bundled(p.entry, { cacheDir: p.cache });
  t.truthy(out);
  const m = await load(out!);
  t.is(m.value, 1);
  t.is(m.here, pathToFileURL(p.dep).href);
  const built = statSync(out!).mtimeMs;
  t.is(await bundled(p.entry, { cacheDir: p.cache }), out);
  t.is(statSync(out!).mtimeMs, built, 'rebuilt although nothing changed');
});

test('a changed source makes the next run build again', async (t) => {
  const p = project(t);
  const out = await bundled(p.entry, { cacheDir: p.cache });
  p.write(2, 1_700_000_100);
  t.is(await bundled(p.entry, { cacheDir: p.cache }), out);
  t.is((await load(out!)).value, 2);
});

test('a source that does not parse gives no bundle: the caller runs the sources through tsx', async (t) => {
  const p = project(t);
  writeFileSync(p.dep, 'export const value = ;\n');
  t.is(await bundled(p.entry, { cacheDir: p.cache }), null);
});

test("the CLI's sources bundle, and the demo runs from the bundle and finds its rules beside its sources", async (t) => {
  t.truthy(await bundled(mainTs), 'the engine did not bundle: bin.js would fall back to tsx');
  const dir = mkdtempSync(join(tmpdir(), 'idsync-bundle-demo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [bin, 'demo'], { cwd: dir, encoding: 'utf8', env: { ...process.env, IDSYNC_NO_BUNDLE: '' } });
  t.is(r.status, 0, r.stderr + r.stdout);
  t.regex(r.stdout, /Done in/);
  t.true(readFileSync(join(dir, 'idsync-demo', 'rules', 'inbound.sync'), 'utf8').length > 0);
});

test("the packages named to be built in are in the CLI's bundle, and nothing CommonJS came with them", async (t) => {
  const out = await bundled(mainTs);
  t.truthy(out);
  const text = readFileSync(out!, 'utf8');
  for (const p of INLINED) {
    t.notRegex(text, new RegExp(`from "${p}(/[^"]*)?"`), `${p} is still imported`);
    t.true(text.includes(`// node_modules/${p}/`), `${p} is not in the bundle`);
  }
  // esbuild's stand-in for CommonJS require: in an ES bundle it throws for Node's own modules.
  t.notRegex(text, /__require\(/);
  const imported = new Set([...text.matchAll(/^import [^;]*?from "([^"]+)"/gm)].map((m) => m[1]!).filter((s) => !s.startsWith('node:') && !builtinModules.includes(s)));
  t.deepEqual([...imported].sort(), ['cli-progress', 'commander'], 'the CommonJS packages the CLI loads at start, and no other');
});

test('a package file is told from a source by where idsync is, also where idsync is itself installed as a package', (t) => {
  const installed = join('/proj', 'node_modules', 'idsync');
  t.false(isPackageFile(join(installed, 'engine', 'cli', 'main.ts'), installed), "an installed idsync's own source");
  t.true(isPackageFile(join('/proj', 'node_modules', 'ldapts', 'dist', 'index.js'), installed), 'a dependency npm put beside it');
  t.true(isPackageFile(join(installed, 'node_modules', 'lowdb', 'lib', 'node.js'), installed), 'a dependency npm put inside it');
  t.false(isPackageFile(join('/work', 'idsync', 'engine', 'project.ts'), join('/work', 'idsync')), 'a checkout\'s source');
  t.true(isPackageFile(join('/work', 'idsync', 'node_modules', 'csv-parse', 'lib', 'index.js'), join('/work', 'idsync')));
  t.false(isPackageFile(join('/tmp', 'x', 'entry.ts'), join('/work', 'idsync')), 'a source outside it, as the tests bundle');
});
