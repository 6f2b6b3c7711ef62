/**
 * The csv agent's export file in full mode: rows by anchor, held in memory
 * between batches, journaled per batch and rewritten once per export step
 * (see JournaledFile).
 */
import type { FilePiece, JournalEntry } from '../file-journal.ts';
import type { LineBatch } from '../../data/line-reader.ts';
import { RangeReader } from '../../data/file-ranges.ts';
import { JournaledFile } from '../journaled-file.ts';
import type { CsvAgentConfig } from './csv-agent-config.ts';
import { csvRow } from './csv-encoding.ts';
import { csvRecords, plainFields, quotes, recordOf } from './csv-lines.ts';
import { readCsvIndex, rowStarts, writeCsvIndex } from './csv-table-index.ts';

export type CsvRecord = Record<string, string>;

interface Placed { readonly keys: string[]; readonly lengths: number[]; readonly start: number }

export class CsvTable extends JournaledFile<CsvRecord> {
  /**
   * Rows by anchor: a record; the line as the file holds it (no quotes), split
   * when first used; or, loaded from the saved index, the row's number in the
   * file (its bytes are `starts[n]` to `starts[n + 1]`), read when first used
   * and otherwise copied as bytes.
   */
  private rows = new Map<string, CsvRecord | string | number>();
  private starts: Float64Array = new Float64Array(0);
  /** Each row serialize wrote, in order: its key and length, for the index `written` saves. */
  private placed: Placed = { keys: [], lengths: [], start: 0 };
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

  protected async parse(batches: AsyncIterable<LineBatch>, stamp: string): Promise<void> {
    const { delimiter } = this.cfg;
    this.reader.close();
    // The index saved at the last write, while the file is as written then: the lines are not read at all.
    const index = stamp === 'none' ? null : await readCsvIndex(this.path, stamp, delimiter, this.cfg.anchor);
    if (index) {
      this.header = index.header.split(delimiter);
      this.asWritten = index.header === this.headerLine();
      this.placeRows(index.keys, rowStarts(index));
      return;
    }
    const lines: string[] = [];
    for await (const batch of batches) for (const l of batch.lines) lines.push(l);
    this.rows = new Map();
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
      this.rows.set(key, plain ? r.text : recordOf(this.header, fields!));
    }
  }

  /** Every row held as its place in the file: the n-th key's row is bytes `starts[n]` to `starts[n + 1]`. */
  private placeRows(keys: readonly string[], starts: Float64Array): void {
    this.starts = starts;
    this.rows = new Map();
    keys.forEach((key, n) => this.rows.set(key, n));
  }

  /** The row as a record, read from the file now if only its place is held, split now if it is still a line. */
  private record(key: string, held: CsvRecord | string | number): CsvRecord {
    if (typeof held === 'number') {
      const text = this.reader.text({ from: this.starts[held]!, to: this.starts[held + 1]! }).replace(/\r?\n$/, '');
      const [[, fields] = []] = quotes(text) ? csvRecords([text], this.cfg.delimiter, this.path) : [];
      held = fields ? recordOf(this.header, fields) : text;
    }
    if (typeof held !== 'string') return held;
    const r = recordOf(this.header, held.split(this.cfg.delimiter));
    this.rows.set(key, r);
    return r;
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

  /** The file: unchanged rows whose place is known copied from it as bytes, runs of them at once; the rest as text. */
  protected *serialize(): Iterable<FilePiece> {
    const { columns } = this.cfg;
    const head = csvRow(columns, this.cfg);
    yield head;
    const placed: Placed = (this.placed = { keys: [], lengths: [], start: Buffer.byteLength(head) });
    // Bytes [from, to) of the old file still to copy: rows one after another there.
    let from = 0;
    let to = 0;
    for (const [key, held] of this.rows) {
      placed.keys.push(key);
      if (typeof held === 'number' && this.asWritten) {
        const a = this.starts[held]!;
        const b = this.starts[held + 1]!;
        placed.lengths.push(b - a);
        if (to > from && to === a) to = b;
        else {
          if (to > from) yield { from, to };
          from = a;
          to = b;
        }
        continue;
      }
      if (to > from) yield { from, to };
      from = to = 0;
      let text: string;
      if (typeof held === 'string' && this.asWritten) text = `${held}\n`;
      else {
        const r = this.record(key, held);
        text = csvRow(columns.map((c) => r[c] ?? ''), this.cfg);
      }
      placed.lengths.push(Buffer.byteLength(text));
      yield text;
    }
    if (to > from) yield { from, to };
  }

  /** The file now holds every row where serialize put it: each row is held as its place, and the places are saved beside it. */
  protected override async written(stamp: string): Promise<void> {
    this.reader.close();
    const { keys, lengths, start } = this.placed;
    this.placed = { keys: [], lengths: [], start: 0 };
    this.placeRows(keys, rowStarts({ start, lengths }));
    this.header = [...this.cfg.columns];
    this.asWritten = true;
    // Only a cache: one that cannot be written leaves the next process to read the file.
    await writeCsvIndex(this.path, { stamp, delimiter: this.cfg.delimiter, anchor: this.cfg.anchor, header: this.headerLine(), start, keys, lengths }).catch(() => undefined);
  }

  get(key: string): CsvRecord | undefined {
    const held = this.rows.get(key);
    return held === undefined ? undefined : this.record(key, held);
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

  private remove(key: string): void {
    this.rows.delete(key);
    this.changed.set(key, 'removed');
  }

  private write(row: CsvRecord, from: string | undefined): string {
    const key = this.keyOf(row);
    if (from !== undefined) {
      this.rows.delete(from);
      if (from !== key) this.changed.set(from, 'removed');
    }
    this.rows.set(key, row);
    this.changed.set(key, 'put');
    return key;
  }
}
