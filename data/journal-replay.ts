/**
 * Reading the journal back when the store opens: the ops of committed
 * transactions, in order, each with where its line is. Lines after the last
 * commit (a transaction cut short by a crash) are not returned; an
 * unreadable line is a torn tail if nothing follows it, and damage that
 * stops the open if something does.
 */
import { decodeOp } from './op-codec.ts';
import { opStart, slotHead, type SlotHead } from './op-lines.ts';
import { readLineBatchesAt } from './line-reader.ts';
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

/** Replays the journal at `path`: returns how many ops were committed, and the byte length of the committed part. */
export async function replayJournal(path: string, h: ReplayHandlers): Promise<{ ops: number; committed: number }> {
  let ops = 0;
  let at = 0;
  let committed = 0;
  let lineNo = 0;
  let torn: { line: number; off: number } | null = null;
  let pending: Replayed[] = [];
  // Line by line: a journal may hold more than one string can.
  for await (const { lines, starts } of readLineBatchesAt(path)) {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const off = starts[i]!;
      // Byte lengths from where the reader found the lines: measuring every line cost 0.08 s of an open replaying 49 MB.
      // A batch's last line may be the file's, without a line end: that one is measured.
      const len = i + 1 < lines.length ? starts[i + 1]! - off - 1 : Buffer.byteLength(line);
      at = off + len + 1;
      lineNo++;
      if (!line) continue;
      if (torn) {
        // Cutting the journal here would drop committed steps: leave it as it is and say where.
        throw new Error(`store: ${path} is damaged at line ${torn.line} (byte ${torn.off}) and more lines follow; nothing was changed. Restore the file, or remove that line if the steps after it are to be kept`);
      }
      let rec: unknown;
      let skip = 0; // the head's bytes: a slot names the op after it
      try {
        const start = opStart(line);
        const head = slotHead(line, start);
        if (head) skip = Buffer.byteLength(line.slice(0, start));
        // The object itself only where it is needed: a replay reads slots, as opening a snapshot does.
        if (head && !h.needsObject(head)) { pending.push([head, off + skip, len - skip]); continue; }
        rec = JSON.parse(start ? line.slice(start) : line);
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
      committed = at;
    }
  }
  return { ops, committed };
}
