/**
 * Reading the journal back when the store opens: the ops of committed
 * transactions, each with where its line is. Lines after the last commit (a
 * transaction cut short by a crash) are not returned; an unreadable line is
 * a torn tail if nothing follows it, and damage that stops the open if
 * something does.
 *
 * Only each object's last committed version is returned, in the order of
 * those versions: restoring a version that a later line replaces is wasted.
 * A delta at 100,000 people writes most objects it touches two to four
 * times (export, confirming import, sync), and the next open restored every
 * one. The last version is what restoring them all in order leaves: each
 * object's slot and indexes follow its own last version, a lookup by anchor
 * or DN is unset only by the object that holds it, and the order among the
 * versions kept is the journal's. A version that a later one replaces is
 * read only as far as which object it is of (`keyOfText`), as its object
 * never was; a last version that does not parse stops the open.
 */
import { decodeOp, encodeOp } from './op-codec.ts';
import type { SlotHead } from './op-lines.ts';
import { keyJson, lineOf, type Last, type LastVersions, type SavedLast } from './journal-last.ts';
import { RangeReader } from './file-ranges.ts';
import { lineChunks } from './line-reader.ts';
import type { Op } from './store-state.ts';

/**
 * A metaverse object's line named by its id alone (see HELD_BYTES), and
 * whether it is a patch (patch-lines.ts): read again when it is the object's
 * last version.
 */
export type MvHead = readonly ['mvline', string, boolean];

/** A metaverse object's last version named by its id and the values saved for its indexes (saved-index-values.ts): read only if they do not do. */
export type MvSaved = readonly ['mvsaved', string, string];

/**
 * An op, a connector slot read from its line's head alone, or a metaverse
 * line's id, with the offset and length of the op in the file; offset -1
 * for the earlier form, whole transactions in one line.
 */
export type Replayed = [Op | SlotHead | MvHead | MvSaved, number, number];

/**
 * A line kept as its text, parsed only if it turns out to be its object's
 * last version: a slot's head, or a whole metaverse object. After a 1% delta
 * at 100,000 people 8,600 of the journal's 11,900 lines are superseded, and
 * parsing each of them, and collecting what that made, took most of a scan.
 */
interface Unparsed { readonly key: string; readonly text: string; readonly slot: boolean; readonly line: number; readonly off: number; readonly saved?: string }
type Pending = [Replayed[0] | Unparsed, number, number];

/** `["slot",`: a line that starts with a connector slot's head. */
const SLOT = Buffer.from('["slot",');
const TAB = 9;
/**
 * Bytes of metaverse lines held (as text) until the journal's end (counted as
 * read, superseded ones too): a journal near its compaction holds far more
 * at 1,000,000 people than memory should.
 */
const HELD_BYTES = 64 * 2 ** 20;

/**
 * The JSON string whose opening quote is at `at` in `s`, and where it ends
 * (past its closing quote); null where there is none. Only a string with an
 * escape is parsed.
 */
function stringAt(s: string, at: number): [string, number] | null {
  if (s.charCodeAt(at) !== 34) return null;
  // Most strings hold no escape: the quote that ends them is found natively. A loop over every character
  // ran 200 million instructions of an open at 100,000 people under callgrind.
  const quote = s.indexOf('"', at + 1);
  if (quote < 0) return null;
  if (s.lastIndexOf('\\', quote) <= at) return [s.slice(at + 1, quote), quote + 1];
  let escaped = false;
  for (let i = at + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) { escaped = true; i++; }
    else if (c === 34) return [escaped ? (JSON.parse(s.slice(at, i + 1)) as string) : s.slice(at + 1, i), i + 1];
  }
  return null;
}

/**
 * The key (see `keyOf`) of a slot's head (`["slot",agent,type,[id`), of a
 * whole metaverse object's line (`["mv",id`) or of a patch's (`["mv~",id`),
 * read from the text without parsing it; null for any other line, or one
 * not shaped so (parsed then, and told damaged there if it is).
 */
export function keyOfText(text: string): { key: string; kind: 'slot' | 'mv' | 'mv~' } | null {
  if (text.startsWith('["slot",')) {
    const agent = stringAt(text, 8);
    const type = agent && text.charCodeAt(agent[1]) === 44 ? stringAt(text, agent[1] + 1) : null;
    const id = type && text.charCodeAt(type[1]) === 44 && text.charCodeAt(type[1] + 1) === 91 ? stringAt(text, type[1] + 2) : null;
    return agent && id ? { key: `c\0${agent[0]}\0${id[0]}`, kind: 'slot' } : null;
  }
  const patch = text.startsWith('["mv~",');
  if (!patch && !text.startsWith('["mv",')) return null;
  const id = stringAt(text, patch ? 7 : 6);
  return id && text.charCodeAt(id[1]) === 44 ? { key: `m\0${id[0]}`, kind: patch ? 'mv~' : 'mv' } : null;
}

/** Which object an op is a version of; each run record is its own. */
function keyOf(op: Replayed[0], n: number): string {
  switch (op[0]) {
    case 'slot': return `c\0${op[1]}\0${op[3][0]}`;
    case 'cs': return `c\0${op[1]}\0${op[2]}`;
    case 'mv':
    case 'mvline':
    case 'mvsaved': return `m\0${op[1]}`;
    case 'meta': return `k\0${op[1]}`;
    case 'run': return `r\0${n}`;
  }
}

/**
 * Replays the journal at `path`, giving `apply` each object's last committed
 * version: returns how many ops were committed, and the byte length of the
 * committed part. `chunkBytes`: how much is read at a time (a longer line
 * grows it), into one buffer that each chunk reuses: a chunk of 16 MB was
 * fresh memory the size of the journal, whose page faults cost the open
 * after a 1% delta at 100,000 people (a 12.6 MB journal) 0.06 s and 1,700
 * faults of its 0.43 s (median of 6 alternating runs each). `heldBytes`: see HELD_BYTES.
 * `seed`: the last versions journal.last saved of the journal's first bytes
 * (journal-last.ts); only the lines after them are read. `last`: the last
 * versions of the whole committed journal, as journal.last's lines.
 */
export async function replayJournal(path: string, apply: (r: Replayed) => void, chunkBytes = 2 ** 20, heldBytes = HELD_BYTES, seed: LastVersions | null = null): Promise<{ ops: number; committed: number; last: string[] }> {
  // What an earlier open saved of the journal's first bytes (journal-last.ts): only the lines after them are read.
  const latest = new Map<string, Pending>();
  let held = 0;
  let ops = seed?.ops ?? 0;
  let committed = seed?.committed ?? 0;
  let lineNo = 0;
  let torn: { line: number; off: number } | null = null;
  let pending: Pending[] = [];
  const damaged = (at: { line: number; off: number }) =>
    // Cutting the journal here would drop committed steps: leave it as it is and say where.
    new Error(`store: ${path} is damaged at ${seed ? `byte ${at.off}` : `line ${at.line} (byte ${at.off})`} and more lines follow; nothing was changed. Restore the file, or remove that line if the steps after it are to be kept`);
  // Line by line, as bytes: a journal may hold more than one string can, and most of its bytes are
  // connector objects that only their head is needed of. Decoding every line cost an open at 100,000
  // people 0.1 s and as much garbage as the journal's size, twice over (two-byte strings).
  for await (const { data, end, base } of lineChunks(path, chunkBytes, committed)) {
    // Lines end at each "\n" up to `end`; the file's last may have none.
    for (let from = 0; from < end; ) {
      const start = from;
      const nl = data.indexOf(10, start);
      const to = nl < 0 || nl > end ? end : nl;
      const off = base + start;
      const len = to - start;
      from = to + 1;
      lineNo++;
      if (!len || (len === 1 && data[to - 1] === 13)) continue;
      if (torn) throw damaged(torn);
      let rec: unknown;
      try {
        const tab = len > SLOT.length && data.compare(SLOT, 0, SLOT.length, start, start + SLOT.length) === 0 ? data.indexOf(TAB, start) : -1;
        // The object itself only where it is needed: a replay reads slots, as opening a snapshot does.
        const head = tab >= 0 && tab < to;
        // A "\r" before the line end is whitespace to JSON.
        const text = data.toString('utf8', start, head ? tab : to);
        const k = keyOfText(text);
        if (k?.kind === 'slot' && head) {
          pending.push([{ key: k.key, text, slot: true, line: lineNo, off }, off + tab + 1 - start, to - tab - 1]);
          continue;
        }
        // A metaverse object's line is read again if it is the last version: always for a patch (patch-lines.ts),
        // which needs the version it changes; for a whole one once those kept as text pass `heldBytes`.
        if (k && k.kind !== 'slot' && !head) {
          const id = k.key.slice(2);
          const later = k.kind === 'mv~' || (held += len) > heldBytes;
          pending.push([later ? ['mvline', id, k.kind === 'mv~'] : { key: k.key, text, slot: false, line: lineNo, off }, off, len]);
          continue;
        }
        rec = JSON.parse(text);
      } catch {
        torn = { line: lineNo, off }; // A torn last line, if nothing follows: that transaction never committed.
        continue;
      }
      if (Array.isArray(rec)) {
        // A metaverse line not shaped as `keyOfText` reads it: as before it, parsed.
        const mv = (rec[0] === 'mv' || rec[0] === 'mv~') && typeof rec[1] === 'string';
        const later = mv && (rec[0] === 'mv~' || (held += len) > heldBytes);
        pending.push([later ? ['mvline', rec[1] as string, rec[0] === 'mv~'] : decodeOp(rec), off, len]);
        continue;
      }
      const { ops: old, commit } = rec as { ops?: unknown[]; commit?: boolean };
      for (const op of old ?? []) pending.push([decodeOp(op), -1, 0]);
      if (!commit) continue;
      for (const r of pending) {
        const key = 'key' in r[0] ? r[0].key : keyOf(r[0], ops);
        ops++;
        // Deleted first, so that the version kept takes its place in the order.
        latest.delete(key);
        latest.set(key, r);
      }
      pending = [];
      committed = off + len + 1;
    }
  }
  const applyOne = ([op, o, l]: Pending) => {
    if (!('key' in op)) { apply([op, o, l]); return; }
    let parsed: unknown;
    try {
      parsed = JSON.parse(op.text);
    } catch {
      throw damaged(op); // a commit line follows it
    }
    const head = parsed as SlotHead;
    apply([op.slot ? (op.saved === undefined ? head : [head[0], head[1], head[2], head[3], op.saved]) : decodeOp(parsed as unknown[]), o, l]);
  };
  // The saved last versions first, as they come before every line read, but not those a line read replaces:
  // their keys are parsed only then. What journal.last will save again: their lines, then those of the lines read.
  const replaced = latest.size ? new Set([...latest.keys()].map(keyJson)) : null;
  const saved = seed ? seed.entries.filter((e) => !replaced?.has(e[1])) : [];
  const last: string[] = [];
  // Saved whole metaverse lines are read forward, a block at a time (they are in the journal's order), and parsed one
  // at a time: read one by one where each is, they added 40 ms to an open after a 1% delta at 100,000 people; all
  // read before any was applied, they raised the peak RSS of a delta after nine others by 45 MB.
  const reader = new RangeReader(path);
  try {
    for (const e of saved) {
      last.push(e[5]);
      applyOne(pendingOf(e, e[0] === 'm' && !e[4] ? textAt(reader, e[2], e[3]) : undefined));
    }
  } finally {
    reader.close();
  }
  for (const [key, p] of latest) {
    last.push(lineOf(lastOf(key, p)));
    applyOne(p);
  }
  return { ops, committed, last };
}

/** Bytes [off, off + len) as text; undefined past the file's end, for the line to be read where it is and told damaged there. */
function textAt(reader: RangeReader, off: number, len: number): string | undefined {
  try {
    return reader.text({ from: off, to: off + len });
  } catch {
    return undefined;
  }
}

/**
 * A saved last version as replay holds one: a slot's head, an op or a whole
 * metaverse line as text, a metaverse object's saved index values, else a
 * metaverse line by its id.
 */
function pendingOf([kind, keyJson, off, len, text]: SavedLast, mvText: string | undefined): Pending {
  if (kind === 's') {
    // The values its indexes hold may follow its head (journal-last.ts).
    const tab = text.indexOf('\t');
    return [tab < 0 ? { key: keyJson, text, slot: true, line: 0, off } : { key: keyJson, text: text.slice(0, tab), slot: true, line: 0, off, saved: text.slice(tab + 1) }, off, len];
  }
  if (kind === 'o') return [{ key: keyJson, text, slot: false, line: 0, off }, off, len];
  if (mvText !== undefined) return [{ key: keyJson, text: mvText, slot: false, line: 0, off }, off, len];
  const id = (JSON.parse(keyJson) as string).slice(2);
  return [kind === 'm' && text ? ['mvsaved', id, text] : ['mvline', id, kind === 'p'], off, len];
}

/** A last version as journal.last saves it: a metaverse line is read again from its place, unless it has none. */
function lastOf(key: string, [op, off, len]: Pending): Last {
  if ('key' in op) return op.slot ? ['s', key, off, len, op.text] : key.startsWith('m\0') && off >= 0 ? ['m', key, off, len, ''] : ['o', key, off, len, op.text];
  if (op[0] === 'mvline') return [op[2] ? 'p' : 'm', key, off, len, ''];
  if (op[0] === 'mvsaved') return ['m', key, off, len, op[2]];
  if (op[0] === 'mv' && off >= 0) return ['m', key, off, len, ''];
  // A connector slot is held as its text, never parsed here: any other op is.
  return ['o', key, off, len, JSON.stringify(encodeOp(op as Op))];
}
