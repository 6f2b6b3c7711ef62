/**
 * The rows changed since the saved index (ldif-index-file.ts) was written,
 * saved beside it after each patch of the file: a delta export that changes
 * a few entries writes those rows, not the index again.
 *
 * Rewriting the index after every patch wrote all of it, 35 MB at 100,000
 * people, for about a thousand rows changed; carrying its tables as bytes
 * still copied and wrote them whole. The overlay is read on top of the index
 * it names, as the directory's changed slots; once it holds an eighth of the
 * index's rows, the next write builds the index again and removes it.
 *
 * Like the index, a cache, never the truth: it names the file's stamp after
 * the patch and the index's stamp it goes with, and is not used when either
 * does not match, when it lacks an attribute a load keeps, or when it cannot
 * be read whole. The load then reads the index alone, or the file.
 */
import { readFile, unlink } from 'node:fs/promises';
import { writeFileDurably } from '../file-journal.ts';
import type { Attributes } from '../../data/model.ts';
import type { FileRange } from '../../data/file-ranges.ts';
import type { SpanOf } from './ldif-layout.ts';
import type { LdifEntry } from './ldif-format.ts';
import type { LdifIndex } from './ldif-index-file.ts';
import type { IndexSlot } from './ldif-index-next.ts';

const FORMAT = 1;

export const overlayPath = (path: string) => `${path}.index.more`;

/** `[row]`: the row's entry was removed; else the row's entry as a load keeps it. */
export type OverlayRow = readonly [row: number] | readonly [row: number, line: number, dn: string, from: number, to: number, attrs: Attributes];

interface Overlay { readonly format: number; readonly base: string; readonly stamp: string; readonly kept: readonly string[]; readonly rows: readonly OverlayRow[] }

/** The overlay for the file as `stamp` names it, if it keeps every attribute of `kept`: its index's stamp and its rows; null otherwise. */
export async function readOverlay(path: string, stamp: string, kept: ReadonlySet<string>): Promise<{ base: string; rows: readonly OverlayRow[] } | null> {
  const text = await readFile(overlayPath(path), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const o = JSON.parse(text) as Partial<Overlay>;
    if (o.format !== FORMAT || o.stamp !== stamp || typeof o.base !== 'string' || !Array.isArray(o.rows) || !Array.isArray(o.kept)) return null;
    for (const a of kept) if (!o.kept.includes(a)) return null;
    return { base: o.base, rows: o.rows };
  } catch {
    return null;
  }
}

/** Saves the overlay, renamed into place whole. */
export async function writeOverlay(path: string, overlay: Omit<Overlay, 'format'>): Promise<void> {
  await writeFileDurably(overlayPath(path), [JSON.stringify({ format: FORMAT, ...overlay })]);
}

/** Removes the overlay: the index was written again, or the overlay could not be. */
export async function dropOverlay(path: string): Promise<void> {
  await unlink(overlayPath(path)).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; });
}

/**
 * The overlay's rows for a file just patched from `slots`, each now at
 * `spanOf(i)`, on top of `base`: the slots changed since it was written
 * (`over`, or not written before this patch) and the rows removed since.
 * Null once they pass an eighth of its rows: time to build the index again.
 */
export function overlayOf(base: LdifIndex, slots: readonly IndexSlot[], spanOf: SpanOf, kept: ReadonlySet<string>): OverlayRow[] | null {
  const rows: OverlayRow[] = [];
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i];
    // A slot the index holds as it is: asked nothing.
    const span = s ? spanOf(i) : null;
    if (s === null) { if (i >= base.size || base.span(i)) rows.push([i]); }
    else if (s && span && (s.over || !s.span)) rows.push(overlayRow(i, s.entry, span, kept));
    if (rows.length * 8 > base.size) return null;
  }
  return rows;
}

/** The row of slot `row` holding `e` at `span`, with only the attributes a load keeps (`kept`, lower case). */
function overlayRow(row: number, e: LdifEntry, span: FileRange, kept: ReadonlySet<string>): OverlayRow {
  const attrs: Record<string, Attributes[string]> = {};
  for (const k in e.attrs) if (kept.has(k.toLowerCase())) attrs[k] = e.attrs[k]!;
  return [row, e.line, e.dn, span.from, span.to, attrs];
}

/** The entry an overlay row holds, partial (read from its place when used whole); null when removed. */
export function overlayEntry(r: OverlayRow): LdifEntry | null {
  if (r.length === 1) return null;
  const [, line, dn, from, to, attrs] = r;
  return { dn, line, attrs, span: { from, to }, partial: true };
}
