/** RFC 2849: content records in, content and change records out. */
import type { Attributes, Scalar } from '../../data/model.ts';
import type { AttrChange } from '../../data/objects.ts';
import { splitDn } from '../../data/dn.ts';
import type { LineBatch } from '../../data/line-reader.ts';
import { lineEnd } from './ldif-record-text.ts';

export interface LdifEntry {
  readonly dn: string;
  readonly attrs: Attributes;
  /** 1-based line where the record starts. */
  readonly line: number;
  /**
   * Where the record is in the file it was read from: bytes [from, to), from
   * its dn line to the line that ends it. Rewriting the file copies these
   * bytes for a record that did not change, instead of serialising it again.
   */
  readonly span?: { readonly from: number; readonly to: number };
  /** Only the attributes the parser was asked to keep were read: read the record again, from its span, for all. */
  readonly partial?: boolean;
}

export class LdifSyntaxError extends Error {
  override name = 'LdifSyntaxError';
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

/**
 * Parses content records line by line, so that a directory of any size
 * streams through it. Unfolds continuation lines (a leading space), drops
 * comments (folded ones too), and reports a bad record with its line,
 * skipping it; the others are returned.
 */
export class LdifParser {
  private readonly entries: LdifEntry[] = [];
  private readonly errors: LdifSyntaxError[] = [];
  private cur: { dn: string; attrs: Attributes; line: number; from: number; partial: boolean; bad?: LdifSyntaxError } | null = null;
  /** The logical line being unfolded, and the number and byte offset of its first physical line. */
  private pending: string | null = null;
  private pendingAt = 0;
  private pendingByte = -1;
  private pendingSkipped = false;
  private n = 0;

  /**
   * @param keep when given, attributes (lower case) to decode and keep; the
   * other lines are checked as any line is, but not kept, and their entries
   * are `partial`. Reading a large file for its index costs a third of
   * reading it whole.
   */
  constructor(private readonly keep: ReadonlySet<string> | null = null) {}

  /** One physical line, without its "\n"; `at`, its byte offset in the file, when the record spans are wanted. */
  push(raw: string, at = -1): void {
    this.n++;
    let l = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (this.n === 1 && l.charCodeAt(0) === 0xfeff) l = l.slice(1);
    // A continuation joins a non-empty line (or a comment); after an empty line it stands alone, and fails below.
    if (l.charCodeAt(0) === 32 && this.pending !== null && this.pending !== '') {
      if (!this.pendingSkipped) this.pending += l.slice(1);
      return;
    }
    if (this.pending !== null && !this.pendingSkipped) this.line(this.pending, this.pendingAt, this.pendingByte);
    // A line not to keep is settled by its first physical line (the name is there): its continuations are not joined.
    this.pendingSkipped = this.keep !== null && this.skipped(l);
    this.pending = l;
    this.pendingAt = this.n;
    this.pendingByte = at;
  }

  /** `at`: the file's length in bytes, when the record spans are wanted. */
  end(at = -1): { entries: LdifEntry[]; errors: LdifSyntaxError[] } {
    if (this.pending !== null && !this.pendingSkipped) this.line(this.pending, this.pendingAt, this.pendingByte);
    this.pending = null;
    this.flush(at);
    return { entries: this.entries, errors: this.errors };
  }

  /** Ends the current record at byte `to`, where the line that ends it starts. */
  private flush(to: number): void {
    const cur = this.cur;
    if (cur && !cur.bad) this.entries.push({ dn: cur.dn, line: cur.line, attrs: cur.attrs, ...(cur.from >= 0 && to >= 0 ? { span: { from: cur.from, to } } : {}), ...(cur.partial ? { partial: true } : {}) });
    if (cur?.bad) this.errors.push(cur.bad);
    this.cur = null;
  }

  private line(l: string, line: number, at: number): void {
    if (l === '') { this.flush(at); return; }
    if (l.charCodeAt(0) === 35 /* # */) return;
    const parsed = attributeLine(l);
    if (typeof parsed === 'string') { this.bad(parsed === 'url' ? `attribute ${l.slice(0, l.indexOf(':'))} uses a URL value (:<), which is not accepted` : `not an LDIF line: '${l.slice(0, 40)}'`, line); return; }
    const { name, value } = parsed;
    if (name.length === 7 && !this.cur && name.toLowerCase() === 'version') return;
    if (name.length === 2 && name.toLowerCase() === 'dn') {
      this.flush(at);
      this.cur = { dn: value, attrs: {}, line, from: at, partial: false };
      return;
    }
    if (!this.cur) { this.errors.push(new LdifSyntaxError(`attribute ${name} before any dn:`, line)); return; }
    if (name.length === 10 && name.toLowerCase() === 'changetype') { this.cur.bad ??= new LdifSyntaxError('a change record where content records are expected', line); return; }
    // One value as a scalar, more as a list. Own properties only: an attribute named constructor or toString is an attribute.
    const attrs = this.cur.attrs;
    const held = Object.hasOwn(attrs, name) ? attrs[name] : undefined;
    if (held === undefined) attrs[name] = value;
    else if (Array.isArray(held)) held.push(value);
    else attrs[name] = [held, value];
  }

  /**
   * Whether the line is an attribute of the current record not to keep: then
   * its entry is partial. Anything wrong with it is left to line(), which
   * reports it as it does for every line.
   */
  private skipped(l: string): boolean {
    const head = attributeHead(l);
    if (typeof head === 'string' || !this.cur) return false;
    const name = head.name.toLowerCase();
    if (name === 'dn' || name === 'changetype' || name === 'version' || this.keep!.has(name)) return false;
    this.cur.partial = true;
    return true;
  }

  /** A bad line spoils its record (reported once, with its first bad line), or stands alone before any record. */
  private bad(message: string, line: number): void {
    const err = new LdifSyntaxError(message, line);
    if (this.cur) this.cur.bad ??= err;
    else this.errors.push(err);
  }
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9;.-]+$/;
const WHITESPACE = /^\s$/;
/** The last name found good: a group's 10,000 member lines name one attribute, checked once. */
let goodName = '';

/**
 * Base64 to and from UTF-8 through one buffer, not a new one per value: a
 * group of 10,000 members, most of them with accented names, is 6,000 such
 * values each way.
 */
const scratch = Buffer.allocUnsafe(64 * 1024);
function fromBase64(raw: string): string {
  if (raw.length > scratch.length) return Buffer.from(raw, 'base64').toString('utf8');
  return scratch.toString('utf8', 0, scratch.write(raw, 'base64'));
}
function toBase64(v: string): string {
  if (v.length * 3 > scratch.length) return Buffer.from(v, 'utf8').toString('base64');
  return scratch.toString('base64', 0, scratch.write(v, 'utf8'));
}

/** An attribute line's name, whether its value is base64, and where the value starts; or why it is not one. */
function attributeHead(l: string): { name: string; base64: boolean; start: number } | 'url' | 'bad' {
  const colon = l.indexOf(':');
  const name = colon > 0 ? l.slice(0, colon) : '';
  if (name !== goodName) {
    if (!name || !ATTRIBUTE_NAME.test(name)) return 'bad';
    goodName = name;
  }
  let start = colon + 1;
  const kind = l.charCodeAt(start);
  if (kind === 60 /* < */) return 'url';
  if (kind === 58 /* : */) start++;
  if (isFill(l, start)) start++;
  return { name, base64: kind === 58, start };
}

/** Whether the character at `at` is the one optional space after an attribute's colon (any \s, as the grammar's regex had it); the char code first, for two million lines. */
export function isFill(l: string, at: number): boolean {
  const c = l.charCodeAt(at);
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && WHITESPACE.test(l.charAt(at)));
}

/**
 * One unfolded attribute line, its value decoded; 'url' for a URL value (:<),
 * which would make the agent read arbitrary files and is refused; 'bad' for
 * anything else that is not one. Scanned by hand rather than by one regex per
 * line: a 100,000-entry directory has two million lines.
 */
export function attributeLine(l: string): { name: string; value: string } | 'url' | 'bad' {
  const head = attributeHead(l);
  if (typeof head === 'string') return head;
  const raw = l.slice(head.start);
  return { name: head.name, value: head.base64 ? fromBase64(raw) : raw };
}

/** Pushes every line with its byte offset; returns the offset past the last. */
export async function feed(parser: LdifParser, batches: AsyncIterable<LineBatch>): Promise<number> {
  let end = 0;
  for await (const { lines, starts, end: next } of batches) {
    for (let i = 0; i < lines.length; i++) parser.push(lines[i]!, starts[i]);
    end = next;
  }
  return end;
}

/** `s` as a regular expression matching itself. */
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const headPatterns = new Map<string, RegExp>();

/**
 * One record's text cut to its DN's logical line and those of the attributes
 * in `keep` (lower case), with their continuation lines: what parsing it with
 * `keep` reads, found by one native search (a group of 10,000 members read line
 * by line for its anchor and type took 3-5 ms), a piece at a time for a record
 * in pieces (joined first, a group's 1.3 MB took 2.2-4.5 ms against 1.5-2.0).
 */
export function headLines(record: string | { readonly pieces: readonly string[] }, keep: ReadonlySet<string>): string {
  const names = [...keep].sort().join('|');
  let pattern = headPatterns.get(names);
  if (!pattern) headPatterns.set(names, (pattern = new RegExp(`^(?:${[...keep].map(escapeRegExp).join('|')}):[^\n]*(?:\n [^\n]*)*`, 'gim')));
  const pieces = typeof record === 'string' ? [record] : record.pieces;
  const first = pieces[0] ?? '';
  const [dnEnd] = lineEnd(first, 0);
  const lines = [first.slice(0, dnEnd)];
  pieces.forEach((piece, k) => {
    pattern.lastIndex = k === 0 ? dnEnd + 1 : 0;
    for (let m = pattern.exec(piece); m; m = pattern.exec(piece)) lines.push(m[0]);
  });
  return `${lines.join('\n')}\n`;
}

/** Parses content records held in one string. */
export function parseLdif(text: string, keep: ReadonlySet<string> | null = null): { entries: LdifEntry[]; errors: LdifSyntaxError[] } {
  const parser = new LdifParser(keep);
  for (const l of text.split('\n')) parser.push(l);
  return parser.end();
}

const SAFE_STRING = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/;

/** RFC 2849 SAFE-STRING, else base64. */
export function line(name: string, value: Scalar): string {
  const v = String(value);
  const text = v === '' ? `${name}:` : SAFE_STRING.test(v) && v.charCodeAt(v.length - 1) !== 32 ? `${name}: ${v}` : `${name}:: ${toBase64(v)}`;
  // Fold at 76 columns, as RFC 2849 allows; sliced in a loop, three times faster than a regular expression
  // over a group's 10,000 member DNs.
  if (text.length <= 76) return text;
  let out = text.slice(0, 76);
  for (let i = 76; i < text.length; i += 75) out += '\n ' + text.slice(i, i + 75);
  return out;
}

const values = (v: Scalar | Scalar[]) => (Array.isArray(v) ? v : [v]);

/**
 * The attributes as reading their record back gives them: text values, one
 * value as a scalar, no values as no attribute. What an export puts in the
 * directory is held this way, so an import in the same process and one that
 * parses the file agree (and so do their digests).
 */
export function asRecordHolds(attrs: Attributes): Attributes {
  const out: Attributes = {};
  for (const k in attrs) {
    const v = values(attrs[k]!);
    if (v.length) out[k] = v.length === 1 ? String(v[0]) : v.map(String);
  }
  return out;
}

/** Each attribute's lines after the `head` lines, joined: one array for the record, not one per attribute. */
function record(head: string[], attrs: Attributes): string {
  for (const k in attrs) {
    const v = attrs[k]!;
    if (Array.isArray(v)) for (const x of v) head.push(line(k, x));
    else head.push(line(k, v));
  }
  return head.join('\n') + '\n';
}

export function contentRecord(dn: string, attrs: Attributes): string {
  return record([line('dn', dn)], attrs);
}

export function addRecord(dn: string, attrs: Attributes): string {
  return record([line('dn', dn), 'changetype: add'], attrs);
}

export function modifyRecord(dn: string, changes: Readonly<Record<string, AttrChange>>): string {
  const parts = [line('dn', dn), 'changetype: modify'];
  for (const [k, c] of Object.entries(changes)) {
    if (c.op === 'replace') parts.push(`replace: ${k}`, ...(c.value === null ? [] : values(c.value).map((x) => line(k, x))), '-');
    else {
      if (c.add.length) parts.push(`add: ${k}`, ...c.add.map((x) => line(k, x)), '-');
      if (c.remove.length) parts.push(`delete: ${k}`, ...c.remove.map((x) => line(k, x)), '-');
    }
  }
  return parts.join('\n') + '\n';
}

export function modrdnRecord(dn: string, newDn: string): string {
  const [rdn, ...parent] = splitDn(newDn);
  const oldParent = splitDn(dn).slice(1).join(',');
  const newParent = parent.join(',');
  return [line('dn', dn), 'changetype: modrdn', line('newrdn', rdn ?? newDn), 'deleteoldrdn: 1', ...(newParent.toLowerCase() !== oldParent.toLowerCase() ? [line('newsuperior', newParent)] : [])].join('\n') + '\n';
}

export const deleteRecord = (dn: string) => `${line('dn', dn)}\nchangetype: delete\n`;
