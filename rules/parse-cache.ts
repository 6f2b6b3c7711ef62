/**
 * Rules files' syntax trees kept between runs, so that a run whose rules did
 * not change never loads the parser. Loading chevrotain and building the
 * lexer and parser (their self-analysis) took 104-154 ms of every process on
 * Node 20, parsing the demo's five files 21-27 ms more: a fifth of a delta
 * cycle's process at 10,000 people (measured).
 *
 * A tree is found by a hash of its file's text and of the grammar: the source
 * of every module that turns text into a tree, chevrotain's version and V8's
 * (whose serializer writes it, keeping properties set to undefined, as JSON
 * would not). A change to any is another key, never a stale tree. The file's
 * name is not in the key (trees hold it only at their root): the same rules
 * under another path share an entry. Only a file that parsed without a
 * diagnostic is kept, so one with errors is parsed, and reported, every time.
 * An entry starts with a SHA-256 of the rest (`entryOf`): V8's deserializer
 * takes a string's bytes as they are, so a byte changed inside a name would
 * otherwise come back as a tree that parses to something else.
 * A cache that cannot be read or written is passed by: it only saves time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { RulesDocument } from './ast.ts';
import type { ParseResult } from './parse.ts';

/** The package's cache directory, as the CLI's bundle cache: node_modules/.cache/idsync/rules. */
export const defaultRulesCache = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache', 'idsync', 'rules');

/** The modules parse.ts runs to make a tree (test/rules/parse-cache.test.ts checks the list against its imports). */
export const GRAMMAR_MODULES = ['parse.ts', 'chevrotain.ts', 'tokens.ts', 'parser.ts', 'to-ast.ts', 'to-ast-expr.ts', 'diagnostics.ts'];

/** A hash of what makes a tree from text: each of `GRAMMAR_MODULES` as `source` gives it, chevrotain's version, V8's. */
export function grammarHash(source: (module: string) => string | Uint8Array, chevrotainVersion: string): string {
  const h = createHash('sha256').update(process.versions.v8).update('\0').update(chevrotainVersion);
  for (const m of GRAMMAR_MODULES) h.update('\0').update(source(m));
  return h.digest('hex');
}

let grammar: string | null | undefined;

/** This installation's grammar hash; null where a source cannot be read (then nothing is cached). */
function grammarKey(): string | null {
  if (grammar !== undefined) return grammar;
  try {
    grammar = grammarHash((m) => readFileSync(new URL(m, import.meta.url)), chevrotainVersion());
  } catch {
    grammar = null;
  }
  return grammar;
}

/**
 * The version of the chevrotain that Node's lookup finds from here: node_modules
 * folders from this one up. Resolving the package took 4 to 6 ms of the process
 * (its first lookup of a package), this 0.3 ms.
 */
export function chevrotainVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      return String((JSON.parse(readFileSync(join(dir, 'node_modules', 'chevrotain', 'package.json'), 'utf8')) as { version?: unknown }).version);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) throw err;
    }
  }
}

/**
 * Each source's tree (file name → text), read from `cacheDir` where it was
 * kept, else parsed (loading the parser then) and kept. `cacheDir` null:
 * every file is parsed.
 */
export async function parsedDocuments(sources: ReadonlyMap<string, string>, cacheDir: string | null): Promise<ParseResult<RulesDocument>[]> {
  const g = cacheDir === null ? null : grammarKey();
  const out: ParseResult<RulesDocument>[] = [];
  for (const [file, text] of sources) {
    const path = g === null ? null : join(cacheDir!, `${createHash('sha256').update(g).update('\0').update(text).digest('hex')}.ast`);
    const kept = path === null ? null : read(path);
    if (kept) {
      out.push({ value: { ...kept, file }, diagnostics: [] });
      continue;
    }
    const { parseDocument } = await import('./parse.ts');
    const parsed = parseDocument(file, text);
    if (path !== null && parsed.diagnostics.length === 0) write(path, parsed.value);
    out.push(parsed);
  }
  return out;
}

const DIGEST = 32;

/** An entry's bytes: a SHA-256 of the serialized tree, then the tree. */
export function entryOf(doc: RulesDocument): Buffer {
  const body = serialize(doc);
  return Buffer.concat([createHash('sha256').update(body).digest(), body]);
}

/** The tree an entry holds; null for bytes whose digest does not match, or that are not a document's shape. */
export function documentOf(bytes: Buffer): RulesDocument | null {
  const body = bytes.subarray(DIGEST);
  if (bytes.length <= DIGEST || !createHash('sha256').update(body).digest().equals(bytes.subarray(0, DIGEST))) return null;
  const doc = deserialize(body) as RulesDocument;
  return doc?.kind === 'Document' && Array.isArray(doc.declarations) && Array.isArray(doc.comments) ? doc : null;
}

function read(path: string): RulesDocument | null {
  try {
    // A damaged entry is parsed past, as a missing one.
    return documentOf(readFileSync(path));
  } catch {
    return null;
  }
}

function write(path: string, doc: RulesDocument): void {
  // Another process may write the same entry: each writes its own file and renames it over, whole.
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, entryOf(doc));
    renameSync(tmp, path);
  } catch {
    // Not kept (the next run parses it again), and no part of it left behind.
    try { rmSync(tmp, { force: true }); } catch { /* nothing more to do */ }
  }
}
