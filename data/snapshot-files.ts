/**
 * A snapshot generation on disk, under `snapshot/<generation>/`:
 * - `objects.jsonl`: one op line per connector-space and metaverse object, the
 *   same lines the journal holds, so compaction copies lines without parsing;
 * - `catalog.jsonl`: the slots, a few thousand per line, then the value
 *   indexes built so far: what opening reads instead of the objects;
 * - `state.json`: store settings, watermarks and run history, written by the
 *   store itself (a lowdb DataFile).
 * The generation is written whole and fsync'd before the pointer file names it.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { LineWriter } from './line-writer.ts';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord } from './objects.ts';
import { readLineBatches } from './line-reader.ts';
import type { IndexRow } from './value-index.ts';

/**
 * [id, anchor, DN, flags (1 pending import, 2 pending export, 4 pending add, 8 placeholder), offset, length, metaverse id, pending new DN, clean digest,
 * pending delete (1 or 0; absent in catalogs written before it)]
 */
export type CsRow = [string, string | null, string, number, number, number, string | null, string | null, string | null, (0 | 1)?];
/** [id, objectType, offset, length] */
export type MvRow = [string, string, number, number];
export type CatalogLine =
  | { readonly cs: string; readonly rows: CsRow[] }
  | { readonly mv: MvRow[] }
  /** Value indexes, after every slot: [agent, objectType, attribute] or, for joins, [objectType, attribute]. */
  | { readonly csIndex: readonly [string, string, string]; readonly rows: IndexRow[] }
  | { readonly mvIndex: readonly [string, string]; readonly rows: IndexRow[] };
export interface SnapshotState { readonly meta: [string, unknown][]; readonly runs: RunRecord[] }

/** Lines to a new file, fsync'd on close. */
class LineFile extends LineWriter {
  static create(path: string): LineFile { return new LineFile(openSync(path, 'w'), 0); }
  close(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

export class SnapshotWriter {
  readonly objects: LineFile;
  readonly #catalog: LineFile;
  constructor(readonly dir: string) {
    this.objects = LineFile.create(join(dir, 'objects.jsonl'));
    this.#catalog = LineFile.create(join(dir, 'catalog.jsonl'));
  }

  catalog(line: CatalogLine): void { this.#catalog.add(JSON.stringify(line)); }

  finish(): void {
    this.objects.close();
    this.#catalog.close();
  }
}

export const objectsPath = (dir: string) => join(dir, 'objects.jsonl');

/** Reads a generation's catalog; false for a generation of an earlier store, which has none. */
export async function readCatalog(dir: string, on: (line: CatalogLine) => void): Promise<boolean> {
  if (!(await readdir(dir)).includes('catalog.jsonl')) return false;
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
  return true;
}
