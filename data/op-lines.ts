/**
 * An op as a line of the store's files (journal and snapshot objects).
 *
 * A connector-space object's line starts with its slot, as a catalog row,
 * then a tab, then the op: replaying a journal reads the slot and parses the
 * object only where a value index of its type needs its values. At 100,000
 * people a delta cycle journals each department group four times (export,
 * confirmation, import, sync) at about 1.6 MB a line, and every later open
 * parsed them all to learn a few fields. JSON never holds a raw tab, so the
 * first tab ends the slot; lines without one are the op alone, as earlier
 * stores wrote them. An object's slot names where its op starts, after the
 * head, so reading it or copying it into a snapshot skips the head. A damaged
 * object in the journal is found when it is read (the error names the file
 * and byte), not when the store opens.
 */
import { csSlot, pendingOf, type CsSlot } from './connector-space.ts';
import { asciiText } from './ascii-json.ts';
import { chunkedJson, LARGE_STRING } from './chunked-json.ts';
import { encodeOp } from './op-codec.ts';
import { packHologram } from './short-lists.ts';
import { csRow, type CsRow } from './snapshot-files.ts';
import type { Op } from './store-state.ts';

/** ['slot', agent, objectType, the catalog row without a place (offset and length 0)], and (journal.last's) the values its indexes hold. */
export type SlotHead = readonly ['slot', string, string, CsRow, string?];

/**
 * Lines at least this long are written ASCII only (ascii-json.ts). Such a
 * line is written whole rarely, as later versions are patches of it
 * (patch-lines.ts), and read back whole at each: a directory group of 10,000
 * members with one accented name decoded and parsed in 6.7 ms, against 2.6 ms
 * escaped (0.93 MB); escaping it costs 4 to 6 ms once (measured).
 */
const ASCII_FROM = 16 * 1024;

/** The op alone, as a snapshot's object file holds it (its catalog holds the slots). */
export function opBody(op: Op): string {
  const encoded = encodeOp(op);
  // A connector's long lists of short strings as one string each (short-lists.ts).
  if (op[0] === 'cs') packHologram(encoded);
  let line = JSON.stringify(encoded);
  // Read back a piece at a time once as long as V8's large strings (chunked-json.ts): made again, cut, where it is.
  if (line.length >= LARGE_STRING) line = chunkedJson(encoded);
  return line.length >= ASCII_FROM ? asciiText(line) : line;
}

/**
 * What a journal line holds before the op: a connector object's slot and a
 * tab, or nothing. `slot`: the one the store made for the object when it put
 * it, if at hand, rather than making another.
 */
export function opHead(op: Op, slot?: CsSlot): string {
  if (op[0] !== 'cs' || !op[3]) return '';
  const o = op[3];
  slot ??= csSlot(o);
  const { importing, exporting } = pendingOf(o);
  const head: SlotHead = ['slot', op[1], o.objectType, csRow(op[2], slot, importing, exporting, 0, 0, slot.pendingDelete === true)];
  return `${JSON.stringify(head)}\t`;
}
