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
 * versions kept is the journal's.
 */
import { decodeOp } from './op-codec.ts';
import type { SlotHead } from './op-lines.ts';
import { lineChunks } from './line-reader.ts';
import type { Op } from './store-state.ts';

/**
 * A metaverse object's line named by its id alone (see HELD_BYTES), and
 * whether it is a patch (patch-lines.ts): read again when it is the object's
 * last version.
 */
export type MvHead = readonly ['mvline', string, boolean];

/**
 * An op, a connector slot read from its line's head alone, or a metaverse
 * line's id, with the offset and length of the op in the file; offset -1
 * for the earlier form, whole transactions in one line.
 */
export type Replayed = [Op | SlotHead | MvHead, number, number];

/** `["slot",`: a line that starts with a connector slot's head. */
const SLOT = Buffer.from('["slot",');
const TAB = 9;
/**
 * Bytes of metaverse lines held parsed until the journal's end (counted as
 * read, superseded ones too): a journal near its compaction holds far more
 * at 1,000,000 people than memory should.
 */
const HELD_BYTES = 64 * 2 ** 20;

/** Which object an op is a version of; each run record is its own. */
function keyOf(op: Replayed[0], n: number): string {
  switch (op[0]) {
    case 'slot': return `c\0${op[1]}\0${op[3][0]}`;
    case 'cs': return `c\0${op[1]}\0${op[2]}`;
    case 'mv':
    case 'mvline': return `m\0${op[1]}`;
    case 'meta': return `k\0${op[1]}`;
    case 'run': return `r\0${n}`;
  }
}

/**
 * Replays the journal at `path`, giving `apply` each object's last committed
 * version: returns how many ops were committed, and the byte length of the
 * committed part. `chunkBytes`: how much is read at a time; `heldBytes`: see HELD_BYTES.
 */
export async function replayJournal(path: string, apply: (r: Replayed) => void, chunkBytes = 16 * 2 ** 20, heldBytes = HELD_BYTES): Promise<{ ops: number; committed: number }> {
  const latest = new Map<string, Replayed>();
  let held = 0;
  let ops = 0;
  let committed = 0;
  let lineNo = 0;
  let torn: { line: number; off: number } | null = null;
  let pending: Replayed[] = [];
  // Line by line, as bytes: a journal may hold more than one string can, and most of its bytes are
  // connector objects that only their head is needed of. Decoding every line cost an open at 100,000
  // people 0.1 s and as much garbage as the journal's size, twice over (two-byte strings).
  for await (const { data, end, base } of lineChunks(path, chunkBytes)) {
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
      if (torn) {
        // Cutting the journal here would drop committed steps: leave it as it is and say where.
        throw new Error(`store: ${path} is damaged at line ${torn.line} (byte ${torn.off}) and more lines follow; nothing was changed. Restore the file, or remove that line if the steps after it are to be kept`);
      }
      let rec: unknown;
      try {
        const tab = len > SLOT.length && data.compare(SLOT, 0, SLOT.length, start, start + SLOT.length) === 0 ? data.indexOf(TAB, start) : -1;
        if (tab >= 0 && tab < to) {
          // The object itself only where it is needed: a replay reads slots, as opening a snapshot does.
          pending.push([JSON.parse(data.toString('utf8', start, tab)) as SlotHead, off + tab + 1 - start, to - tab - 1]);
          continue;
        }
        // A "\r" before the line end is whitespace to JSON.
        rec = JSON.parse(data.toString('utf8', start, to));
      } catch {
        torn = { line: lineNo, off }; // A torn last line, if nothing follows: that transaction never committed.
        continue;
      }
      if (Array.isArray(rec)) {
        // A metaverse object's line is read again if it is the last version: always for a patch (patch-lines.ts),
        // which needs the version it changes; for a whole one once those kept parsed pass `heldBytes`.
        const mv = (rec[0] === 'mv' || rec[0] === 'mv~') && typeof rec[1] === 'string';
        const later = mv && (rec[0] === 'mv~' || (held += len) > heldBytes);
        pending.push([later ? ['mvline', rec[1] as string, rec[0] === 'mv~'] : decodeOp(rec), off, len]);
        continue;
      }
      const { ops: old, commit } = rec as { ops?: unknown[]; commit?: boolean };
      for (const op of old ?? []) pending.push([decodeOp(op), -1, 0]);
      if (!commit) continue;
      for (const r of pending) {
        const key = keyOf(r[0], ops++);
        // Deleted first, so that the version kept takes its place in the order.
        latest.delete(key);
        latest.set(key, r);
      }
      pending = [];
      committed = off + len + 1;
    }
  }
  for (const r of latest.values()) apply(r);
  return { ops, committed };
}
