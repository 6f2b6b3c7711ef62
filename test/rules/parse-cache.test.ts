/** Rules files' trees kept between runs (rules/parse-cache.ts): found again, never stale, never in the way. */
import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { compileProject, compileSources, parseDocument, type RulesDocument } from '../../rules/index.ts';
import { chevrotainVersion, documentOf, entryOf, GRAMMAR_MODULES, grammarHash, parsedDocuments } from '../../rules/parse-cache.ts';
import { staticImports } from '../helpers/static-imports.ts';

const demo = new URL('../../data/demo/rules/', import.meta.url);
const text = readFileSync(new URL('inbound.sync', demo), 'utf8');
const fresh = () => mkdtempSync(join(tmpdir(), 'idsync-rules-cache-'));
const entries = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.ast'));

test('a kept tree is the tree a parse gives, and is what the next run reads', async (t) => {
  const dir = fresh();
  const [first] = await parsedDocuments(new Map([['inbound.sync', text]]), dir);
  t.deepEqual(first, parseDocument('inbound.sync', text));
  t.is(entries(dir).length, 1);
  const [second] = await parsedDocuments(new Map([['inbound.sync', text]]), dir);
  t.deepEqual(second, first);
  // The next run takes the kept tree, not a parse: a tree changed in the cache comes back changed.
  const path = join(dir, entries(dir)[0]!);
  const kept = documentOf(readFileSync(path))!;
  writeFileSync(path, entryOf({ ...kept, comments: [{ text: '// from the cache', line: 1 }] }));
  const [third] = await parsedDocuments(new Map([['inbound.sync', text]]), dir);
  t.deepEqual(third!.value.comments, [{ text: '// from the cache', line: 1 }]);
  t.deepEqual(third!.value.declarations, first!.value.declarations);
});

test('the key is the text: another text is another entry, another name the same one', async (t) => {
  const dir = fresh();
  await parsedDocuments(new Map([['a.sync', text]]), dir);
  const [renamed] = await parsedDocuments(new Map([['elsewhere/b.sync', text]]), dir);
  t.is(entries(dir).length, 1);
  t.is(renamed!.value.file, 'elsewhere/b.sync', 'the tree carries the name it was asked for');
  const changed = text.replace('inbound', 'inbound ');
  const [other] = await parsedDocuments(new Map([['a.sync', changed]]), dir);
  t.is(entries(dir).length, 2);
  t.deepEqual(other, parseDocument('a.sync', changed));
});

test('a file with errors is not kept: it is parsed, and reported, every time', async (t) => {
  const dir = fresh();
  const broken = `${text}\ninbound {`;
  for (let i = 0; i < 2; i++) {
    const [r] = await parsedDocuments(new Map([['broken.sync', broken]]), dir);
    t.true(r!.diagnostics.length > 0);
    t.deepEqual(r, parseDocument('broken.sync', broken));
  }
  t.is(entries(dir).length, 0);
});

test('a damaged entry is parsed past and written again; a cache that cannot be written is not an error', async (t) => {
  const dir = fresh();
  await parsedDocuments(new Map([['a.sync', text]]), dir);
  const path = join(dir, entries(dir)[0]!);
  const whole = readFileSync(path);
  // A byte changed inside a string still deserializes, to another tree: the entry's digest tells.
  const inName = Buffer.from(whole);
  const at = whole.indexOf('HR employees');
  t.true(at > 32);
  inName[at + 3]! ^= 1;
  t.is((deserialize(inName.subarray(32)) as RulesDocument).kind, 'Document');
  const damages = [Buffer.from('not a tree'), whole.subarray(0, 40), serialize({ kind: 'Document' }), entryOf({ kind: 'Document' } as unknown as RulesDocument), inName, whole.subarray(32)];
  for (const damage of damages) {
    writeFileSync(path, damage);
    const [r] = await parsedDocuments(new Map([['a.sync', text]]), dir);
    t.deepEqual(r, parseDocument('a.sync', text));
    t.deepEqual(documentOf(readFileSync(path)), { ...r!.value, file: 'a.sync' });
  }
  // An entry that cannot be put in place (a folder holds its name): parsed, and nothing left behind.
  rmSync(path);
  mkdirSync(join(path, 'taken'), { recursive: true });
  t.deepEqual(await parsedDocuments(new Map([['a.sync', text]]), dir), [parseDocument('a.sync', text)]);
  t.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  // A directory under a file, the file itself: neither can be made (permissions would not stop root).
  writeFileSync(join(dir, 'file'), '');
  for (const where of [join(dir, 'file', 'sub'), join(dir, 'file')]) t.deepEqual(await parsedDocuments(new Map([['a.sync', text]]), where), [parseDocument('a.sync', text)]);
});

test('a project compiled through the cache compiles as its sources parsed afresh', async (t) => {
  const dir = fresh();
  for (let run = 0; run < 2; run++) {
    const r = await compileProject(demo.pathname, { cache: dir });
    t.true(r.files.length >= 5);
    const direct = compileSources(new Map(r.files.map((f) => [relative(process.cwd(), f), readFileSync(f, 'utf8')])));
    t.deepEqual(r.diagnostics, direct.diagnostics);
    t.deepEqual([...r.model!.agents.keys()], [...direct.model!.agents.keys()]);
    t.is(JSON.stringify(r.model!.inbound), JSON.stringify(direct.model!.inbound));
    t.is(JSON.stringify(r.model!.outbound), JSON.stringify(direct.model!.outbound));
  }
  t.is(entries(dir).length, readdirSync(demo).length);
});

test('the grammar in the key is every module a parse runs, and the engine loads none of them', (t) => {
  t.deepEqual([...staticImports('rules/parse.ts')].map((f) => f.replace('rules/', '')).sort(), [...GRAMMAR_MODULES].sort());
  for (const entry of ['engine/index.ts', 'engine/cli/main.ts']) {
    const loaded = [...staticImports(entry)].filter((f) => GRAMMAR_MODULES.includes(f.replace('rules/', '')) && f !== 'rules/diagnostics.ts');
    t.deepEqual(loaded, [], `${entry} loads the parser`);
  }
});

test('the grammar hash changes with each module\'s source and with chevrotain\'s version', (t) => {
  const source = (m: string) => readFileSync(new URL(`../../rules/${m}`, import.meta.url));
  const base = grammarHash(source, '11.2.0');
  t.is(grammarHash(source, '11.2.0'), base);
  t.not(grammarHash(source, '11.2.1'), base);
  for (const changed of GRAMMAR_MODULES) t.not(grammarHash((m) => (m === changed ? `${source(m)} ` : source(m)), '11.2.0'), base, changed);
  // The version in the key is the one Node loads.
  const entry = createRequire(import.meta.url).resolve('chevrotain');
  t.is(chevrotainVersion(), (JSON.parse(readFileSync(join(dirname(entry), '..', '..', 'package.json'), 'utf8')) as { version: string }).version);
});
