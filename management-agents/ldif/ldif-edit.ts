/**
 * Values added to and deleted from an LDIF record as text: the lines of the
 * values deleted cut out, lines for the values added appended, the rest of
 * the record left as it is. An export that moves a few of a group's 10,000
 * members then neither parses the record nor writes it again value by value
 * (at 100,000 people, 9 MB each way per delta).
 */
import type { AttrChange } from '../../data/objects.ts';
import { AgentError } from '../errors.ts';
import { line, parseLdif, type LdifEntry } from './ldif-format.ts';
import { Elsewhere } from './ldif-held-elsewhere.ts';
import { blank } from './ldif-layout.ts';
import { lineEnd, RecordText } from './ldif-record-text.ts';

/**
 * Values added and deleted in one change past which the record is parsed
 * instead. The record is walked once whatever their number, each line
 * looked up among them all; at 100,000 people a department group gets 30 to 120
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

/**
 * A number from a line's length and six of its characters, the same for equal
 * lines: a line is compared with the changed values' lines only where its
 * print is one of theirs. Their length alone let most of a department group's
 * member lines through (DNs of one department differ by a few characters),
 * each then cut out and hashed: 2.1 of 2.4 ms per group of 10,000 and 30
 * changed values, against 0.9 ms with the print (a scratch benchmark on the
 * benchmark's record). The characters are where a member's DN names them.
 */
function printOf(text: string, at: number, length: number): number {
  if (length < 27) return length;
  let h = length;
  for (let i = 11; i < 27; i += 3) h = (h * 31 + text.charCodeAt(at + i)) | 0;
  return h;
}

/** A record's values to delete, as the ranges of their logical lines, and the lines of the values to add that it lacks. */
interface Located { readonly text: RecordText; readonly cuts: readonly [number, number][]; readonly adds: readonly string[] }

/**
 * Where `changes` fall in `record` (see `editRecord`); null where text cannot
 * say. The record is not made again without the deleted values' lines to
 * search it: at 100,000 people a department group's record is 1.1 MB, and
 * that string took 4-5 ms of an export's 15-20 ms per group to make.
 */
function locate(record: string | RecordText, changes: Readonly<Record<string, AttrChange>>): Located | null {
  if (!editable(changes)) return null;
  const whole = RecordText.of(record);
  const text = whole.endsWith('\n') ? whole : whole.plus('\n');
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
  const prints = new Set<number>();
  for (const l of cut.keys()) prints.add(printOf(l, 0, l.length));
  for (const l of add.keys()) prints.add(printOf(l, 0, l.length));
  // One walk over the logical lines after the DN's (a line and its continuations), a piece at a time (no line
  // runs from one into the next): only one whose print is a changed value's line's is compared. Every other
  // line may hold a value some other way, which text would not see: those are read for it (`elsewhere`).
  const cuts: [number, number][] = [];
  const elsewhere = new Elsewhere([...[...cut.values()].map((c) => c.value), ...[...add.values()].map((a) => a.value)].filter(Boolean), text);
  text.pieces.forEach((piece, k) => {
    const base = text.starts[k]!;
    let at = 0;
    if (k === 0) at = lineEnd(piece, 0)[0] + 1;
    while (at < piece.length) {
      const [end, folds] = lineEnd(piece, at);
      const l = prints.has(printOf(piece, at, end - at)) ? piece.slice(at, end) : null;
      const c = l === null ? undefined : cut.get(l);
      const a = l === null || c ? undefined : add.get(l);
      if (c) {
        c.found = true;
        cuts.push([base + at, base + end + 1]);
      } else if (a) a.held = true;
      else elsewhere.line(piece, at, end, folds);
      at = end + 1;
    }
  });
  const values: string[] = [];
  for (const c of cut.values()) if (c.found) values.push(c.value); else return null;
  const adds: string[] = [];
  for (const [l, a] of add) if (!a.held) { adds.push(l); values.push(a.value); }
  if (values.includes('')) return null;
  return values.some((v) => elsewhere.holds(v)) ? null : { text, cuts, adds };
}

/**
 * `record` (ending with its line end) with `changes` made; null where text
 * cannot say, and the caller changes the entry whole: a change that is not
 * values added and deleted, a value deleted that the record does not hold as
 * this agent writes it, or a value deleted or added that the record holds
 * some other way (another writer's folding or encoding: RFC 2849 allows a
 * value plain or in base64, folded anywhere; ldif-held-elsewhere.ts), or more
 * values than MAX_VALUES.
 * A value both deleted and added ends up held, as `applyValues` makes it.
 */
export function editRecord(record: string | RecordText, changes: Readonly<Record<string, AttrChange>>): string | null {
  const found = locate(record, changes);
  return found && anew(found);
}

/** `text` with each range of `pieces` (in order, apart) given its text: concatenated, which V8 keeps as pieces until the text is read. */
function spliced(text: RecordText, pieces: readonly (readonly [number, number, string])[]): string {
  let out = '';
  let from = 0;
  for (const [a, b, t] of pieces) { out += text.slice(from, a) + t; from = b; }
  return out + text.slice(from);
}

/** The record less the lines cut, with the lines added at its end. */
const anew = (found: Located) => spliced(found.text, found.cuts.map(([a, b]) => [a, b, ''] as const)) + found.adds.map((l) => `${l}\n`).join('');

/**
 * The record searched once: edited in place (`editInPlace`) when `inPlace`
 * and its room allows, with the ranges changed; else as `editRecord` makes
 * it. Null where text cannot say.
 */
export function editText(record: string | RecordText, changes: Readonly<Record<string, AttrChange>>, inPlace: boolean): { text: string; dirty?: Dirty[] } | null {
  const found = locate(record, changes);
  if (!found) return null;
  return (inPlace && record.endsWith('\n') && placed(RecordText.of(record), found)) || { text: anew(found) };
}

/**
 * `record` with `changes` made in place, as long as it was: each deleted
 * value's lines become a comment line of their length, and the added values'
 * lines take the start of the room the record ends with (`roomOf`). With the
 * ranges of the text that differ from `record`, for the file to be written
 * there alone. Null where `editRecord` is, or where the room is too small.
 */
export function editInPlace(record: string, changes: Readonly<Record<string, AttrChange>>): { text: string; dirty: Dirty[] } | null {
  const found = record.endsWith('\n') ? locate(record, changes) : null;
  return found && placed(RecordText.of(record), found);
}

/** A range of a record edited in place, and what it holds now: the file is written there from it. */
export type Dirty = [number, number, string];

/** `text` (a record as the file holds it) with each range of `dirty` holding its text: the record as edited in place. */
export function laidOver(text: string, dirty: readonly Dirty[]): string {
  for (const [a, b, t] of dirty) text = text.slice(0, a) + t + text.slice(b);
  return text;
}

/** `editInPlace` of a record already searched. */
function placed(record: RecordText, found: Located): { text: string; dirty: Dirty[] } | null {
  const room = roomOf(found.text);
  if (!room) return null;
  const add = found.adds.map((l) => `${l}\n`).join('');
  const [start, end] = room;
  // The cut lines come before the room, which ends the record.
  const dirty: Dirty[] = found.cuts.map(([a, b]) => [a, b, commentOf(b - a)]);
  if (add) {
    // The room's comment line that the added lines end in is written again from there, as a shorter comment
    // line; where only its line end would be left (an empty line ends a record), with the next one.
    const rest = start + add.length;
    let to = rest === end || record.charCodeAt(rest - 1) === 10 ? rest : record.indexOf('\n', rest) + 1;
    if (to - rest === 1) to = record.indexOf('\n', to) + 1;
    if (rest > end || to <= 0 || to > end) return null;
    dirty.push([start, to, add + commentOf(to - rest)]);
  }
  // Not joined: a department group's 1.1 MB at 100,000 people took 4-5 ms to make, and the file is written from `dirty`.
  return { text: spliced(record, dirty), dirty };
}

const EMPTY_COMMENT = /# *\n/y;

/**
 * Where the room at the end of a record is: the comment lines it ends with,
 * which readers skip (`withRoom` makes them); null when it ends otherwise.
 */
export function roomOf(record: string | RecordText): [number, number] | null {
  const text = RecordText.of(record);
  let start = text.length;
  // From the last piece back: a comment line is a logical line, within one piece; the record's first is its DN's.
  scan: for (let k = text.pieces.length - 1; k >= 0; k--) {
    const piece = text.pieces[k]!;
    const base = text.starts[k]!;
    for (let local = start - base; local > 0; local = start - base) {
      const lineStart = piece.lastIndexOf('\n', local - 2) + 1;
      // Only lines of a '#' and spaces: a comment with words in it is someone's, and stays.
      EMPTY_COMMENT.lastIndex = lineStart;
      if ((k === 0 && lineStart === 0) || !EMPTY_COMMENT.test(piece) || EMPTY_COMMENT.lastIndex !== local) break scan;
      start = base + lineStart;
    }
  }
  return start < text.length ? [start, text.length] : null;
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
