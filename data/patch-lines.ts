/**
 * Journal lines that give a large object's new version as changes to the
 * version before (object-patch.ts), and reading them back. A line names
 * the place of the version it changes, `["cs~", agent, id, [file, off, len],
 * patch]` or `["mv~", id, [file, off, len], patch]`: always an earlier line
 * of the journal or of the snapshot, durable before it. Reading follows the
 * chain to a whole version, at most MAX_CHAIN lines back; a snapshot writes
 * every object whole, so no chain outlives the files it names. A version
 * is patched only while the whole line it comes from is long (MIN_BYTES).
 *
 * Only while the version before is still parsed in memory (the step read it,
 * or wrote it): its fields are compared by identity, so the diff costs what
 * changed, and no version is read back to write a patch.
 */
import type { CsObject, MvObject } from './objects.ts';
import { applyPatch, diffObject, isEmpty, type Patch } from './object-patch.ts';
import { decodeOp, encodeOp } from './op-codec.ts';
import { opBody } from './op-lines.ts';
import { unpackLists } from './short-lists.ts';
import { IN_MEMORY, type Slot } from './slot.ts';
import type { Op } from './store-state.ts';

/** Objects whose line was shorter than this are written whole: a patch would save little. */
const MIN_BYTES = 16 * 1024;
/** A chain longer than this is cut by writing the object whole. */
const MAX_CHAIN = 8;

type Place = readonly [number, number, number];
interface Base { readonly place: Place; readonly obj: object }
/** A line as parsed, before its patches are followed. */
type Raw = readonly unknown[];

const isPatchLine = (raw: Raw): boolean => raw[0] === 'cs~' || raw[0] === 'mv~';

export class PatchLines {
  /** The version each slot written since replaces, while that version is in memory. */
  readonly #bases = new WeakMap<Slot<unknown>, Base>();
  /** Of each large version in memory reached through patches: how many lead to it from a whole line, and that line's length. */
  readonly #chain = new WeakMap<object, { readonly chain: number; readonly size: number }>();

  /** `slot` holds a new version of the object `prev` held: a patch can be written against it. */
  track(prev: Slot<unknown> | undefined, slot: Slot<unknown>): void {
    const obj = prev?.obj;
    if (!prev || typeof obj !== 'object' || obj === null || prev === slot) return;
    // Replaced again before it was written: the version before it is still the one on disk.
    const base = prev.file === IN_MEMORY ? this.#bases.get(prev) : (this.#chain.get(obj)?.size ?? prev.len) >= MIN_BYTES ? { place: [prev.file, prev.off, prev.len] as const, obj } : undefined;
    if (base) this.#bases.set(slot, base);
  }

  /** The op's line: as a patch of the version before when there is one and it is small, else whole. */
  body(op: Op, slot: Slot<unknown> | undefined): string {
    const base = slot && this.#bases.get(slot);
    const obj = op[0] === 'cs' ? op[3] : op[0] === 'mv' ? op[2] : null;
    // The same object put again may have been changed in place: only a copy is compared with what it copies.
    if (!base || !obj || base.obj === obj || (op[0] !== 'cs' && op[0] !== 'mv')) return opBody(op);
    const root = this.#chain.get(base.obj) ?? { chain: 0, size: base.place[2] };
    const whole = () => { const line = opBody(op); this.#chain.set(obj, { chain: 0, size: line.length }); return line; };
    if (root.chain >= MAX_CHAIN) return whole();
    const before = recordOf(encodeOp(op[0] === 'cs' ? ['cs', op[1], op[2], base.obj as CsObject] : ['mv', op[1], base.obj as MvObject]) as Raw);
    const patch = diffObject(before, recordOf(encodeOp(op) as Raw));
    const line = JSON.stringify(op[0] === 'cs' ? ['cs~', op[1], op[2], base.place, patch] : ['mv~', op[1], base.place, patch]);
    // A patch near the size of the object saves nothing, and costs a read of the version before.
    if (line.length * 4 > root.size && !isEmpty(patch)) return whole();
    this.#chain.set(obj, { chain: root.chain + 1, size: root.size });
    return line;
  }

  /** The op of a line as parsed, following its patches through `read` (which parses the line at a place). */
  op(raw: Raw, read: (file: number, off: number, len: number) => Raw): Op {
    const patches: Patch[] = [];
    let at = raw;
    let size = 0;
    while (isPatchLine(at)) {
      if (patches.length > MAX_CHAIN) throw new Error(`a chain of more than ${MAX_CHAIN} patches`);
      const cs = at[0] === 'cs~';
      patches.push(at[cs ? 4 : 3] as Patch);
      const [file, off, len] = at[cs ? 3 : 2] as Place;
      at = read(file, off, len);
      size = len;
    }
    if (!patches.length) return decodeOp(raw);
    let record = recordOf(at);
    // The patches' list changes are of lists: a connector's lists written as one string are split first (short-lists.ts).
    if (at[0] === 'cs') unpackLists(record['hologram']);
    for (let i = patches.length - 1; i >= 0; i--) record = applyPatch(record, patches[i]!);
    const op = decodeOp(raw[0] === 'cs~' ? ['cs', raw[1], raw[2], record] : ['mv', raw[1], record]);
    const obj = op[0] === 'cs' ? op[3] : op[0] === 'mv' ? op[2] : null;
    if (obj) this.#chain.set(obj, { chain: patches.length, size });
    return op;
  }
}

/** Whether a line (its first bytes, as text) is a patch: a snapshot writes its object whole instead. */
export const startsPatch = (head: string): boolean => head.startsWith('["cs~"') || head.startsWith('["mv~"');

/** The object's record in an encoded op: ['cs', agent, id, record] or ['mv', id, record]. */
function recordOf(raw: Raw): Record<string, unknown> {
  const r = raw[0] === 'cs' ? raw[3] : raw[2];
  if (typeof r !== 'object' || r === null) throw new Error('a patch of a version that holds no object');
  return r as Record<string, unknown>;
}
