/**
 * A snapshot generation on disk, under `snapshot/<generation>/`:
 * - `objects.jsonl`: one op line per connector-space and metaverse object, the
 *   journal's lines less the slot they start with (op-lines.ts), so
 *   compaction copies lines without parsing;
 * - `catalog.jsonl`: a line naming the metaverse's rows file and the table
 *   of its ids, a line per connector space naming its rows file, then a line
 *   per index built so far (value and DN indexes) naming its file: what
 *   opening reads instead of the objects;
 * - `rows-<n>.jsonl` and `rows-<n>.off`: the metaverse's or a connector
 *   space's slots, one per line, and where each line starts
 *   (catalog-rows.ts), parsed when looked up;
 * - `index-<n>.bin`: an index as a frozen table (frozen-table.ts), looked up
 *   in place rather than loaded into maps;
 * - `state.json`: store settings, watermarks and run history, written by the
 *   store itself (a lowdb DataFile).
 * The generation is written whole and fsync'd before the pointer file names it.
 */
import { LineFile } from './line-writer.ts';
import { asciiJson } from './ascii-json.ts';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord } from './objects.ts';
import { readLineBatches } from './line-reader.ts';
import type { IndexRow, MvValueIndex } from './value-index.ts';
import type { ConnectorSpace, CsSlot } from './connector-space.ts';
import { FrozenTable, type FrozenTableWriter } from './frozen-table.ts';
import { LazyRows, rowsFiles, RowsWriter } from './catalog-rows.ts';
import { PagedFile } from './paged-file.ts';
import { mvRowTable, type MvSlotMap } from './mv-slot-map.ts';
import type { Slot } from './slot.ts';
import type { Op } from './store-state.ts';

/**
 * [id, anchor, DN, flags (1 pending import, 2 pending export, 4 pending add, 8 placeholder), offset, length, metaverse id, pending new DN, clean digest,
 * pending delete (1 or 0; absent in catalogs written before it)]
 *
 * In a catalog the metaverse id is the object's place among the catalog's
 * metaverse rows: opening then takes the id string the metaverse slot holds
 * from an array, where looking each id up took 0.1-0.2 s at 100,000 people.
 * Journal heads, and catalogs written before, hold the id itself.
 */
export type CsRow = [string, string | null, string, number, number, number, string | number | null, string | null, string | null, (0 | 1)?];
/** A slot as the catalog keeps it; `deleting` as the caller knows it (see ConnectorSpace.deleting); `mvRef` gives what names its metaverse object. */
export function csRow(id: string, s: CsSlot, importing: boolean, exporting: boolean, off: number, len: number, deleting: boolean, mvRef: (mvId: string) => string | number = (m) => m): CsRow {
  const flags = (importing ? 1 : 0) | (exporting ? 2 : 0) | (s.pendingAdd ? 4 : 0) | (s.placeholder ? 8 : 0);
  return [id, s.anchor, s.dn, flags, off, len, s.mvId === null ? null : mvRef(s.mvId), s.newDn, s.cleanDigest, deleting ? 1 : 0];
}

/** The slot a catalog row names, at `off` in file `file`; `mvId` gives the store's own copy of the metaverse id the row names. */
export function slotOfRow(row: CsRow, file: number, mvId: (ref: string | number) => string, off = row[4], len = row[5]): { slot: CsSlot; importing: boolean; exporting: boolean } {
  const [id, anchor, dn, flags, , , mv, newDn, cleanDigest, deleting] = row;
  const slot: CsSlot = {
    obj: undefined, file, off, len, id, anchor, dn, mvId: mv === null ? null : mvId(mv), newDn, pendingAdd: (flags & 4) !== 0, placeholder: (flags & 8) !== 0,
    cleanDigest: cleanDigest ?? null, pendingDelete: deleting === undefined ? null : deleting === 1,
  };
  return { slot, importing: (flags & 1) !== 0, exporting: (flags & 2) !== 0 };
}

/** [id, objectType, offset, length] */
export type MvRow = [string, string, number, number];
export type CatalogLine =
  /** A space's rows in the catalog itself (catalogs written before rows files), a few thousand per line. */
  | { readonly cs: string; readonly rows: CsRow[] }
  /** The metaverse's rows in rows file `mvRows` (catalog-rows.ts), and the table of their ids to their row numbers. */
  | { readonly mvRows: number; readonly count: number; readonly table: string }
  /** A space's rows in rows file `file` (catalog-rows.ts), with the ids of those pending import and export. */
  | { readonly csRows: string; readonly file: number; readonly count: number; readonly importing: string[]; readonly exporting: string[] }
  /** The metaverse's rows in the catalog itself (catalogs written before rows files). */
  | { readonly mv: MvRow[] }
  /**
   * Indexes, after every slot, each naming its table file (`rows` in catalogs written before those):
   * value indexes by [agent, objectType, attribute] or, for joins, [objectType, attribute]; DN indexes by agent.
   */
  | ({ readonly csIndex: readonly [string, string, string] } & IndexSource)
  | ({ readonly mvIndex: readonly [string, string] } & IndexSource)
  | { readonly csDn: string; readonly table: string }
  /** A space's lookups of its rows by id, anchor and metaverse id (slot-map.ts), after its rows. */
  | { readonly csSlots: string; readonly tables: readonly [string, string, string] };
type IndexSource = { readonly rows: IndexRow[]; readonly table?: undefined } | { readonly table: string; readonly rows?: undefined };

/** The name of a generation's n-th index table. */
const tableFile = (n: number) => `index-${n}.bin`;

/** A catalog line naming a space's rows file. */
export type CsRowsLine = Extract<CatalogLine, { readonly csRows: string }>;
/** A catalog line naming a rows file: a space's, or the metaverse's. */
export type RowsLine = CsRowsLine | Extract<CatalogLine, { readonly mvRows: number }>;
/** A catalog line naming an index. */
export type IndexLine = Exclude<CatalogLine, { readonly cs: string } | { readonly csRows: string } | { readonly mv: MvRow[] } | { readonly mvRows: number }>;
export const isIndexLine = (line: CatalogLine): line is IndexLine => 'csIndex' in line || 'mvIndex' in line || 'csDn' in line || 'csSlots' in line;

/**
 * A generation's index tables and rows files, opened as the catalog names
 * them and read as lookups reach their pages (paged-file.ts): a delta run at
 * 100,000 people read 200 MB of them whole at every open, for a few
 * thousand lookups. Each is opened once; `readWhole` and `close` reach them all.
 */
export class TableReads {
  readonly #tables = new Map<string, FrozenTable>();
  readonly #files = new Map<string, PagedFile>();
  constructor(private readonly dir: string) {}

  /** Table file `file`; a missing or damaged one throws, naming it. */
  table(file: string): FrozenTable {
    let table = this.#tables.get(file);
    if (!table) this.#tables.set(file, (table = FrozenTable.open(join(this.dir, file))));
    return table;
  }

  /** Rows file `file`, of `count` rows as its catalog line says. */
  rows<T>(file: number, count: number): LazyRows<T> {
    return LazyRows.read<T>(this.dir, rowsFiles(file), count, (f) => {
      const pages = PagedFile.open(join(this.dir, f));
      this.#files.set(f, pages);
      return pages;
    });
  }

  /** The index a catalog line names: its table, or its rows. */
  source(line: IndexSource): readonly IndexRow[] | FrozenTable { return line.table === undefined ? line.rows : this.table(line.table); }

  /** Reads what was not read of every table and rows file and lets go of them: their generation may then be removed. */
  readWhole(): void {
    for (const t of this.#tables.values()) t.readWhole();
    for (const f of this.#files.values()) f.whole();
  }

  /** Lets go of the files, read or not: the store is closing. */
  close(): void {
    for (const t of this.#tables.values()) t.close();
    for (const f of this.#files.values()) f.close();
  }
}
export interface SnapshotState { readonly meta: [string, unknown][]; readonly runs: RunRecord[] }

export class SnapshotWriter {
  readonly objects: LineFile;
  readonly #catalog: LineFile;
  constructor(readonly dir: string) {
    this.objects = LineFile.create(join(dir, 'objects.jsonl'));
    this.#catalog = LineFile.create(join(dir, 'catalog.jsonl'));
  }

  /** Table and rows files written so far: the next ones' numbers. */
  #tables = 0;
  #rowsFiles = 0;

  catalog(line: CatalogLine): void { this.#catalog.add(asciiJson(line)); }

  /** Writes a table file; returns its name. */
  #table(t: FrozenTableWriter): string {
    const file = tableFile(++this.#tables);
    t.writeFile(join(this.dir, file));
    return file;
  }

  /**
   * Every object's row, each object copied into the objects file by `copy`,
   * which returns its place there: the metaverse first, as connector rows
   * name its objects by row.
   */
  objectRows(mv: MvSlotMap, spaces: ReadonlyMap<string, ConnectorSpace>, copy: (slot: Slot<unknown>, op: () => Op) => [number, number]): void {
    const mvRows = this.mvRows();
    const place = new Map<string, number>();
    for (const [id, s] of mv) {
      place.set(id, place.size);
      const [off, len] = copy(s, () => ['mv', id, s.obj!]);
      mvRows.add([id, s.type, off, len]);
    }
    mvRows.end();
    for (const [agent, space] of spaces) {
      const rows = this.rows(agent);
      for (const [id, s] of space.slots) {
        // Before the copy, which moves the slot to the new generation's file.
        const deleting = space.exporting.has(id) && space.deleting(s);
        const [off, len] = copy(s, () => ['cs', agent, id, s.obj!]);
        rows.add(csRow(id, s, space.importing.has(id), space.exporting.has(id), off, len, deleting, (m) => place.get(m) ?? m));
      }
      rows.end();
    }
  }

  /** The metaverse's rows, each on its own line of a rows file, and the table of their ids; `end` names both in the catalog. */
  mvRows(): { add(row: MvRow): void; end(): void } {
    const file = ++this.#rowsFiles;
    const w = new RowsWriter(this.dir, rowsFiles(file));
    const ids: string[] = [];
    return {
      add: (row) => { w.add(row); ids.push(row[0]); },
      end: () => this.catalog({ mvRows: file, count: w.finish(), table: this.#table(mvRowTable(ids)) }),
    };
  }

  /** A space's rows, each on its own line of a new rows file; `end` names the file in the catalog. */
  rows(agent: string): { add(row: CsRow): void; end(): void } {
    const file = ++this.#rowsFiles;
    const w = new RowsWriter(this.dir, rowsFiles(file));
    const importing: string[] = [];
    const exporting: string[] = [];
    return {
      add: (row) => {
        w.add(row);
        if (row[3] & 1) importing.push(row[0]);
        if (row[3] & 2) exporting.push(row[0]);
      },
      end: () => this.catalog({ csRows: agent, file, count: w.finish(), importing, exporting }),
    };
  }

  /**
   * The indexes built so far, each as a table file and a catalog line naming
   * it: rebuilding one reads every object (or DN) of its kind, which a delta run must not.
   */
  indexes(spaces: ReadonlyMap<string, ConnectorSpace>, mvIndexes: Iterable<MvValueIndex>): void {
    for (const [agent, space] of spaces) {
      const slots = space.slots.tables();
      this.catalog({ csSlots: agent, tables: [this.#table(slots.byId), this.#table(slots.byAnchor), this.#table(slots.byMv)] });
      const dns = space.dnTable();
      if (dns) this.catalog({ csDn: agent, table: this.#table(dns) });
      for (const i of space.indexes()) this.catalog({ csIndex: [agent, i.type, i.attribute], table: this.#table(i.frozen()) });
    }
    for (const i of mvIndexes) this.catalog({ mvIndex: [i.type, i.attribute], table: this.#table(i.frozen()) });
  }

  finish(): void {
    this.objects.close();
    this.#catalog.close();
  }
}

export const objectsPath = (dir: string) => join(dir, 'objects.jsonl');

/** Reads a generation's catalog, and starts reading its tables; false for a generation of an earlier store, which has none. */
export async function readCatalog(dir: string, on: (line: CatalogLine) => void): Promise<TableReads | false> {
  const files = await readdir(dir);
  if (!files.includes('catalog.jsonl')) return false;
  const tables = new TableReads(dir);
  const path = join(dir, 'catalog.jsonl');
  let n = 0;
  for await (const lines of readLineBatches(path)) {
    for (const l of lines) {
      n++;
      if (!l) continue;
      let line: CatalogLine;
      try {
        line = JSON.parse(l) as CatalogLine;
      } catch (err) {
        throw new Error(`store: ${path} line ${n} cannot be read (${(err as Error).message}); the snapshot is damaged`);
      }
      on(line);
    }
  }
  return tables;
}
