/**
 * The csv agent's export file in full mode: rows by anchor, held in memory
 * between batches, journaled per batch and rewritten once per export step
 * (see JournaledFile).
 */
import type { JournalEntry } from '../file-journal.ts';
import type { LineBatch } from '../../data/line-reader.ts';
import { JournaledFile } from '../journaled-file.ts';
import type { CsvAgentConfig } from './csv-agent-config.ts';
import { csvRow } from './csv-encoding.ts';
import { csvRecords, plainFields, recordOf } from './csv-lines.ts';

export type CsvRecord = Record<string, string>;


export class CsvTable extends JournaledFile<CsvRecord> {
  /** Rows by anchor: a record, or the line as the file holds it (no quotes), split when first used. */
  private rows = new Map<string, CsvRecord | string>();
  /** The file's column names, and whether they are the configured ones: then an unused line is written back as it was. */
  private header: string[] = [];
  private asWritten = false;
  /** Anchors changed since `takeChanges`, each by its last change: what the change log names for the next rewrite. */
  private changed = new Map<string, 'put' | 'removed'>();

  constructor(private readonly cfg: CsvAgentConfig, agent: string) {
    super(cfg.exportPath, agent);
  }

  keyOf(r: CsvRecord): string {
    return this.keyFrom((column) => r[column]);
  }

  /** The anchor columns' values joined, each read by `valueOf`: from a record, or from a line's fields. */
  private keyFrom(valueOf: (column: string) => string | undefined): string {
    return this.cfg.anchor.map((a) => valueOf(a) ?? '').join('|');
  }

  protected async parse(batches: AsyncIterable<LineBatch>): Promise<void> {
    const { delimiter, columns } = this.cfg;
    const lines: string[] = [];
    for await (const batch of batches) for (const l of batch.lines) lines.push(l);
    this.rows = new Map();
    this.header = [];
    // The anchor columns' places: the last column of a name, as in a record (`recordOf`).
    let anchorAt: number[] = [];
    for (const [r, fields] of csvRecords(lines, delimiter, this.path)) {
      if (!this.header.length) {
        this.header = fields ?? r.text.split(delimiter);
        this.asWritten = r.text === csvRow(columns, this.cfg).slice(0, -1);
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

  /** The row as a record, split now if it is still a line. */
  private record(key: string, held: CsvRecord | string): CsvRecord {
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

  protected *serialize(): Iterable<string> {
    const { columns } = this.cfg;
    yield csvRow(columns, this.cfg);
    for (const [key, held] of this.rows) {
      if (typeof held === 'string' && this.asWritten) yield `${held}\n`;
      else {
        const r = this.record(key, held);
        yield csvRow(columns.map((c) => r[c] ?? ''), this.cfg);
      }
    }
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
