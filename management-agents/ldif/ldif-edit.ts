/**
 * Values added to and deleted from an LDIF record as text: the lines of the
 * values deleted cut out, lines for the values added appended, the rest of
 * the record left as it is. An export that moves a few of a group's 10,000
 * members then neither parses the record nor writes it again value by value
 * (at 100,000 people, 9 MB each way per delta).
 */
import type { AttrChange } from '../../data/objects.ts';
import { line } from './ldif-format.ts';

/** Values added and deleted in one change past which the record is parsed instead: each costs a search of it. */
const MAX_VALUES = 16;

/** Whether `editRecord` may make these changes, before the record is read: values added and deleted, at most MAX_VALUES. */
export function editable(changes: Readonly<Record<string, AttrChange>>): boolean {
  let count = 0;
  for (const k in changes) {
    const c = changes[k]!;
    if (c.op !== 'values') return false;
    count += c.add.length + c.remove.length;
  }
  return count <= MAX_VALUES;
}

/**
 * `record` (ending with its line end) with `changes` made; null where text
 * cannot say, and the caller changes the entry whole: a change that is not
 * values added and deleted, a value deleted that the record does not hold as
 * this agent writes it, or a value deleted or added that the record may hold
 * some other way (another writer's folding or encoding: RFC 2849 allows a
 * value plain or in base64, folded anywhere), or more values than MAX_VALUES.
 */
export function editRecord(record: string, changes: Readonly<Record<string, AttrChange>>): string | null {
  if (!editable(changes)) return null;
  const text = record.endsWith('\n') ? record : `${record}\n`;
  const cuts: [number, number][] = [];
  const adds: [string, string][] = [];
  const removed: string[] = [];
  for (const [name, c] of Object.entries(changes)) {
    if (c.op !== 'values') return null;
    for (const v of c.remove) {
      const l = `\n${line(name, v)}\n`;
      const before = cuts.length;
      for (let at = text.indexOf(l); at >= 0; at = text.indexOf(l, at + l.length - 1)) cuts.push([at + 1, at + l.length]);
      if (cuts.length === before) return null;
      removed.push(String(v));
    }
    for (const v of c.add) {
      const l = line(name, v);
      if (!text.includes(`\n${l}\n`) && !adds.some(([, a]) => a === l)) adds.push([String(v), l]);
    }
  }
  cuts.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let from = 0;
  for (const [start, end] of cuts) {
    parts.push(text.slice(from, start));
    from = end;
  }
  parts.push(text.slice(from));
  const kept = parts.join('');
  // Unfolded, a value held any other way still shows as its text or its base64: then only a parse can tell.
  const unfolded = kept.replaceAll('\n ', '');
  for (const v of [...removed, ...adds.map(([v]) => v)]) {
    if (v === '' || unfolded.includes(v) || unfolded.includes(Buffer.from(v, 'utf8').toString('base64'))) return null;
  }
  return kept + adds.map(([, l]) => `${l}\n`).join('');
}
