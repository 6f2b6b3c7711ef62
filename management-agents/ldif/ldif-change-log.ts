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

/** Values added (true) and removed (false) per attribute, the last change of each value deciding. */
export type ValueDelta = Map<string, Map<string, boolean>>;

export interface ChangesSince {
  /** DNs added, modified or renamed to, by lower case. */
  readonly touched: Map<string, string>;
  /**
   * Of those, the DNs (lower case) whose every record since was a modify
   * that only added and deleted values: what those records did, composed.
   * A delta import gives such an entry as those values (a group's few
   * members), not as the file holds it (its 10,000).
   */
  readonly values: Map<string, ValueDelta>;
  /** Anchors of deleted entries. */
  readonly deleted: Set<string>;
  /** Why the log cannot serve a delta import (a delete without its anchor, a record without a dn), or null. */
  readonly unusable: string | null;
  /** The rewrites logged since the offset: the file's stamp before and after each. */
  readonly rewrites: (readonly [string, string])[];
  /** Where the next read starts: past the last complete record. */
  readonly end: number;
}

interface Rec {
  dn?: string; type?: string; newrdn?: string; newsuperior?: string; anchor?: string;
  /** A modify's current operation and attribute; whether it did anything but add and delete values; the values. */
  op?: string; attr?: string; opValues?: number; whole?: boolean; values?: [string, string, boolean][];
}

/** The changes logged from byte `from` on; null when the log is shorter (replaced or cut), so the offset means nothing. */
export async function changesSince(path: string, from: number): Promise<ChangesSince | null> {
  const size = await logSize(path);
  if (size < from) return null;
  const out: { -readonly [K in keyof ChangesSince]: ChangesSince[K] } = { touched: new Map(), values: new Map(), deleted: new Set(), unusable: null, rewrites: [], end: from };
  /** DNs (lower case) that a record other than a values-only modify touched since. */
  const whole = new Set<string>();
  if (size === from) return out;
  let rec: Rec = {};
  const close = (): void => {
    if (rec.dn === undefined) { if (rec.type !== undefined) out.unusable ??= 'a change record without a dn'; return; }
    const type = rec.type?.toLowerCase();
    const wholly = (dn: string) => { whole.add(dn.toLowerCase()); out.values.delete(dn.toLowerCase()); };
    if (type === 'delete') {
      if (rec.anchor === undefined) out.unusable ??= `the delete of ${rec.dn} does not give its anchor`;
      else out.deleted.add(rec.anchor);
      wholly(rec.dn);
    } else if (type === 'modrdn' || type === 'moddn') {
      const parent = rec.newsuperior ?? splitDn(rec.dn).slice(1).join(',');
      const dn = parent ? `${rec.newrdn ?? ''},${parent}` : rec.newrdn ?? '';
      out.touched.set(dn.toLowerCase(), dn);
      wholly(rec.dn);
      wholly(dn);
    } else {
      out.touched.set(rec.dn.toLowerCase(), rec.dn);
      // An operation without values (all of an attribute's) is not a values-only change either.
      if (type !== 'modify' || rec.whole || rec.op !== undefined) wholly(rec.dn);
      else if (!whole.has(rec.dn.toLowerCase())) compose(out.values, rec.dn.toLowerCase(), rec.values ?? []);
    }
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
    if (l === '-') { rec.whole ||= rec.opValues === 0; rec.op = undefined; return; }
    const a = attributeLine(l);
    if (typeof a === 'string') return;
    const name = a.name.toLowerCase();
    if (rec.type?.toLowerCase() === 'modify' && rec.dn !== undefined) {
      // In a modify: an operation names its attribute, and the values after it up to "-" are its.
      if (rec.op === undefined) { rec.op = name; rec.attr = a.value; rec.opValues = 0; rec.whole ||= name !== 'add' && name !== 'delete'; }
      else if (name === rec.attr!.toLowerCase()) { (rec.values ??= []).push([rec.attr!, a.value, rec.op === 'add']); rec.opValues!++; }
      else rec.whole = true;
      return;
    }
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

/** Adds a values-only modify's values to what the records before it did to the entry: the last change of a value decides. */
function compose(all: Map<string, ValueDelta>, dn: string, values: readonly [string, string, boolean][]): void {
  let delta = all.get(dn);
  if (!delta) all.set(dn, (delta = new Map()));
  for (const [attr, value, added] of values) {
    let held = delta.get(attr);
    if (!held) delta.set(attr, (held = new Map()));
    // Deleted first, so that the value keeps the order of its last change.
    held.delete(value);
    held.set(value, added);
  }
}
