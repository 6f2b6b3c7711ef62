/**
 * What loading an LDIF directory keeps of each entry (its DN, the attributes
 * the indexes read, its place in the file), saved beside the file each time
 * the agent rewrites it: the next process reads this instead of scanning the
 * whole file. It is a cache, never the truth:
 * - it names the file's stamp (size and modification time) after the rewrite,
 *   so a file changed by anything else is read again;
 * - it names the attributes it kept, so a load that needs more reads the file;
 * - it ends with its row count, so a cut or torn one is not used.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { Attributes } from '../../data/model.ts';
import type { FileRange } from '../file-ranges.ts';
import type { LdifEntry } from './ldif-format.ts';

const ROWS_PER_LINE = 5000;
const FORMAT = 1;

/** [dn, line, from, to, kept attributes] */
type Row = [string, number, number, number, Attributes];

export const indexPath = (path: string) => `${path}.index`;

/** Writes the index of `entries`, each with its place in the file, for the file as `stamp` names it. */
export async function writeIndexFile(path: string, stamp: string, kept: ReadonlySet<string>, entries: Iterable<{ readonly entry: LdifEntry; readonly span: FileRange | null }>): Promise<void> {
  // Renamed into place whole: a reader sees the old index or the new one.
  const tmp = `${indexPath(path)}.tmp`;
  try {
    await writeRows(tmp, stamp, kept, entries, path);
    await rename(tmp, indexPath(path));
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function writeRows(tmp: string, stamp: string, kept: ReadonlySet<string>, entries: Iterable<{ readonly entry: LdifEntry; readonly span: FileRange | null }>, path: string): Promise<void> {
  const file = await open(tmp, 'w');
  try {
    // Written a line at a time: one 20 MB string (100,000 entries) took longer to encode than its parts.
    await file.write(JSON.stringify({ format: FORMAT, stamp, kept: [...kept] }) + '\n');
    let rows: Row[] = [];
    let count = 0;
    for (const { entry: e, span } of entries) {
      if (!span) throw new Error(`${path}: ${e.dn} has no place in the file to index`);
      rows.push([e.dn, e.line, span.from, span.to, e.partial ? e.attrs : keptOf(e.attrs, kept)]);
      count++;
      if (rows.length >= ROWS_PER_LINE) { await file.write(JSON.stringify(rows) + '\n'); rows = []; }
    }
    if (rows.length) await file.write(JSON.stringify(rows) + '\n');
    await file.write(JSON.stringify({ end: count }) + '\n');
  } finally {
    await file.close();
  }
}

/** The attributes a load keeps; a partial entry holds only those already. */
function keptOf(attrs: Attributes, kept: ReadonlySet<string>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) if (kept.has(k.toLowerCase())) out[k] = v;
  return out;
}

/**
 * The entries, partial, as a load keeping `kept` would give them; null when
 * there is no index for the file as `stamp` names it, or it lacks an attribute
 * of `kept`, or it is damaged.
 */
export async function readIndexFile(path: string, stamp: string, kept: ReadonlySet<string>): Promise<LdifEntry[] | null> {
  let text: string;
  try {
    text = await readFile(indexPath(path), 'utf8');
  } catch {
    return null;
  }
  try {
    const lines = text.split('\n');
    const head = JSON.parse(lines[0] ?? '') as { format?: number; stamp?: string; kept?: string[] };
    if (head.format !== FORMAT || head.stamp !== stamp || !Array.isArray(head.kept)) return null;
    const has = new Set(head.kept);
    for (const a of kept) if (!has.has(a)) return null;
    const entries: LdifEntry[] = [];
    let end = -1;
    for (let i = 1; i < lines.length && end < 0; i++) {
      const parsed = JSON.parse(lines[i]!) as Row[] | { end: number };
      if (!Array.isArray(parsed)) { end = parsed.end; break; }
      for (const [dn, line, from, to, attrs] of parsed) entries.push({ dn, line, attrs, span: { from, to }, partial: true });
    }
    return end === entries.length ? entries : null;
  } catch {
    return null;
  }
}
