/**
 * A connector space's or the metaverse's catalog rows in a file of their
 * own, one row per line, with each line's offset in a second file. Parsing
 * every row of the catalog and making a slot of each took 0.3-0.4 s of every
 * open at 100,000 people, and its garbage collection more, for a delta cycle
 * that looks up a few percent of them (a 100-person delta: 13,400 of 332,000
 * connector rows, 2,500 once a waiting group stopped resolving every member).
 * Opening now reads neither file: a row's bytes are read (paged-file.ts) and
 * parsed when it is first looked up.
 */
import { join } from 'node:path';
import { PagedFile } from './paged-file.ts';
import { LineFile, writeWhole } from './line-writer.ts';
import { stringHash, type FrozenTable } from './frozen-table.ts';
import { asciiJson } from './ascii-json.ts';

/** A generation's n-th rows file and its offsets: the reader finds what the writer names. */
export const rowsFiles = (n: number) => ({ rows: `rows-${n}.jsonl`, offsets: `rows-${n}.off` });

/** Writes rows, one per line (ASCII JSON), then their offsets as little-endian doubles: one per row and the file's end. */
export class RowsWriter {
  readonly #rows: LineFile;
  readonly #offsets: number[] = [];
  constructor(private readonly dir: string, private readonly files: { rows: string; offsets: string }) {
    this.#rows = LineFile.create(join(dir, files.rows));
  }

  add(row: unknown): void { this.#offsets.push(this.#rows.add(asciiJson(row))); }

  /** Writes the offsets and fsyncs both files; returns how many rows they hold. */
  finish(): number {
    const count = this.#offsets.length;
    this.#offsets.push(this.#rows.size);
    this.#rows.close();
    writeWhole(join(this.dir, this.files.offsets), Buffer.from(new Float64Array(this.#offsets).buffer));
    return count;
  }
}

/** Rows read as their pages are reached, each parsed when asked for. */
export class LazyRows<T> {
  private constructor(private readonly rows: PagedFile, private readonly offsets: PagedFile, readonly count: number, private readonly path: string) {}

  /**
   * The two files of `files` in `dir`, opened by `open` (given a file's name; by default from disk):
   * `count` is how many rows the catalog says they hold.
   */
  static read<T>(dir: string, files: { rows: string; offsets: string }, count: number, open: (f: string) => PagedFile = (f) => PagedFile.open(join(dir, f))): LazyRows<T> {
    const path = join(dir, files.rows);
    const damaged = (why: string) => new Error(`store: ${path} cannot be read (${why}); the snapshot is damaged`);
    const [rows, offsets] = [files.rows, files.offsets].map((f) => {
      try {
        return open(f);
      } catch (err) {
        throw damaged((err as NodeJS.ErrnoException).code ?? (err as Error).message);
      }
    });
    if (offsets!.size !== (count + 1) * 8 || offsets!.f64(count * 8) !== rows!.size) throw damaged(`the catalog names ${count} rows, which its offsets do not match`);
    return new LazyRows<T>(rows!, offsets!, count, path);
  }

  /** The i-th row (from 0), parsed now. */
  row(i: number): T {
    // Through the files' shared pool of pages (paged-file.ts): a delta reads rows scattered over the file.
    const start = this.offsets.f64(i * 8);
    const end = this.offsets.f64(i * 8 + 8) - 1;
    try {
      return JSON.parse(this.rows.text(start, end, 'latin1')) as T;
    } catch (err) {
      throw new Error(`store: ${this.path} line ${i + 1} cannot be read (${(err as Error).message}); the snapshot is damaged`);
    }
  }
}

/**
 * A snapshot's rows in order, each given as it was restored, or made by a
 * `decode` when first asked for (a rows file's rows): the same object every time.
 */
export class RowList<T> {
  #rows: (T | undefined)[] = [];
  #decode: ((row: number) => T) | null = null;
  #undecoded = 0;

  get length(): number { return this.#rows.length; }
  push(row: T): void { this.#rows.push(row); }

  /** `count` rows made by `decode`; only into an empty list. */
  lazy(count: number, decode: (row: number) => T): void {
    if (this.#rows.length) throw new Error('store: rows restored twice');
    this.#rows = new Array<T | undefined>(count);
    this.#decode = decode;
    this.#undecoded = count;
  }

  /** Row `i`, made now if it was not yet; undefined past the end. */
  at(i: number): T | undefined {
    const s = this.#rows[i];
    if (s !== undefined || !this.#decode || i < 0 || i >= this.#rows.length) return s;
    const made = this.#decode(i);
    this.#rows[i] = made;
    // Every row made: the rows file's bytes can go.
    if (--this.#undecoded === 0) this.#decode = null;
    return made;
  }

  /**
   * The row `table` names under `key`: its entries map a key's hash to row numbers, and the hash
   * alone selects, so `keyOf` checks the row found. Undefined without a table.
   */
  find(table: FrozenTable | null | undefined, key: string, keyOf: (row: T) => string | null): T | undefined {
    if (!table) return undefined;
    let found: T | undefined;
    table.find(stringHash(key), (e) => {
      const row = this.at(table.numberValue(e));
      return row !== undefined && keyOf(row) === key && !!(found = row);
    });
    return found;
  }

  /** Every row, in order, made as it is reached. */
  *[Symbol.iterator](): IterableIterator<T> { for (let i = 0; i < this.#rows.length; i++) yield this.at(i)!; }
}
