/**
 * Reading the journal back when the store opens: the ops of committed
 * transactions, in order, each with where its line is. Lines after the last
 * commit (a transaction cut short by a crash) are not returned; an
 * unreadable line is a torn tail if nothing follows it, and damage that
 * stops the open if something does.
 */
import { decodeOp } from './op-codec.ts';
import type { SlotHead } from './op-lines.ts';
import { lineChunks } from './line-reader.ts';
import type { Op } from './store-state.ts';

/**
 * An op, or a connector slot read from its line's head alone, with the
 * offset and length of the op in the file; offset -1 for the earlier form,
 * whole transactions in one line.
 */
export type Replayed = [Op | SlotHead, number, number];

export interface ReplayHandlers {
  /** Whether a connector slot needs its object parsed to be restored (a value index covers its type). */
  readonly needsObject: (head: SlotHead) => boolean;
  /** One committed transaction. */
  readonly commit: (ops: readonly Replayed[]) => void;
}

/** `["slot",`: a line that starts with a connector slot's head. */
const SLOT = Buffer.from('["slot",');
const TAB = 9;

/**
 * Replays the journal at `path`: returns how many ops were committed, and the
 * byte length of the committed part. `chunkBytes`: how much is read at a time.
 */
export async function replayJournal(path: string, h: ReplayHandlers, chunkBytes = 16 * 2 ** 20): Promise<{ ops: number; committed: number }> {
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
      let skip = 0; // the head's bytes: a slot names the op after it
      try {
        const tab = len > SLOT.length && data.compare(SLOT, 0, SLOT.length, start, start + SLOT.length) === 0 ? data.indexOf(TAB, start) : -1;
        if (tab >= 0 && tab < to) {
          const head = JSON.parse(data.toString('utf8', start, tab)) as SlotHead;
          skip = tab + 1 - start;
          // The object itself only where it is needed: a replay reads slots, as opening a snapshot does.
          if (!h.needsObject(head)) { pending.push([head, off + skip, len - skip]); continue; }
        }
        // A "\r" before the line end is whitespace to JSON.
        rec = JSON.parse(data.toString('utf8', start + skip, to));
      } catch {
        torn = { line: lineNo, off }; // A torn last line, if nothing follows: that transaction never committed.
        continue;
      }
      if (Array.isArray(rec)) { pending.push([decodeOp(rec), off + skip, len - skip]); continue; }
      const { ops: old, commit } = rec as { ops?: unknown[]; commit?: boolean };
      for (const op of old ?? []) pending.push([decodeOp(op), -1, 0]);
      if (!commit) continue;
      h.commit(pending);
      ops += pending.length;
      pending = [];
      committed = off + len + 1;
    }
  }
  return { ops, committed };
}
