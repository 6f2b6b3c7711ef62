/**
 * The csv agent's export file in full mode: rows by anchor, held in memory
 * between batches, journaled per batch and rewritten once per export step
 * (see JournaledFile).
 */
import { parse } from 'csv-parse/sync';
import type { JournalEntry } from '../file-journal.ts';
import type { LineBatch } from '../../data/line-reader.ts';
import { JournaledFile } from '../journaled-file.ts';
import type { CsvAgentConfig } from './csv-agent-config.ts';
import { csvRow } from './csv-encoding.ts';

export type CsvRecord = Record<string, string>;

export class CsvTable extends JournaledFile<CsvRecord> {
  private rows = new Map<string, CsvRecord>();
  /** Anchors changed since `takeChanges`, each by its last change: what the change log names for the next rewrite. */
  private changed = new Map<string, 'put' | 'removed'>();

  constructor(private readonly cfg: CsvAgentConfig, agent: string) {
    super(cfg.exportPath, agent);
  }

  keyOf(r: CsvRecord): string {
    return this.cfg.anchor.map((a) => r[a] ?? '').join('|');
  }

  protected async parse(batches: AsyncIterable<LineBatch>): Promise<void> {
    // An app's file is small next to a directory: read whole, so quoted line breaks parse as they are.
    const parts: string[] = [];
    for await (const { lines } of batches) parts.push(lines.join('\n'));
    const text = parts.join('\n');
    const rows = text ? (parse(text, { columns: true, delimiter: this.cfg.delimiter, skip_empty_lines: true }) as CsvRecord[]) : [];
    this.rows = new Map(rows.map((r) => [this.keyOf(r), r]));
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
    for (const r of this.rows.values()) yield csvRow(columns.map((c) => r[c] ?? ''), this.cfg);
  }

  get(key: string): CsvRecord | undefined {
    return this.rows.get(key);
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
