/**
 * The change log of a csv agent that writes the file it imports (an app's
 * file, in full export mode): `<file>.changes`, a JSON line per rewrite of
 * the file, naming the file's stamp before and after it and the rows it
 * added or changed and removed, by anchor. A delta import reads the log from
 * where the last import left off and gives those rows as the file now holds
 * them: confirming an export costs what was exported, not the file's size.
 * A chain of stamps that does not join up, from the watermark to the file as
 * it is, means an edit by other means, which a full import answers.
 */
import { open } from 'node:fs/promises';
import { appendDurably } from '../file-journal.ts';
import { logSize } from '../log-watermark.ts';

export interface CsvRewrite {
  readonly before: string;
  readonly after: string;
  /** Anchors of rows added or changed. */
  readonly put: readonly string[];
  /** Anchors of rows removed, or renamed from. */
  readonly removed: readonly string[];
}

export const changeLogPath = (file: string) => `${file}.changes`;

/** Appends one rewrite, durably: a delta import must not miss it. */
export const logRewrite = (path: string, r: CsvRewrite): Promise<void> => appendDurably(path, JSON.stringify(r) + '\n');

const isRewrite = (r: Partial<CsvRewrite> | null): r is CsvRewrite =>
  !!r && typeof r.before === 'string' && typeof r.after === 'string' && Array.isArray(r.put) && Array.isArray(r.removed);

export interface RewritesSince {
  readonly rewrites: CsvRewrite[];
  /** Why the log cannot serve a delta import (a line that cannot be read), or null. */
  readonly unusable: string | null;
  /** Where the next read starts: past the last whole line. */
  readonly end: number;
}

/** The rewrites logged from byte `from` on; null when the log is shorter (replaced or cut), so the offset means nothing. */
export async function rewritesSince(path: string, from: number): Promise<RewritesSince | null> {
  const size = await logSize(path);
  if (size < from) return null;
  const out = { rewrites: [] as CsvRewrite[], unusable: null as string | null, end: from };
  if (size === from) return out;
  const buf = Buffer.alloc(size - from);
  const fh = await open(path, 'r');
  try {
    await fh.read(buf, 0, buf.length, from);
  } finally {
    await fh.close();
  }
  for (let at = 0, nl = buf.indexOf(10); nl >= 0; at = nl + 1, nl = buf.indexOf(10, at)) {
    let r: Partial<CsvRewrite> | null = null;
    try {
      r = JSON.parse(buf.toString('utf8', at, nl)) as Partial<CsvRewrite>;
    } catch {
      // Left as null: said below.
    }
    if (isRewrite(r)) out.rewrites.push(r);
    else out.unusable ??= `the line at byte ${from + at} is not a rewrite this agent wrote`;
    out.end = from + nl + 1;
  }
  // A last line without its line end was cut by a crash: read again next time, whole.
  return out;
}

/** Anchors put and removed over `rewrites`, the later rewrite deciding. */
export function netChanges(rewrites: readonly CsvRewrite[]): { put: Set<string>; removed: Set<string> } {
  const put = new Set<string>();
  const removed = new Set<string>();
  for (const r of rewrites) {
    for (const k of r.removed) { put.delete(k); removed.add(k); }
    for (const k of r.put) { removed.delete(k); put.add(k); }
  }
  return { put, removed };
}
