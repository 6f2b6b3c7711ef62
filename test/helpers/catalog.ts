/** Reads and rewrites a store's snapshot catalog, for tests of what it holds and of catalogs written by earlier versions. */
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type CatalogJson = Record<string, unknown> & { cs?: string; rows?: unknown[][]; mv?: unknown[][]; csRows?: string; file?: number; mvRows?: number; table?: string };

export const generationDir = async (d: string) => join(d, 'snapshot', (await readFile(join(d, 'snapshot', 'current'), 'utf8')).trim());
export const catalogPath = async (d: string) => join(await generationDir(d), 'catalog.jsonl');
export const catalogLines = async (d: string): Promise<CatalogJson[]> =>
  (await readFile(await catalogPath(d), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as CatalogJson);

/** The rows of a space's rows file, in order. */
async function rowsFile(dir: string, file: number): Promise<unknown[][]> {
  return (await readFile(join(dir, `rows-${file}.jsonl`), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown[]);
}

/** A space's connector rows, from its rows file or, in a catalog written before those, from the catalog. */
export async function spaceRows(d: string, agent: string): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const l of await catalogLines(d)) {
    if (l.csRows === agent) out.push(...(await rowsFile(await generationDir(d), l.file!)));
    else if (l.cs === agent) out.push(...l.rows!);
  }
  return out;
}

/** The metaverse's ids in the catalog's order (its rows file's, or in a catalog written before those, its own). */
export async function mvOrder(d: string): Promise<string[]> {
  const out: unknown[][] = [];
  for (const l of await catalogLines(d)) {
    if (l.mvRows !== undefined) out.push(...(await rowsFile(await generationDir(d), l.mvRows)));
    else if (l.mv) out.push(...l.mv);
  }
  return out.map((r) => r[0] as string);
}

/**
 * Rewrites the catalog as a version before rows files wrote it: the metaverse's rows in an `{mv}`
 * line, each space's in `{cs, rows}` lines; no rows files, and no table of metaverse ids.
 */
export async function inlineRows(d: string): Promise<void> {
  const dir = await generationDir(d);
  const lines: CatalogJson[] = [];
  for (const l of await catalogLines(d)) {
    if (l.mvRows !== undefined) {
      lines.push({ mv: await rowsFile(dir, l.mvRows) });
      await rm(join(dir, l.table!));
    } else lines.push(l.csRows === undefined ? l : { cs: l.csRows, rows: await rowsFile(dir, l.file!) });
  }
  await writeFile(await catalogPath(d), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  for (const f of await readdir(dir)) if (f.startsWith('rows-')) await rm(join(dir, f));
}
