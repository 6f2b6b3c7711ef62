/**
 * Values added to and deleted from an LDIF record as text: the lines of the
 * values deleted cut out, lines for the values added appended, the rest of
 * the record left as it is. An export that moves a few of a group's 10,000
 * members then neither parses the record nor writes it again value by value
 * (at 100,000 people, 9 MB each way per delta).
 */
import type { AttrChange } from '../../data/objects.ts';
import { line } from './ldif-format.ts';

/**
 * Values added and deleted in one change past which the record is parsed
 * instead. The record is walked once whatever their number, and searched
 * once for them all; at 100,000 people a department group gets 30 to 120
 * in a delta, and parsing and writing its 10,000 members costs more.
 */
const MAX_VALUES = 1024;

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

/** Where the logical line at `at` ends: its last physical line's line end (the text's end if it has none). */
function lineEnd(text: string, at: number): number {
  let end = text.indexOf('\n', at);
  while (end >= 0 && text.charCodeAt(end + 1) === 32) end = text.indexOf('\n', end + 1);
  return end < 0 ? text.length : end;
}

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `record` (ending with its line end) with `changes` made; null where text
 * cannot say, and the caller changes the entry whole: a change that is not
 * values added and deleted, a value deleted that the record does not hold as
 * this agent writes it, or a value deleted or added that the record may hold
 * some other way (another writer's folding or encoding: RFC 2849 allows a
 * value plain or in base64, folded anywhere), or more values than MAX_VALUES.
 * A value both deleted and added ends up held, as `applyValues` makes it.
 */
export function editRecord(record: string, changes: Readonly<Record<string, AttrChange>>): string | null {
  if (!editable(changes)) return null;
  const text = record.endsWith('\n') ? record : `${record}\n`;
  // Each value's line as this agent writes it (folded), and whether the record holds it so.
  const cut = new Map<string, { value: string; found: boolean }>();
  const add = new Map<string, { value: string; held: boolean }>();
  for (const [name, c] of Object.entries(changes)) {
    if (c.op !== 'values') return null;
    for (const v of c.remove) cut.set(line(name, v), { value: String(v), found: false });
    for (const v of c.add) {
      const l = line(name, v);
      if (!add.has(l)) add.set(l, { value: String(v), held: false });
    }
  }
  const lengths = new Set([...cut.keys(), ...add.keys()].map((l) => l.length));
  // One walk over the logical lines after the DN's (a line and its continuations): only one whose length is a
  // changed value's line's is compared.
  const parts: string[] = [];
  let from = 0;
  for (let at = lineEnd(text, 0) + 1; at < text.length; ) {
    const end = lineEnd(text, at);
    if (lengths.has(end - at)) {
      const l = text.slice(at, end);
      const c = cut.get(l);
      if (c) {
        c.found = true;
        parts.push(text.slice(from, at));
        from = end + 1;
      } else {
        const a = add.get(l);
        if (a) a.held = true;
      }
    }
    at = end + 1;
  }
  parts.push(text.slice(from));
  const kept = parts.join('');
  const values: string[] = [];
  for (const c of cut.values()) if (c.found) values.push(c.value); else return null;
  const adds: string[] = [];
  for (const [l, a] of add) if (!a.held) { adds.push(l); values.push(a.value); }
  if (!values.length) return kept;
  if (values.includes('')) return null;
  // Unfolded, a value held any other way still shows as its text or its base64: then only a parse can tell.
  // One search for them all: one per value cost 18 record-lengths of searching per group at 100,000 people.
  const anyOf = new RegExp(values.flatMap((v) => [escaped(v), escaped(Buffer.from(v, 'utf8').toString('base64'))]).join('|'));
  if (anyOf.test(kept.replaceAll('\n ', ''))) return null;
  return kept + adds.map((l) => `${l}\n`).join('');
}
