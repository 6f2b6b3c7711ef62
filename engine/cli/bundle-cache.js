// @ts-check
/**
 * idsync's TypeScript sources as one JavaScript file, built with esbuild and
 * kept in a cache directory, so that a run does not load them through tsx.
 *
 * Why: on Node 20 tsx answers each module's resolve and load from its loader
 * thread. Importing the engine (some 140 modules) took 0.83 s of every
 * process that way, against 0.34 s as one file (measured, process start
 * included): half a second of each delta cycle and each CLI command.
 *
 * The bundle is rebuilt when one of its inputs (this file included) changed
 * size or modification time, or another esbuild built it. Packages stay
 * outside it, as imports, but for a few (`INLINED`). Each module keeps its own `import.meta.url` (the
 * source file's), so files found beside a source (the demo rules) are found
 * as under tsx. Plain JavaScript: this runs before anything can load TypeScript.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** idsync's own folder: engine/cli/../.. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package's own cache directory, where tools keep theirs: node_modules/.cache. */
export const defaultCacheDir = join(root, 'node_modules', '.cache', 'idsync');

/**
 * The path of `entry` (a path to a .ts file) bundled, built now if missing
 * or stale; null where it cannot be built (esbuild missing, a source that does
 * not parse, a cache that cannot be written): the caller then runs the sources
 * through tsx, whose errors name them.
 *
 * @param {string} entry
 * @param {{ cacheDir?: string }} [o]
 * @returns {Promise<string | null>}
 */
export async function bundled(entry, o = {}) {
  const cacheDir = o.cacheDir ?? defaultCacheDir;
  const abs = resolve(entry);
  const name = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  const out = join(cacheDir, `${name}.mjs`);
  const manifest = join(cacheDir, `${name}.json`);
  try {
    if (!fresh(manifest)) await build(abs, out, manifest);
    return out;
  } catch {
    return null;
  }
}

/**
 * Whether the manifest's inputs are all as they were when it was written.
 *
 * @param {string} manifest
 */
function fresh(manifest) {
  /** @type {{ esbuild: string, inputs: [string, number, number][] }} */
  let m;
  try {
    m = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    return false;
  }
  if (m.esbuild !== esbuildVersion()) return false;
  for (const [path, size, mtimeMs] of m.inputs) {
    try {
      const s = statSync(path);
      if (s.size !== size || s.mtimeMs !== mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** esbuild's version as its package says, without loading it: a fresh bundle never loads esbuild. */
function esbuildVersion() {
  try {
    const pkg = join(dirname(fileURLToPath(import.meta.resolve('esbuild'))), '..', 'package.json');
    return String(JSON.parse(readFileSync(pkg, 'utf8')).version);
  } catch {
    return 'none';
  }
}

/**
 * Each source module's `import.meta.url` as the literal URL of its own file.
 * Each file is stat'ed before it is read, into `inputs`: a source changed
 * during the build leaves the manifest older than it, and the next run builds again.
 *
 * @param {[string, number, number][]} inputs
 * @returns {import('esbuild').Plugin}
 */
const ownUrl = (inputs) => ({
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      const s = statSync(args.path);
      inputs.push([args.path, s.size, s.mtimeMs]);
      return { contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: /ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
});

/**
 * Packages built into the bundle rather than imported from node_modules at
 * run time: plain ES modules, with what they import, that read no file of
 * their own. Loaded as their own modules they took 85 ms of every process,
 * built in 35 ms (measured on Node 20; process start excluded). Every other
 * package stays an import: CommonJS ones (an ES bundle cannot give them
 * `require`; a test checks none came in) and any that read files beside them.
 */
export const INLINED = new Set(['csv-parse', 'fast-xml-parser', 'ldapts', 'lowdb']);

/**
 * Whether `file` is a package's rather than one of `home`'s sources: under
 * `home`'s node_modules, or outside `home` in a node_modules folder (where
 * npm put a dependency of an installed idsync). Not "any path through a
 * node_modules folder": an installed idsync's own sources are in one.
 *
 * @param {string} file
 * @param {string} [home]
 */
export function isPackageFile(file, home = root) {
  const r = relative(home, file);
  return r.split(sep)[0] === 'node_modules' || ((r.startsWith(`..${sep}`) || isAbsolute(r)) && file.includes(`${sep}node_modules${sep}`));
}

/** @type {import('esbuild').Plugin} */
const packagesOutside = {
  name: 'packages-outside',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      const name = args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
      // An inlined package's own imports come with it (esbuild leaves Node's modules out): the only
      // package files a build reads are theirs.
      if (INLINED.has(name) || isPackageFile(args.importer)) return undefined;
      return { external: true };
    });
  },
};

/**
 * Builds `entry` into `out`, then writes the manifest of its inputs. Files
 * are written under a temporary name and renamed: two processes building at
 * once each leave a whole file.
 *
 * @param {string} entry
 * @param {string} out
 * @param {string} manifest
 */
async function build(entry, out, manifest) {
  const esbuild = await import('esbuild');
  // This file is an input too: a bundle built another way is stale.
  const self = fileURLToPath(import.meta.url);
  const own = statSync(self);
  /** @type {[string, number, number][]} */
  const inputs = [[self, own.size, own.mtimeMs]];
  const result = await esbuild.build({
    entryPoints: [entry], outfile: out, bundle: true, write: false,
    platform: 'node', format: 'esm', target: 'node20',
    sourcemap: 'linked', keepNames: true, logLevel: 'silent', plugins: [packagesOutside, ownUrl(inputs)],
  });
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `.${process.pid}.tmp`;
  for (const f of result.outputFiles) {
    writeFileSync(f.path + tmp, f.contents);
    renameSync(f.path + tmp, f.path);
  }
  writeFileSync(manifest + tmp, JSON.stringify({ esbuild: esbuild.version, inputs }));
  renameSync(manifest + tmp, manifest);
}
