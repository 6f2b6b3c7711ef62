/**
 * Values added to and deleted from an LDIF record as text: the lines of the
 * values deleted cut out, lines for the values added appended, the rest of
 * the record left as it is. An export that moves a few of a group's 10,000
 * members then neither parses the record nor writes it again value by value
 * (at 100,000 people, 9 MB each way per delta).
 */
import type { AttrChange } from '../../data/objects.ts';
import { AgentError } from '../errors.ts';
import { escapeRegExp, line, parseLdif, type LdifEntry } from './ldif-format.ts';
import { blank } from './ldif-layout.ts';

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

/** A record's values to delete, as the ranges of their logical lines, and the lines of the values to add that it lacks. */
interface Located { readonly text: string; readonly cuts: readonly [number, number][]; readonly adds: readonly string[] }

/**
 * Where `changes` fall in `record` (see `editRecord`); null where text cannot
 * say. `kept`: the record without the deleted values' lines, whose other
 * lines must not hold a changed value some other way.
 */
function locate(record: string, changes: Readonly<Record<string, AttrChange>>): (Located & { kept: string }) | null {
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
  const cuts: [number, number][] = [];
  const parts: string[] = [];
  let from = 0;
  for (let at = lineEnd(text, 0) + 1; at < text.length; ) {
    const end = lineEnd(text, at);
    if (lengths.has(end - at)) {
      const l = text.slice(at, end);
      const c = cut.get(l);
      if (c) {
        c.found = true;
        cuts.push([at, end + 1]);
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
  if (!values.length) return { text, cuts, adds, kept };
  if (values.includes('')) return null;
  // Unfolded, a value held any other way still shows as its text or its base64: then only a parse can tell.
  // One search for them all: one per value cost 18 record-lengths of searching per group at 100,000 people.
  const anyOf = new RegExp(values.flatMap((v) => [escapeRegExp(v), escapeRegExp(Buffer.from(v, 'utf8').toString('base64'))]).join('|'));
  if (anyOf.test(kept.replaceAll('\n ', ''))) return null;
  return { text, cuts, adds, kept };
}

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
  const found = locate(record, changes);
  return found && anew(found);
}

const anew = (found: Located & { kept: string }) => found.kept + found.adds.map((l) => `${l}\n`).join('');

/**
 * The record searched once: edited in place (`editInPlace`) when `inPlace`
 * and its room allows, with the ranges changed; else as `editRecord` makes
 * it. Null where text cannot say.
 */
export function editText(record: string, changes: Readonly<Record<string, AttrChange>>, inPlace: boolean): { text: string; dirty?: [number, number][] } | null {
  const found = locate(record, changes);
  if (!found) return null;
  return (inPlace && record.endsWith('\n') && placed(record, found)) || { text: anew(found) };
}

/**
 * `record` with `changes` made in place, as long as it was: each deleted
 * value's lines become a comment line of their length, and the added values'
 * lines take the start of the room the record ends with (`roomOf`). With the
 * ranges of the text that differ from `record`, for the file to be written
 * there alone. Null where `editRecord` is, or where the room is too small.
 */
export function editInPlace(record: string, changes: Readonly<Record<string, AttrChange>>): { text: string; dirty: [number, number][] } | null {
  const found = record.endsWith('\n') ? locate(record, changes) : null;
  return found && placed(record, found);
}

/** `editInPlace` of a record already searched. */
function placed(record: string, found: Located): { text: string; dirty: [number, number][] } | null {
  const room = roomOf(found.text);
  if (!room) return null;
  const add = found.adds.map((l) => `${l}\n`).join('');
  const [start, end] = room;
  const dirty: [number, number][] = [...found.cuts];
  let rest = start + add.length;
  if (add) {
    // The room's comment line that the added lines end in is written again from there, as a shorter comment
    // line; where only its line end would be left (an empty line ends a record), with the next one.
    let to = rest === end || record.charCodeAt(rest - 1) === 10 ? rest : record.indexOf('\n', rest) + 1;
    if (to - rest === 1) to = record.indexOf('\n', to) + 1;
    if (rest > end || to <= 0 || to > end) return null;
    dirty.push([start, to]);
    rest = to;
  }
  const parts: string[] = [];
  let from = 0;
  for (const [a, b] of found.cuts) parts.push(record.slice(from, a), commentOf(b - a)), (from = b);
  if (add) parts.push(record.slice(from, start), add, commentOf(rest - start - add.length)), (from = rest);
  parts.push(record.slice(from));
  return { text: parts.join(''), dirty };
}

const EMPTY_COMMENT = /# *\n/y;

/**
 * Where the room at the end of a record is: the comment lines it ends with,
 * which readers skip (`withRoom` makes them); null when it ends otherwise.
 */
export function roomOf(record: string): [number, number] | null {
  let start = record.length;
  while (start > 0) {
    const lineStart = record.lastIndexOf('\n', start - 2) + 1;
    // Only lines of a '#' and spaces: a comment with words in it is someone's, and stays.
    EMPTY_COMMENT.lastIndex = lineStart;
    if (lineStart === 0 || !EMPTY_COMMENT.test(record) || EMPTY_COMMENT.lastIndex !== start) break;
    start = lineStart;
  }
  return start < record.length ? [start, record.length] : null;
}

/** Records this long or longer are written with room for values added in place: a group of 160 members or more. */
export const ROOM_FROM = 16 * 1024;

/**
 * `record` (ending with its line end) followed by room for values added in
 * place: a sixteenth of its length in comment lines, when it is ROOM_FROM
 * long or longer. A delta that adds ten members to a group of 10,000 then
 * writes their lines where the room was, rather than the group's megabyte
 * at the file's end.
 */
export function withRoom(record: string): string {
  return record.length < ROOM_FROM ? record : record + commentOf(Math.ceil(record.length / 16));
}

/** `length` bytes of comment lines (see ldif-layout's `blank`), as text. */
const commentOf = (length: number) => (length ? blank(length).toString('latin1') : '');

/**
 * `record` without its comment lines of spaces (room, used or not, and deleted
 * values' lines): before it is given new room, when it is written anew. One
 * followed by a continuation line is a folded comment, and stays.
 */
export const withoutRoom = (record: string) => (record.includes('\n#') ? record.replace(/^# *\n(?! )/gm, '') : record);

/** The entry an edited record's text holds; a text that does not parse as one record is an error naming the file. */
export function parseText(text: string, path: string, agent: string): LdifEntry {
  const { entries, errors } = parseLdif(text);
  const [entry] = entries;
  if (!entry || errors.length) throw new AgentError(agent, `${path}: an entry edited in memory does not parse (${errors[0]?.message ?? 'no record'})`, false);
  return entry;
}
