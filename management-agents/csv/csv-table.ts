/**
 * The csv agent's export file in full mode: the rows as the file holds them
 * (placed by the saved index, else read from the lines) and the rows changed
 * since, held between batches, journaled per batch and rewritten once per
 * export step (see JournaledFile). A changed row moves to the file's end; the
 * rows before it are copied as bytes, and a rewrite that changed a few rows
 * saves the index for a few (csv-table-index.ts).
 */
import type { FilePiece, JournalEntry } from '../file-journal.ts';
import type { LineBatch } from '../../data/line-reader.ts';
import { RangeReader } from '../../data/file-ranges.ts';
import { JournaledFile } from '../journaled-file.ts';
import type { CsvAgentConfig } from './csv-agent-config.ts';
import { csvRow } from './csv-encoding.ts';
import { csvRecords, plainFields, quotes, recordOf } from './csv-lines.ts';
import { CsvRows } from './csv-table-index.ts';

export type CsvRecord = Record<string, string>;

/**
 * The rows read from the file's lines, numbered in its order, each a line
 * (no quotes, split when first used) or a record: where no saved index
 * places them (CsvRows).
 */
class ReadRows {
  readonly keys: string[] = [];
  readonly held: (CsvRecord | string)[] = [];
  readonly #byKey = new Map<string, number>();
  get size(): number { return this.keys.length; }
  rowOf(key: string): number { return this.#byKey.get(key) ?? -1; }
  isLive(_r: number): boolean { return true; }
  key(r: number): string { return this.keys[r]!; }
  /** A key read again takes the first one's place, as a Map's set does. */
  add(key: string, held: CsvRecord | string): void {
    const r = this.#byKey.get(key);
    if (r !== undefined) { this.held[r] = held; return; }
    this.#byKey.set(key, this.keys.length);
    this.keys.push(key);
    this.held.push(held);
  }
  close(): void {}
}

/**
 * What serialize wrote, for `written`: whether it numbers the rows afresh, and
 * the keys and lengths in bytes of the rows after those it kept numbered as
 * they are (of every row where it numbers them afresh).
 */
interface Added { readonly fresh: boolean; readonly keys: string[]; readonly lengths: number[] }

/**
 * The rows are numbered afresh (a new keys file) once the rows added since it
 * and the places left empty pass a quarter of the rows in the file: until
 * then a rewrite saves only each row's length and the added rows' keys.
 */
const RENUMBER = 4;

export class CsvTable extends JournaledFile<CsvRecord> {
  /** The rows as the file holds them (see ReadRows and CsvRows). */
  private rows: ReadRows | CsvRows = new ReadRows();
  /** Rows of `rows` removed since, or moved to `tail` (a changed row goes to the file's end). */
  private gone = new Set<number>();
  /** Rows written since the file was read, in order: after every row of `rows` that is not gone. */
  private tail = new Map<string, CsvRecord>();
  /** Rows of a saved index read from the file, split. */
  private records = new Map<number, CsvRecord>();
  private added: Added = { fresh: true, keys: [], lengths: [] };
  private readonly reader: RangeReader;
  /** The file's column names, and whether they are the configured ones: then an unused line is written back as it was. */
  private header: string[] = [];
  private asWritten = false;
  /** Anchors changed since `takeChanges`, each by its last change: what the change log names for the next rewrite. */
  private changed = new Map<string, 'put' | 'removed'>();

  constructor(private readonly cfg: CsvAgentConfig, agent: string) {
    super(cfg.exportPath, agent);
    this.reader = new RangeReader(cfg.exportPath);
  }

  /** The header this agent writes, without its line end. */
  private headerLine(): string {
    return csvRow(this.cfg.columns, this.cfg).slice(0, -1);
  }

  keyOf(r: CsvRecord): string {
    return this.keyFrom((column) => r[column]);
  }

  /** The anchor columns' values joined, each read by `valueOf`: from a record, or from a line's fields. */
  private keyFrom(valueOf: (column: string) => string | undefined): string {
    return this.cfg.anchor.map((a) => valueOf(a) ?? '').join('|');
  }

  /** Starts over from `rows`, nothing changed since. */
  private from(rows: ReadRows | CsvRows): void {
    // Rows saved again over the same keys file read it on.
    if (!(rows instanceof CsvRows && this.rows instanceof CsvRows && rows.keys === this.rows.keys)) this.rows.close();
    this.rows = rows;
    this.gone = new Set();
    this.tail = new Map();
    this.records = new Map();
  }

  protected async parse(batches: AsyncIterable<LineBatch>, stamp: string): Promise<void> {
    const { delimiter } = this.cfg;
    this.reader.close();
    // The index saved at the last write, while the file is as written then: the lines are not read at all.
    const index = stamp === 'none' ? null : await CsvRows.read(this.path, stamp, delimiter, this.cfg.anchor);
    if (index) {
      this.header = index.head.header.split(delimiter);
      this.asWritten = index.head.header === this.headerLine();
      this.from(index);
      return;
    }
    const lines: string[] = [];
    for await (const batch of batches) for (const l of batch.lines) lines.push(l);
    const rows = new ReadRows();
    this.header = [];
    // The anchor columns' places: the last column of a name, as in a record (`recordOf`).
    let anchorAt: number[] = [];
    for (const [r, fields] of csvRecords(lines, delimiter, this.path)) {
      if (!this.header.length) {
        this.header = fields ?? r.text.split(delimiter);
        this.asWritten = r.text === this.headerLine();
        anchorAt = this.cfg.anchor.map((a) => this.header.lastIndexOf(a));
        continue;
      }
      const plain = fields ? null : plainFields(r.text, delimiter, anchorAt);
      const count = plain?.count ?? fields!.length;
      if (count !== this.header.length) throw new Error(`${this.path}: line ${r.line} has ${count} fields, its header ${this.header.length}`);
      const key = this.keyFrom((column) => (plain ? plain.values[this.cfg.anchor.indexOf(column)] : fields![this.header.lastIndexOf(column)]));
      rows.add(key, plain ? r.text : recordOf(this.header, fields!));
    }
    this.from(rows);
  }

  /** Row `r` of `rows` as a record: read from the file now if only its place is known, split now if it is still a line. */
  private record(r: number): CsvRecord {
    const rows = this.rows;
    if (rows instanceof CsvRows) {
      const known = this.records.get(r);
      if (known) return known;
      const text = this.reader.text(rows.span(r)).replace(/\r?\n$/, '');
      const [[, fields] = []] = quotes(text) ? csvRecords([text], this.cfg.delimiter, this.path) : [];
      const record = recordOf(this.header, fields ?? text.split(this.cfg.delimiter));
      this.records.set(r, record);
      return record;
    }
    const held = rows.held[r]!;
    if (typeof held !== 'string') return held;
    return (rows.held[r] = recordOf(this.header, held.split(this.cfg.delimiter)));
  }

  protected replay(j: JournalEntry<CsvRecord>): void {
    if ('remove' in j) this.remove(j.remove);
    else this.write(j.put, j.from);
  }

  /** The anchors put and removed since the last call: call once the file holds them. */
  takeChanges(): { put: string[]; removed: string[] } {
    const out = { put: [] as string[], removed: [] as string[] };
    for (const [k, how] of this.changed) out[how].push(k);
    this.changed = new Map();
    return out;
  }

  /**
   * The file: the rows kept, in their order, then those written since. Kept
   * rows whose place is known are copied from the file as bytes, runs of them
   * at once; the rest written as text.
   */
  protected *serialize(): Iterable<FilePiece> {
    const { columns } = this.cfg;
    const head = csvRow(columns, this.cfg);
    yield head;
    const rows = this.rows;
    const saved = rows instanceof CsvRows && this.asWritten ? rows : null;
    // Numbered afresh: rows read from the lines, or once many were removed or added since the index was.
    const fresh = !saved || RENUMBER * (saved.worn + this.gone.size + this.tail.size) > saved.live;
    const added: Added = (this.added = { fresh, keys: [], lengths: [] });
    const text = (key: string, t: string) => {
      added.keys.push(key);
      added.lengths.push(Buffer.byteLength(t));
      return t;
    };
    if (saved) {
      // The kept rows lie one after another in the file but for those gone: the bytes between gone rows are copied whole.
      let at = saved.head.start;
      for (const g of [...this.gone].sort((a, b) => a - b)) {
        const span = saved.span(g);
        if (span.from > at) yield { from: at, to: span.from };
        at = span.to;
      }
      if (saved.end > at) yield { from: at, to: saved.end };
      if (fresh) for (let r = 0; r < saved.size; r++) if (saved.isLive(r) && !this.gone.has(r)) { added.keys.push(saved.key(r)); added.lengths.push(saved.lengths[r]!); }
    } else {
      for (let r = 0; r < rows.size; r++) {
        if (!rows.isLive(r) || this.gone.has(r)) continue;
        const held = rows instanceof ReadRows ? rows.held[r]! : undefined;
        const rec = typeof held === 'string' && this.asWritten ? null : this.record(r);
        yield text(rows.key(r), rec ? csvRow(columns.map((c) => rec[c] ?? ''), this.cfg) : `${held}\n`);
      }
    }
    for (const [key, rec] of this.tail) yield text(key, csvRow(columns.map((c) => rec[c] ?? ''), this.cfg));
  }

  /** The file now holds what serialize wrote: the rows are held as their places, and the places saved beside it. */
  protected override async written(stamp: string): Promise<void> {
    this.reader.close();
    const { rows, added } = this;
    this.added = { fresh: true, keys: [], lengths: [] };
    const header = this.headerLine();
    const head = { stamp, delimiter: this.cfg.delimiter, anchor: this.cfg.anchor, header, start: Buffer.byteLength(header) + 1 };
    this.header = [...this.cfg.columns];
    this.asWritten = true;
    // Only a cache: one that cannot be written leaves the next process to read the file.
    const next = await (rows instanceof CsvRows && !added.fresh ? rows.next(this.path, stamp, this.gone, added) : CsvRows.fresh(this.path, head, added.keys, added.lengths)).catch(() => null);
    if (next) this.from(next);
    else this.invalidate();
  }

  /** Lets go of the file and the index's keys file: the agent is done; a later use reads them again. */
  close(): void {
    this.reader.close();
    this.rows.close();
    this.rows = new ReadRows();
    this.invalidate();
  }

  get(key: string): CsvRecord | undefined {
    const t = this.tail.get(key);
    if (t) return t;
    const r = this.rows.rowOf(key);
    return r < 0 || this.gone.has(r) ? undefined : this.record(r);
  }

  /** Writes a row (formerly under `from`), to be journaled by `commit`. */
  set(row: CsvRecord, from: string | undefined): void {
    const key = this.write(row, from);
    this.queue({ put: row, key, ...(from !== undefined ? { from } : {}) });
  }

  /** Removes a row, to be journaled by `commit`. */
  delete(key: string): void {
    this.remove(key);
    this.queue({ remove: key });
  }

  /** The row under `key` leaves its place: removed, or to be written again at the end. */
  private drop(key: string): void {
    if (this.tail.delete(key)) return;
    const r = this.rows.rowOf(key);
    if (r >= 0) this.gone.add(r);
  }

  private remove(key: string): void {
    this.drop(key);
    this.changed.set(key, 'removed');
  }

  private write(row: CsvRecord, from: string | undefined): string {
    const key = this.keyOf(row);
    if (from !== undefined) {
      this.drop(from);
      if (from !== key) this.changed.set(from, 'removed');
    }
    // A row of the file under this key (a rename onto it) is written again at the end; one written since keeps its place.
    if (!this.tail.has(key)) this.drop(key);
    this.tail.set(key, row);
    this.changed.set(key, 'put');
    return key;
  }
}
