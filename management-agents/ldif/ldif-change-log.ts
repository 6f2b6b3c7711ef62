/**
 * The change log an ldif agent appends to on export (`export-path`): RFC 2849
 * change records, with two kinds of comment the agent writes for its own
 * delta import, as a directory's changelog names the entry and the server
 * that changed it:
 * - `# anchor: …` before a delete record: the deleted entry's anchor, which
 *   the record itself does not give;
 * - `# rewritten: <before> -> <after>` between records: the directory file's
 *   size and time as the agent found it and as it left it, at each rewrite.
 *   A chain that does not join up, from the watermark to the file as it is,
 *   means an edit by other means, answered with a full import.
 * Read from a byte offset, the log says which entries changed since.
 */
import { logSize } from '../log-watermark.ts';
import { readLineBatchesAt } from '../../data/line-reader.ts';
import { splitDn } from '../../data/dn.ts';
import { attributeLine } from './ldif-format.ts';

const ANCHOR = '# anchor: ';
const REWRITTEN = '# rewritten: ';

export const anchorComment = (anchor: string) => `${ANCHOR}${anchor}\n`;
export const rewrittenComment = (before: string, after: string) => `${REWRITTEN}${before} -> ${after}\n\n`;

export interface ChangesSince {
  /** DNs added, modified or renamed to, by lower case. */
  readonly touched: Map<string, string>;
  /** Anchors of deleted entries. */
  readonly deleted: Set<string>;
  /** Why the log cannot serve a delta import (a delete without its anchor, a record without a dn), or null. */
  readonly unusable: string | null;
  /** The rewrites logged since the offset: the file's stamp before and after each. */
  readonly rewrites: (readonly [string, string])[];
  /** Where the next read starts: past the last complete record. */
  readonly end: number;
}

interface Rec { dn?: string; type?: string; newrdn?: string; newsuperior?: string; anchor?: string }

/** The changes logged from byte `from` on; null when the log is shorter (replaced or cut), so the offset means nothing. */
export async function changesSince(path: string, from: number): Promise<ChangesSince | null> {
  const size = await logSize(path);
  if (size < from) return null;
  const out: { -readonly [K in keyof ChangesSince]: ChangesSince[K] } = { touched: new Map(), deleted: new Set(), unusable: null, rewrites: [], end: from };
  if (size === from) return out;
  let rec: Rec = {};
  const close = (): void => {
    if (rec.dn === undefined) { if (rec.type !== undefined) out.unusable ??= 'a change record without a dn'; return; }
    const type = rec.type?.toLowerCase();
    if (type === 'delete') {
      if (rec.anchor === undefined) out.unusable ??= `the delete of ${rec.dn} does not give its anchor`;
      else out.deleted.add(rec.anchor);
    } else if (type === 'modrdn' || type === 'moddn') {
      const parent = rec.newsuperior ?? splitDn(rec.dn).slice(1).join(',');
      const dn = parent ? `${rec.newrdn ?? ''},${parent}` : rec.newrdn ?? '';
      out.touched.set(dn.toLowerCase(), dn);
    } else out.touched.set(rec.dn.toLowerCase(), rec.dn);
  };
  const logical = (l: string, at: number): void => {
    if (l === '') { close(); rec = {}; out.end = at + 1; return; }
    if (l.startsWith(REWRITTEN)) {
      const [before, after] = l.slice(REWRITTEN.length).split(' -> ');
      if (after === undefined) out.unusable ??= `not a rewrite note: '${l}'`;
      else out.rewrites.push([before!, after]);
      return;
    }
    if (l.startsWith(ANCHOR)) { rec.anchor = l.slice(ANCHOR.length); return; }
    if (l.startsWith('#')) return;
    const a = attributeLine(l);
    if (typeof a === 'string') return;
    const name = a.name.toLowerCase();
    if (name === 'dn' || name === 'changetype' || name === 'newrdn' || name === 'newsuperior') rec[name === 'changetype' ? 'type' : name] ??= a.value;
  };
  let pending: string | null = null;
  let pendingAt = from;
  for await (const { lines, starts } of readLineBatchesAt(path, undefined, from)) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.startsWith(' ') && pending) { pending += l.slice(1); continue; }
      if (pending !== null) logical(pending, pendingAt);
      pending = l;
      pendingAt = starts[i]!;
    }
  }
  // A last record without its closing empty line was cut by a crash: read again next time, whole.
  if (pending === '') logical(pending, pendingAt);
  return out;
}
