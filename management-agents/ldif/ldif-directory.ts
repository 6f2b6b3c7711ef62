/**
 * The LDIF file as a directory held in memory between batches, indexed by DN
 * and anchor. Changes are journaled per batch and the file is rewritten once
 * per export step (see JournaledFile): an entry read from the file and not
 * changed since is copied from it as it is, and only changed entries are
 * serialised again.
 *
 * Loading keeps of each entry only the attributes the indexes need (its
 * class, its anchor, those asked about by `hasValue`) and where it is in the
 * file; an entry is read whole when it is used. An export that changes 1% of
 * a large directory then reads 1% of it whole.
 */
import { asArray, type Attributes } from '../../data/model.ts';
import { readLineBatchesAt, type LineBatch } from '../../data/line-reader.ts';
import type { FilePiece, JournalEntry } from '../file-journal.ts';
import { RangeReader, type FileRange } from '../file-ranges.ts';
import { AgentError } from '../errors.ts';
import { fileStamp, JournaledFile } from '../journaled-file.ts';
import { asRecordHolds, contentRecord, LdifParser, parseLdif, type LdifEntry, type LdifSyntaxError } from './ldif-format.ts';
import { readIndexFile, writeIndexFile } from './ldif-index-file.ts';

type Saved = { readonly dn: string; readonly attrs: Attributes };

/** Where the entry is in the file while it is unchanged there, or its text serialised for the next rewrite. */
interface Slot { entry: LdifEntry; span: FileRange | null; text: string | null }

const VERSION = 'version: 1\n';

/** Attribute names in lower case, remembered: 100,000 entries spell the same few names. */
const lowerNames = new Map<string, string>();
function lowerName(k: string): string {
  let l = lowerNames.get(k);
  if (l === undefined) lowerNames.set(k, (l = k.toLowerCase()));
  return l;
}

/** Pushes every line with its byte offset; returns the offset past the last. */
async function feed(parser: LdifParser, batches: AsyncIterable<LineBatch>): Promise<number> {
  let end = 0;
  for await (const { lines, starts, end: next } of batches) {
    for (let i = 0; i < lines.length; i++) parser.push(lines[i]!, starts[i]);
    end = next;
  }
  return end;
}

export class LdifDirectory extends JournaledFile<Saved> {
  private slots: (Slot | null)[] = [];
  private byDn = new Map<string, number>();
  private byAnchor = new Map<string, number>();
  /** attribute (lower case) → value (lower case) → how many entries hold it; built on first use. */
  private values = new Map<string, Map<string, number>>();
  /** Each slot's place in the file being written, until it is in place. */
  private nextSpans: (FileRange | null)[] = [];
  errors: LdifSyntaxError[] = [];
  /** Attributes (lower case) that loading keeps of each entry. */
  private readonly kept: Set<string>;
  private readonly reader: RangeReader;

  /** @param indexed attributes `anchorOf` reads: they are kept of each entry when loading. */
  constructor(path: string, private readonly anchorOf: (e: LdifEntry) => string, agent: string, indexed: readonly string[]) {
    super(path, agent);
    this.kept = new Set(indexed.map((a) => a.toLowerCase()));
    this.reader = new RangeReader(path);
  }

  /** Keeps `attribute` of each entry from the first load on; once loaded, `keep` does it. */
  expect(attribute: string): void {
    if (this.loaded()) return;
    this.kept.add(attribute.toLowerCase());
  }

  /**
   * Keeps `attribute` of each entry, so that `hasValue` can answer for it.
   * Once loaded, the file is read again for that attribute alone.
   */
  async keep(attribute: string): Promise<void> {
    const a = attribute.toLowerCase();
    if (this.kept.has(a)) return;
    this.kept.add(a);
    if (!(await this.current())) { this.invalidate(); return; }
    await this.named(async () => {
      // No file yet: every entry is in memory, whole.
      if ((await fileStamp(this.path)) === 'none') return;
      const parser = new LdifParser(new Set([a]));
      // The file's end closes the last record's span: without it, the last entry would not match its slot.
      for (const read of parser.end(await feed(parser, readLineBatchesAt(this.path))).entries) {
        const s = this.slots[this.byDn.get(read.dn.toLowerCase()) ?? -1];
        // Entries changed since they were read hold all their attributes already.
        if (s?.entry.partial && s.span?.from === read.span?.from) s.entry = { ...s.entry, attrs: { ...s.entry.attrs, ...read.attrs } };
      }
      // Changed while it was read: the values may belong to another version of the file.
      if (!(await this.current())) this.invalidate();
    });
  }

  protected async parse(batches: AsyncIterable<LineBatch>, stamp: string): Promise<void> {
    this.reader.close();
    // The index this agent saved when it last wrote the file, if the file is still as written; else the file itself.
    const indexed = stamp === 'none' ? null : await readIndexFile(this.path, stamp, this.kept);
    const { entries, errors } = indexed ? { entries: indexed, errors: [] } : await this.scan(batches);
    this.errors = errors;
    this.slots = [];
    this.byDn.clear();
    this.byAnchor.clear();
    this.values.clear();
    for (const e of entries) this.put(e, null);
  }

  protected replay(j: JournalEntry<Saved>): void {
    if ('remove' in j) this.remove(j.remove);
    else this.put({ dn: j.put.dn, attrs: asRecordHolds(j.put.attrs), line: 0 }, j.from ?? j.key);
  }

  /** Unchanged entries are copied from the file; the others are serialised. */
  protected *serialize(): Iterable<FilePiece> {
    const spans: (FileRange | null)[] = [];
    let at = VERSION.length;
    yield VERSION;
    for (const s of this.slots) {
      if (!s) { spans.push(null); continue; }
      const piece = s.span ?? (s.text ??= contentRecord(s.entry.dn, s.entry.attrs));
      yield '\n';
      yield piece;
      const length = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.to - piece.from;
      spans.push({ from: at + 1, to: at + 1 + length });
      at += 1 + length;
    }
    this.nextSpans = spans;
  }

  /** The file now holds every entry: later rewrites copy them from where they now are, and the next process loads the index. */
  protected override async written(stamp: string): Promise<void> {
    this.reader.close();
    this.nextSpans.forEach((span, i) => {
      const s = this.slots[i];
      if (s) Object.assign(s, { span, text: null });
    });
    this.nextSpans = [];
    // Only a cache: an index that cannot be written (a full disk, say) leaves the next load to read the file.
    await writeIndexFile(this.path, stamp, this.kept, this.live()).catch(() => undefined);
  }

  private *live(): Iterable<Slot> { for (const s of this.slots) if (s) yield s; }

  /** Reads the file itself for what loading keeps. */
  private async scan(batches: AsyncIterable<LineBatch>): Promise<{ entries: LdifEntry[]; errors: LdifSyntaxError[] }> {
    const parser = new LdifParser(this.kept);
    return parser.end(await feed(parser, batches));
  }

  /** Adds, replaces or renames (from `previousDn`) an entry, to be journaled by `commit`. */
  change(changed: LdifEntry, previousDn: string | null): void {
    const e = { ...changed, attrs: asRecordHolds(changed.attrs) };
    this.put(e, previousDn);
    this.queue({ put: { dn: e.dn, attrs: e.attrs }, key: e.dn, ...(previousDn !== null ? { from: previousDn } : {}) });
  }

  /** Deletes an entry, to be journaled by `commit`. */
  delete(dn: string): void {
    this.remove(dn);
    this.queue({ remove: dn });
  }

  /** Every entry, whole, read from the file in its order. */
  *entries(): Iterable<LdifEntry> {
    for (const s of this.slots) if (s) yield this.whole(s);
  }

  find(q: { dn?: string | undefined; anchor?: string | null | undefined }): LdifEntry | undefined {
    const i = q.anchor ? this.byAnchor.get(q.anchor) : q.dn ? this.byDn.get(q.dn.toLowerCase()) : undefined;
    const s = i === undefined ? undefined : this.slots[i];
    return s ? this.whole(s) : undefined;
  }

  /** The slot's entry with all its attributes: a partial one is read again from its place in the file. */
  private whole({ entry: e, span }: Slot): LdifEntry {
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
    if (!this.kept.has(a)) throw new Error(`${this.path}: ${attribute} was not kept when the file was loaded (keep it first)`);
    let index = this.values.get(a);
    if (!index) {
      index = new Map();
      this.values.set(a, index);
      for (const s of this.slots) if (s) this.count(index, s.entry, a, 1);
    }
    return (index.get(value.toLowerCase()) ?? 0) > 0;
  }

  private count(index: Map<string, number>, e: LdifEntry, attribute: string, by: number): void {
    for (const k in e.attrs) {
      if (lowerName(k) !== attribute) continue;
      for (const x of asArray(e.attrs[k])) { const key = String(x).toLowerCase(); index.set(key, (index.get(key) ?? 0) + by); }
    }
  }

  private reindex(e: LdifEntry | undefined, by: number): void {
    if (e) for (const [a, index] of this.values) this.count(index, e, a, by);
  }

  private put(e: LdifEntry, previousDn: string | null): void {
    // A journal replayed over a file it was already folded into finds the entry under its new DN.
    const at = previousDn !== null ? (this.byDn.get(previousDn.toLowerCase()) ?? this.byDn.get(e.dn.toLowerCase())) : undefined;
    if (at !== undefined) this.reindex(this.slots[at]?.entry, -1);
    this.reindex(e, 1);
    if (at !== undefined && previousDn !== null) this.byDn.delete(previousDn.toLowerCase());
    const i = at ?? this.slots.length;
    this.slots[i] = { entry: e, span: e.span ?? null, text: null };
    this.byDn.set(e.dn.toLowerCase(), i);
    const anchor = this.anchorOf(e);
    if (anchor) this.byAnchor.set(anchor, i);
  }

  private remove(dn: string): void {
    const i = this.byDn.get(dn.toLowerCase());
    if (i === undefined) return;
    const e = this.slots[i]!.entry;
    this.reindex(e, -1);
    this.byAnchor.delete(this.anchorOf(e));
    this.byDn.delete(dn.toLowerCase());
    this.slots[i] = null;
  }
}

export const firstValue = (v: unknown) => (v === undefined ? '' : String(asArray(v as never)[0]));
