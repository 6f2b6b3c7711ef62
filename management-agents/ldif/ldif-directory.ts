/**
 * The LDIF file as a directory held in memory between batches, indexed by DN
 * and anchor. Changes are journaled per batch and the file is rewritten, or
 * patched in place, once per export step (JournaledFile, ldif-layout.ts): an
 * entry read from the file and not changed since stays as it is there, and
 * only changed entries are serialised again.
 *
 * Loading reads the index saved beside the file at its last rewrite, in place
 * (ldif-index-file.ts): DNs, anchors, places in the file and the values
 * `hasValue` checks, nothing held per entry; and the rows patches changed
 * since, saved beside it (ldif-index-overlay.ts). Without one it scans the file,
 * keeping of each entry only what the indexes need. An entry is read whole
 * when it is used: an export that changes 1% of a large directory reads 1% of it.
 */
import { applyChanges } from '../../data/objects.ts';
import { readLineBatchesAt, type LineBatch } from '../../data/line-reader.ts';
import type { FilePatch, FilePiece, JournalEntry } from '../file-journal.ts';
import { RangeReader, type FileRange } from '../../data/file-ranges.ts';
import { AgentError } from '../errors.ts';
import { fileStamp } from '../journaled-file.ts';
import { asRecordHolds, contentRecord, feed, headLines, LdifParser, parseLdif, type LdifEntry, type LdifSyntaxError } from './ldif-format.ts';
import { LdifIndex, writeIndexFile } from './ldif-index-file.ts';
import { nextIndex } from './ldif-index-next.ts';
import { dropOverlay, overlayOf, readOverlay, writeOverlay } from './ldif-index-overlay.ts';
import { LdifSlots, type Edit, type Saved, type Slot } from './ldif-slots.ts';
import { blank, patchOf, rewrite, writesOf, type Piece, type SpanOf } from './ldif-layout.ts';
import { editable, editText, laidOver, parseText, withoutRoom, withRoom, type Dirty } from './ldif-edit.ts';
import { readRecord, type RecordText } from './ldif-record-text.ts';

export class LdifDirectory extends LdifSlots {
  /** Each slot's place in the file being written, until it is in place. */
  private nextSpans: SpanOf = () => null;
  errors: LdifSyntaxError[] = [];
  /** Attributes (lower case) that loading keeps of each entry. */
  private readonly kept: Set<string>;
  /** Of those, the ones `hasValue` answers for (lower case). */
  private readonly checked = new Set<string>();
  private readonly reader: RangeReader;

  /** @param indexed attributes `anchorOf` reads: they are kept of each entry when loading. */
  constructor(path: string, anchorOf: (e: LdifEntry) => string, agent: string, indexed: readonly string[]) {
    super(path, anchorOf, agent);
    this.kept = new Set(indexed.map((a) => a.toLowerCase()));
    this.reader = new RangeReader(path);
  }

  /** Keeps `attribute` of each entry from the first load on; once loaded, `keep` does it. */
  expect(attribute: string): void {
    if (this.loaded()) return;
    this.kept.add(attribute.toLowerCase());
    this.checked.add(attribute.toLowerCase());
  }

  /**
   * Keeps `attribute` of each entry, so that `hasValue` can answer for it.
   * Once loaded, the file is read again for that attribute alone.
   */
  async keep(attribute: string): Promise<void> {
    const a = attribute.toLowerCase();
    if (this.checked.has(a)) return;
    this.checked.add(a);
    const kept = this.kept.has(a);
    this.kept.add(a);
    // Not loaded yet, or loaded from an index without its values: the next load reads the file for it.
    if (this.base || !(await this.current())) { this.invalidate(); return; }
    // Every slot holds it already.
    if (kept) return;
    await this.named(async () => {
      // No file yet: every entry is in memory, whole.
      if ((await fileStamp(this.path)) === 'none') return;
      // An entry edited as text is not where the file has it: read whole from its text.
      this.slots.forEach((s) => { if (s?.entry.partial && (s.text !== null || s.dirty)) this.whole(s); });
      const parser = new LdifParser(new Set([a]));
      // The file's end closes the last record's span: without it, the last entry would not match its slot.
      for (const read of parser.end(await feed(parser, readLineBatchesAt(this.path))).entries) {
        const s = this.slots[this.indexOfDn(read.dn.toLowerCase()) ?? -1];
        // Entries changed since they were read hold all their attributes already.
        if (s?.entry.partial && s.span?.from === read.span?.from) s.entry = { ...s.entry, attrs: { ...s.entry.attrs, ...read.attrs } };
      }
      // Changed while it was read: the values may belong to another version of the file.
      if (!(await this.current())) this.invalidate();
    });
  }

  protected async parse(batches: AsyncIterable<LineBatch>, stamp: string): Promise<void> {
    this.reader.close();
    // The index this agent saved when it last wrote the file, and the rows patches changed since, if the file is still as written.
    const over = stamp === 'none' ? null : await readOverlay(this.path, stamp, this.kept);
    const indexed = stamp === 'none' ? null : await LdifIndex.read(this.path, over?.base ?? stamp, this.kept, this.checked);
    // Without one, the file itself is read for what loading keeps.
    const parser = new LdifParser(this.kept);
    const { entries, errors } = indexed ? { entries: [], errors: [] } : parser.end(await feed(parser, batches));
    this.errors = errors;
    this.adopt(indexed);
    if (indexed && over) this.restore(over.rows);
    for (const e of entries) this.put(e, null);
  }

  protected replay(j: JournalEntry<Saved, Edit>): void {
    if ('remove' in j) this.remove(j.remove);
    else if ('put' in j) this.put({ dn: j.put.dn, attrs: asRecordHolds(j.put.attrs), line: 0 }, j.from ?? j.key);
    else {
      // Found by its anchor, under the name it had before or has since; gone from a file folded since, a later entry removed it.
      const at = this.indexOfAnchor(j.anchor);
      const s = at === undefined ? null : this.slotAt(at);
      if (!s) return;
      const e = this.whole(s);
      this.put({ dn: j.key, attrs: asRecordHolds(applyChanges(e.attrs, j.edit)), line: 0 }, e.dn);
    }
  }

  /** Slot `i` for the file's layout: its place in the file while unchanged there, else its text; null when removed. */
  private readonly pieceAt = (i: number): Piece => {
    const s = this.slots[i];
    if (s?.dirty) return this.textNow(s)!;
    return s ? s.span ?? (s.text ??= withRoom(contentRecord(s.entry.dn, s.entry.attrs))) : this.spanAt(i);
  };

  /** The slot's text as it is now: one edited in place holds its changed ranges, laid over its bytes in the file. */
  private readonly textNow = (s: Slot) => s.text ?? (s.dirty && s.span ? laidOver(this.reader.text(s.span), s.dirty) : null);

  protected *serialize(): Iterable<FilePiece> {
    const spans: (FileRange | null)[] = [];
    yield* rewrite(this.slots.length, this.pieceAt, spans);
    this.nextSpans = (i) => spans[i] ?? null;
  }

  /** In place, when an index says where every entry is (ldif-layout.ts). */
  protected override patch(size: number): FilePatch | null {
    const base = this.base;
    const rows = this.setRows();
    // An entry edited in place stays where it is, its changed ranges written there.
    const plan = base && patchOf(rows, (i) => (this.slots[i]?.dirty ? this.slots[i]!.span : this.pieceAt(i)), base.liveBytes(rows), size, this.dead);
    if (!plan) return null;
    // The rest stay where the index has them.
    this.nextSpans = (i) => (plan.moved.has(i) ? plan.moved.get(i)! : i < base.size ? base.span(i) : null);
    return { ...plan.patch, writes: writesOf(rows.map((i) => this.slots[i])) };
  }

  protected override filler(length: number): Buffer { return blank(length); }

  /**
   * The file now holds every entry. After a patch that changed few rows the
   * index stays and those rows are saved beside it (`overlaid`); otherwise
   * its new index becomes the slots (later rewrites copy each entry from
   * where it now is), and is saved for the next process.
   */
  protected override async written(stamp: string, patched: boolean): Promise<void> {
    this.reader.close();
    const spans = this.nextSpans;
    this.nextSpans = () => null;
    this.dead = [];
    // A patch keeps every row's number: the index can stay, with the changed rows beside it.
    if (patched && (await this.overlaid(stamp, spans))) return;
    const { writer, rowOf } = nextIndex(this.base, this.slots, spans, this.anchorOf, this.kept, this.checked);
    const parts = writer.toParts(stamp);
    const index = LdifIndex.ofParts(this.path, parts.head, parts.tables);
    if (rowOf.some((row, i) => row >= 0 && row !== i)) this.renumber(index, rowOf, spans);
    else {
      // Rows are where the slots were: entries held whole stay, at their new places, and the maps stay right.
      this.replaceBase(index);
      this.values.clear();
      this.slots.forEach((s, i) => {
        if (s?.entry.partial) this.slots[i] = undefined;
        else if (s) Object.assign(s, { span: spans(i), text: null, over: false, dirty: undefined });
      });
    }
    // Only a cache: an index that cannot be written (a full disk, say) leaves the next load to read the file.
    await writeIndexFile(this.path, parts).catch(() => undefined);
    await dropOverlay(this.path).catch(() => undefined);
  }

  /**
   * After a patch, while few rows changed since the index was saved: the
   * index stays, and the changed rows are saved beside it (ldif-index-overlay.ts).
   */
  private async overlaid(stamp: string, spans: SpanOf): Promise<boolean> {
    const rows = this.base && overlayOf(this.base, this.slots, spans, this.kept);
    if (!this.base || !rows) return false;
    this.slots.forEach((s, i) => {
      if (s) Object.assign(s, { span: spans(i), text: null, over: s.over || !s.span, dirty: undefined });
    });
    // Only a cache: one that cannot be written leaves the next load the file (the old overlay names the old file).
    await writeOverlay(this.path, { base: this.base.head.stamp, stamp, kept: [...this.kept], rows }).catch(() => undefined);
    return true;
  }

  /** Starts from `index`, built afresh without removed rows: entries held whole stay in memory, at their new rows. */
  private renumber(index: LdifIndex, rowOf: Int32Array, spans: SpanOf): void {
    const held = this.slots;
    this.adopt(index);
    held.forEach((s, i) => {
      const row = rowOf[i] ?? -1;
      const span = s && !s.entry.partial && row >= 0 ? spans(i) : null;
      if (s && span) this.hold(row, s.entry, span);
    });
  }

  /**
   * Adds, replaces or renames (from `previousDn`) an entry, to be journaled by
   * `commit`: as `edit`, the changes that made it from the entry of the same
   * anchor, when given; else whole.
   */
  change(changed: LdifEntry, previousDn: string | null, edit?: Edit): void {
    const e = { ...changed, attrs: asRecordHolds(changed.attrs) };
    this.put(e, previousDn);
    this.queue(edit ? { edit, key: e.dn, anchor: this.anchorOf(e) } : { put: { dn: e.dn, attrs: e.attrs }, key: e.dn, ...(previousDn !== null ? { from: previousDn } : {}) });
  }

  /** Deletes an entry, to be journaled by `commit`. */
  delete(dn: string): void {
    this.remove(dn);
    this.queue({ remove: dn });
  }

  /** Every entry, whole, read from the file in its order. */
  *entries(): Iterable<LdifEntry> {
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slotAt(i);
      if (s) yield this.whole(s);
    }
  }

  find(q: { dn?: string | undefined; anchor?: string | null | undefined }): LdifEntry | undefined {
    const i = q.anchor ? this.indexOfAnchor(q.anchor) : q.dn ? this.indexOfDn(q.dn.toLowerCase()) : undefined;
    const s = i === undefined ? null : this.slotAt(i);
    return s ? this.whole(s) : undefined;
  }

  /**
   * Adds and deletes values of the entry with this anchor as text (ldif-edit.ts),
   * journaled as `edit`; its head (ldif-directory's `head`), or undefined where
   * it must be changed whole: an entry held whole, a change to an attribute
   * loading keeps, or one its record's text cannot decide.
   */
  editValues(anchor: string, changes: Edit): LdifEntry | undefined {
    // Decided from the changes first: most updates replace values, and go whole without a lookup here.
    if (!editable(changes)) return undefined;
    for (const k in changes) if (this.kept.has(k.toLowerCase())) return undefined;
    const i = this.indexOfAnchor(anchor);
    const s = i === undefined ? null : this.slotAt(i);
    if (i === undefined || !s?.entry.partial || (!s.span && s.text === null)) return undefined;
    const before = this.textNow(s) ?? readRecord((take) => this.reader.read(s.span!, take)); // in pieces: ldif-record-text.ts
    // In place where the record has room (ASCII, as this agent writes it: a character is a byte); else written anew, with room.
    const edited = editText(before, changes, !!s.span && before.length === s.span.to - s.span.from);
    if (!edited) return undefined;
    const { text, dirty } = edited;
    const head = this.headOf(s, before);
    if (!dirty) this.bury(i);
    // Counted as a set slot now: the index no longer answers value checks for its row.
    this.values.add(this.slots[i]?.entry, -1);
    this.values.add(head, 1);
    // Saved in the overlay with its kept attributes, as a moved entry is: the next process reads its head there, not from its megabyte.
    this.hold(i, head, dirty ? s.span : null, !!dirty);
    // In place, only the changed ranges are kept (`textNow`): the text, kept till the write, was promoted. Edited
    // again: the ranges of the edits before hold what the text holds now.
    this.slots[i]!.text = dirty ? null : withRoom(withoutRoom(text));
    if (dirty) this.slots[i]!.dirty = [...(s.dirty ?? []).map(([a, b]): Dirty => [a, b, text.slice(a, b)]), ...dirty];
    this.queue({ edit: changes, key: head.dn, anchor });
    return head;
  }

  /** The entry as loading keeps it (its DN and the attributes kept: its anchor and type), not read whole. */
  head(dn: string): LdifEntry | undefined {
    const i = this.indexOfDn(dn.toLowerCase());
    const s = i === undefined ? null : this.slotAt(i);
    return s ? this.headOf(s) : undefined;
  }

  /** The slot's entry with the attributes kept: as held, or (an index's row holds none) read for them alone from its record. */
  private headOf(s: Slot, record?: string | RecordText): LdifEntry {
    if (this.anchorOf(s.entry) || (!s.span && s.text === null)) return s.entry;
    const [read] = parseLdif(headLines(record ?? this.textNow(s) ?? this.reader.text(s.span!), this.kept), this.kept).entries;
    return read?.dn === s.entry.dn ? { ...read, line: s.entry.line, partial: true, ...(s.span ? { span: s.span } : {}) } : s.entry;
  }

  /** The slot's entry with all its attributes: a partial one is read again from its text (ldif-edit.ts) or its place in the file. */
  private whole(s: Slot): LdifEntry {
    const { entry: e, span } = s, text = this.textNow(s);
    if (e.partial && text !== null) return (s.entry = { ...parseText(text, this.path, this.agent), line: e.line });
    if (!e.partial || !span) return e;
    let read: LdifEntry | undefined;
    try {
      [read] = parseLdif(this.reader.text(span)).entries;
    } catch (err) {
      throw new AgentError(this.agent, `${this.path}: ${(err as Error).message}`, true, { cause: err });
    }
    // Its place was taken when the file was read or rewritten: another record there means the file changed since.
    if (read?.dn !== e.dn) throw new AgentError(this.agent, `${this.path} changed while in use: no longer holds ${e.dn} where it was (line ${e.line} when read); run the step again`, true);
    return { ...read, line: e.line, span };
  }

  /** Whether any entry holds `value` in `attribute` (case-insensitive); `keep(attribute)` before loading. */
  hasValue(attribute: string, value: string): boolean {
    const a = attribute.toLowerCase();
    if (!this.checked.has(a)) throw new Error(`${this.path}: ${attribute} was not kept when the file was loaded (keep it first)`);
    const v = value.toLowerCase();
    return this.values.holds(a, v, () => this.setEntries()) || !!this.base?.rowsWith(a, v).some((row) => this.slots[row] === undefined);
  }
}
