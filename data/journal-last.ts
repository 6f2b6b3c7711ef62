/**
 * The journal's last versions as of one of its lengths, kept beside it
 * (`journal.last`): what opening would replay from the journal's first
 * `committed` bytes. Opening reads it and scans only the journal after them.
 *
 * Why: between two snapshots every delta's open scanned the whole journal
 * again, line by line, to learn which line is each object's last version.
 * At 100,000 people a delta writes about 12,000 lines (12.6 MB) for 4,200
 * objects. Opening after one delta took 0.371 s, now 0.290 s (medians of six
 * alternating runs). What each open applies is unchanged, one entry per
 * object changed since the snapshot, and that is most of what remains: the
 * open still grows with the journal's objects, not with its lines.
 *
 * A cache, never the truth. It names the snapshot generation, the journal
 * length it covers and a hash of the journal's last 64 KB before it, and a
 * hash of its own entries: any of these not matching, or the file unreadable,
 * and the journal is scanned from its start, as before. The journal only
 * grows between snapshots (a rollback or a torn tail is cut off after the
 * length an earlier open saw), and a snapshot empties it and moves the
 * generation, so a file that matches describes the journal's first bytes.
 * Damage in the journal before the last 64 KB it covers is found when the
 * damaged line is read, as in a snapshot's files, not at open.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { asciiText } from './ascii-json.ts';

/**
 * One object's last version in the journal: its kind, its key (see
 * journal-replay.ts), the place replay gives for it, and its text.
 * - `s`: a connector slot; the text is its head, the place the op after it;
 *   since format 2 maybe then a tab and the values its indexes hold for it (saved-index-values.ts).
 * - `m`, `p`: a metaverse line, whole or a patch, read again from its place; no text, or
 *   (`m`) the values its indexes hold for it.
 * - `o`: any other op (settings, run records, deletions); the text is its line.
 */
export type Last = readonly [kind: 's' | 'm' | 'p' | 'o', key: string, off: number, len: number, text: string];

/**
 * An entry read back from the file, with its key still as JSON (parsed only
 * where a later line may replace it) and its line, which the next save writes again.
 */
export type SavedLast = readonly [kind: Last[0], keyJson: string, off: number, len: number, text: string, line: string];

/** What `journal.last` holds once it is found to match the journal. */
export interface LastVersions {
  /** The journal's bytes it covers: replay goes on from here. */
  readonly committed: number;
  /** How many committed ops those bytes hold. */
  readonly ops: number;
  readonly entries: readonly SavedLast[];
}

/**
 * An entry as a line of the file. JSON never holds a raw tab or line end: the
 * key is JSON, the text a line of JSON or nothing. ASCII only (ascii-json.ts):
 * read back, one accented name made the whole file a two-byte string, held by
 * the lines the next save writes again. Joined, not concatenated: a flat
 * string, where a template's pieces stay a tree of them (twice the memory).
 */
export const lineOf = ([kind, key, off, len, text]: Last) => asciiText([kind, off, len, JSON.stringify(key), `${text}\n`].join('\t'));

/** A key as its line holds it (escaped as the whole line is): what a saved line is matched with, unparsed. */
export const keyJson = (key: string) => asciiText(JSON.stringify(key));

/** The object a key (see journal-replay.ts) names: a metaverse object's id (agent null), or a connector's agent and id; null for any other. */
export function objectOfKey(key: string): { readonly agent: string | null; readonly id: string } | null {
  if (key.startsWith('m\0')) return { agent: null, id: key.slice(2) };
  const at = key.indexOf('\0', 2);
  return key.startsWith('c\0') && at > 0 ? { agent: key.slice(2, at), id: key.slice(at + 1) } : null;
}

/** The key of an entry's line, as JSON. */
function keyJsonOf(line: string): string {
  let at = -1;
  for (let i = 0; i < 3; i++) at = line.indexOf('\t', at + 1);
  return line.slice(at + 1, line.indexOf('\t', at + 1));
}

/** 2: a slot's entry may carry its indexed values after a tab, which format 1's readers would read as its head. */
const FORMAT = 2;
const READS = [1, 2];
const TAIL = 64 * 1024;
const KINDS = new Set(['s', 'm', 'p', 'o']);

export const lastPath = (dir: string) => join(dir, 'journal.last');

/** A hash of the journal's bytes [max(0, at - TAIL), at); null where the journal is shorter than `at`. */
function tailHash(journal: string, at: number): string | null {
  let fd: number;
  try {
    fd = openSync(journal, 'r');
  } catch {
    return null;
  }
  try {
    const from = Math.max(0, at - TAIL);
    const buf = Buffer.allocUnsafe(at - from);
    return readSync(fd, buf, 0, buf.length, from) === buf.length ? createHash('sha1').update(buf).digest('hex') : null;
  } finally {
    closeSync(fd);
  }
}

/** The last versions saved in `dir` for snapshot `generation`, if they match its journal; null otherwise. */
export async function readLast(dir: string, journal: string, generation: number): Promise<LastVersions | null> {
  const bytes = await readFile(lastPath(dir)).catch(() => null);
  if (!bytes) return null;
  // The header is the last line: a file cut short has none.
  const nl = bytes.length > 0 && bytes[bytes.length - 1] === 10 ? bytes.lastIndexOf(10, bytes.length - 2) : -2;
  if (nl < -1) return null;
  try {
    const h = JSON.parse(bytes.toString('utf8', nl + 1)) as { format?: number; generation?: number; committed?: number; ops?: number; count?: number; tail?: string; sha1?: string };
    const body = bytes.subarray(0, nl + 1);
    if (!READS.includes(h.format ?? 0) || h.generation !== generation || !Number.isSafeInteger(h.committed) || !Number.isSafeInteger(h.ops)) return null;
    if (createHash('sha1').update(body).digest('hex') !== h.sha1 || tailHash(journal, h.committed!) !== h.tail) return null;
    const entries: SavedLast[] = [];
    const text = body.toString('utf8');
    for (let at = 0; at < text.length; ) {
      const end = text.indexOf('\n', at);
      const t1 = text.indexOf('\t', at);
      const t2 = text.indexOf('\t', t1 + 1);
      const t3 = text.indexOf('\t', t2 + 1);
      const t4 = text.indexOf('\t', t3 + 1);
      if (end < 0 || t1 < 0 || t2 < 0 || t3 < 0 || t4 < 0 || t4 > end) return null;
      const kind = text.slice(at, t1);
      const off = Number(text.slice(t1 + 1, t2));
      const len = Number(text.slice(t2 + 1, t3));
      if (!KINDS.has(kind) || !Number.isSafeInteger(off) || !Number.isSafeInteger(len)) return null;
      entries.push([kind as Last[0], text.slice(t3 + 1, t4), off, len, text.slice(t4 + 1, end), text.slice(at, end + 1)]);
      at = end + 1;
    }
    return entries.length === h.count ? { committed: h.committed!, ops: h.ops!, entries } : null;
  } catch {
    return null;
  }
}

/**
 * Saves the last versions of the journal's first `committed` bytes, renamed
 * into place whole, the header last: the lines are written and hashed a
 * megabyte at a time. Joined whole, the file was made three times over in
 * memory, and a delta's peak RSS after nine others at 100,000 people (a
 * 9 MB file) was 35 MB higher. Not fsync'd: a file lost or cut short by a
 * crash does not match, and the next open scans the journal.
 */
async function writeLast(dir: string, journal: string, generation: number, committed: number, ops: number, lines: readonly string[]): Promise<void> {
  const tail = tailHash(journal, committed);
  if (tail === null) return;
  const tmp = `${lastPath(dir)}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const hash = createHash('sha1');
    for (let i = 0; i < lines.length; ) {
      let chunk = '';
      while (i < lines.length && chunk.length < 2 ** 20) chunk += lines[i++];
      const bytes = Buffer.from(chunk);
      hash.update(bytes);
      writeSync(fd, bytes);
    }
    writeSync(fd, `${JSON.stringify({ format: FORMAT, generation, committed, ops, count: lines.length, tail, sha1: hash.digest('hex') })}\n`);
  } finally {
    closeSync(fd);
  }
  await rename(tmp, lastPath(dir));
}

/** An entry with the values its object's indexes hold: a metaverse object's as its text, a slot's after its head and a tab. */
const withSaved = (e: Last, values: string): Last => (!values ? e : [e[0], e[1], e[2], e[3], e[0] === 's' ? `${e[4]}\t${values}` : values]);

/** Removes the saved last versions: a snapshot has emptied the journal they describe. */
export async function removeLast(dir: string): Promise<void> {
  await rm(lastPath(dir), { force: true });
}

/**
 * Objects tracked at most. Past it (a full cycle writes every object), the
 * close compacts anyway; memory is not spent on a file that would not be written.
 */
const MAX_TRACKED = 2 ** 17;

/**
 * The journal's last versions kept up to date as the store writes, to be
 * saved at close. Those the open replayed are held as the file's lines, and
 * looked up only when saving: a Map of them as tuples doubled what opening a
 * journal of 20,000 objects kept in memory (3.1 to 6.2 MB, store-memory.test.ts).
 */
export class LastTracker {
  /** The open's last versions, as lines; null once there are too many to track. */
  #base: string[] | null = [];
  /** This run's committed ones, by key. */
  #run = new Map<string, Last>();
  #pending: Last[] = [];
  /** The journal length the saved file covers: while the journal is that long, nothing new to save. */
  #saved = -1;

  /** Starts from what the open replayed, as lines; `saved`: the journal length `journal.last` already covers. */
  reset(lines: string[], saved = -1): void {
    this.#base = lines.length > MAX_TRACKED ? null : lines;
    this.#run = new Map();
    this.#pending = [];
    this.#saved = saved;
  }

  /** An op just written, its body `body` at `off` (after its head `head`), `len` bytes; `index`: its number among the journal's ops. */
  put(op: readonly unknown[], index: number, head: string, body: string, off: number, len: number): void {
    if (!this.#base) return;
    // A transaction of a full sync writes hundreds of thousands of ops before its commit: not held until then.
    if (this.#base.length + this.#run.size + this.#pending.length >= MAX_TRACKED) return this.stop();
    const [kind, a, b] = op as [string, string, string];
    if (kind === 'cs') this.#pending.push(head ? ['s', `c\0${a}\0${b}`, off, len, head.slice(0, -1)] : ['o', `c\0${a}\0${b}`, off, len, body]);
    else if (kind === 'mv') this.#pending.push([body.startsWith('["mv~"') ? 'p' : 'm', `m\0${a}`, off, len, '']);
    else this.#pending.push(['o', kind === 'meta' ? `k\0${a}` : `r\0${index}`, off, len, body]);
  }

  /** The ops put since the last commit or abort are committed: each becomes its object's last version. */
  commit(): void {
    if (!this.#base) return;
    for (const e of this.#pending) {
      this.#run.delete(e[1]);
      this.#run.set(e[1], e);
    }
    this.#pending = [];
  }

  /** Until the next snapshot empties the journal: closing will compact, or the next open scans. */
  stop(): void {
    this.#base = null;
    this.#run = new Map();
    this.#pending = [];
  }

  abort(): void { this.#pending = []; }

  /**
   * Saves what the journal's first `committed` bytes (`ops` ops) hold, unless
   * tracking stopped or it is saved already. `saved`: the values the indexes
   * hold for an object, by its key, saved with its last version if a whole
   * metaverse object's or a connector slot's (saved-index-values.ts).
   */
  async save(dir: string, journal: string, generation: number, committed: number, ops: number, saved: (key: string) => string = () => ''): Promise<void> {
    if (!this.#base || committed === this.#saved || committed === 0) return;
    // The open's last versions that this run did not replace, in their order, then this run's.
    const replaced = new Set([...this.#run.keys()].map(keyJson));
    const ran = [...this.#run.values()].map((e) => lineOf(e[0] === 'm' || e[0] === 's' ? withSaved(e, saved(e[1])) : e));
    const lines = [...(replaced.size ? this.#base.filter((l) => !replaced.has(keyJsonOf(l))) : this.#base), ...ran];
    // Only a cache: one that cannot be written (a full disk, a store opened read-only) leaves the next open to scan.
    if (!(await writeLast(dir, journal, generation, committed, ops, lines).then(() => true, () => false))) return;
    this.#base = lines;
    this.#run = new Map();
    this.#saved = committed;
  }
}
