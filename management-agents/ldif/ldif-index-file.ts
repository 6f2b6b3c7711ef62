/**
 * What loading an LDIF directory needs of each entry (its DN, anchor, place
 * in the file, and the values `hasValue` checks), saved beside the file each
 * time the agent rewrites it, as hash tables the next process reads in place
 * (data/frozen-table.ts): a load reads one buffer and looks entries up in it,
 * rather than scanning the file or filling maps with 100,000 entries.
 *
 * It is a cache, never the truth:
 * - it names the file's stamp (size and modification time) after the rewrite,
 *   so a file changed by anything else is read again;
 * - it names the attributes it kept, so a load that needs more reads the file;
 * - its first line gives its length, so a cut or torn one is not used.
 *
 * Rows are the directory's slots, removed ones included. A rewrite that changed
 * a few entries carries the tables as bytes and adds what changed: each row
 * has the generation that last wrote it, and anchors and values name the row
 * and generation they were written for, so an older one no longer counts.
 * Once a quarter of the rows have changed since, the tables are built afresh.
 *
 * After the first line:
 * - rows: lower-case DN ('' once removed) → `line dn`, entry n being row n;
 * - places: per row, its first and end byte in the file and its generation (float64);
 * - anchors: anchor → `row generation`;
 * - values: attribute NUL value (both lower case) → `row generation,…`.
 */
import { endianness } from 'node:os';
import { FrozenTable, stringHash } from '../../data/frozen-table.ts';
import { PagedFile } from '../../data/paged-file.ts';
import type { FileRange } from '../../data/file-ranges.ts';
import type { LdifEntry } from './ldif-format.ts';
import { writeFileDurably } from '../file-journal.ts';

export const FORMAT = 3;
const PLACE = 24;
const LITTLE_ENDIAN = endianness() === 'LE';

export const indexPath = (path: string) => `${path}.index`;
const damagedIndex = (path: string) => (why: string) => new Error(`${indexPath(path)} cannot be read (${why}); delete it and the next load reads ${path}`);

/** `live`: what `liveBytes` starts from (absent from an index written before it). */
export interface Head { format: number; stamp: string; kept: string[]; checked: string[]; gen: number; worn: number; live?: number; tables: number[] }

/** A saved index, read in place. */
export class LdifIndex {
  /**
   * The bytes of every row's entry, as the head says, or counted once when
   * first asked for (see `liveBytes`): counting read every row's place, 2.4 MB
   * of the directory's index at 100,000 people, at every export.
   */
  #live: number | undefined;
  /** The places, where they are held whole (not read in pages, or once read whole). */
  #places: Buffer | null;
  /**
   * @param places the places held whole, or null where `pages`, the file read in its pages as it is
   * used, has them at `placesAt`, `placesLength` bytes.
   */
  private constructor(readonly rows: FrozenTable, places: Buffer | null, readonly anchors: FrozenTable, readonly values: FrozenTable, readonly head: Head, private readonly pages: PagedFile | null = null, private readonly placesAt = 0, private readonly placesLength = places?.length ?? 0) {
    this.#places = places;
    if (typeof head.live === 'number' && Number.isFinite(head.live) && head.live >= 0) this.#live = head.live;
    if (this.placesLength !== this.size * PLACE) throw new Error('places do not match rows');
  }

  get size(): number { return this.rows.size; }

  /**
   * The index saved for the file as `stamp` names it, if it keeps every
   * attribute of `kept` and values of every one of `checked`; null when there
   * is none, it names another stamp, lacks an attribute, or is damaged. It is
   * read in pages as it is used (paged-file.ts): a delta looks up a few of
   * its rows, where reading it whole took 34 MB at 100,000 people.
   */
  static async read(path: string, stamp: string, kept: ReadonlySet<string>, checked: ReadonlySet<string>): Promise<LdifIndex | null> {
    let pages: PagedFile | null = null;
    try {
      pages = PagedFile.open(indexPath(path));
      const index = LdifIndex.paged(path, pages);
      if (index.head.stamp === stamp && [...kept].every((a) => index.head.kept.includes(a)) && [...checked].every((a) => index.head.checked.includes(a))) return index;
    } catch {
      // Only a cache: one missing, cut or damaged leaves the load to read the file.
    }
    pages?.close();
    return null;
  }

  /** The index its file holds, in `pages`; throws when it is not whole. */
  private static paged(path: string, pages: PagedFile): LdifIndex {
    // Its first line, the head, is short: pages are read until its end is in.
    let nl = -1;
    for (let end = 4096; nl < 0; end *= 2) {
      nl = pages.text(0, Math.min(end, pages.size), 'latin1').indexOf('\n');
      if (nl < 0 && end >= pages.size) throw new Error('no head');
    }
    const head = JSON.parse(pages.text(0, nl, 'utf8')) as Partial<Head>;
    if (head.format !== FORMAT || typeof head.stamp !== 'string' || !Array.isArray(head.kept) || !Array.isArray(head.checked) || !Array.isArray(head.tables)) throw new Error('not an index of this format');
    const starts: number[] = [];
    let at = nl + 1;
    for (const len of head.tables) { starts.push(at); at += len; }
    if (at !== pages.size) throw new Error('cut or torn');
    const lengths = head.tables;
    if (lengths.length < 4) throw new Error('tables missing');
    const table = (i: number) => FrozenTable.in(pages, starts[i]!, lengths[i]!, indexPath(path), damagedIndex(path));
    return new LdifIndex(table(0), null, table(2), table(3), head as Head, pages, starts[1]!, lengths[1]!);
  }

  /** The index a writer gave (see `LdifIndexWriter.toParts`), as its file would give it. */
  static ofParts(path: string, head: Head, parts: readonly Buffer[]): LdifIndex {
    const [rows, places, anchors, values] = parts;
    if (!rows || !places || !anchors || !values) throw new Error('tables missing');
    const table = (b: Buffer) => FrozenTable.of(b, indexPath(path), damagedIndex(path));
    return new LdifIndex(table(rows), places, table(anchors), table(values), head);
  }

  /** Lets go of its file, if it is read in pages: the agent is done with this index. */
  close(): void { this.pages?.close(); }

  /** Every place, read whole now where the index is read in pages. */
  private wholePlaces(): Buffer {
    if (!this.#places) {
      this.pages!.need(this.placesAt, this.placesAt + this.placesLength);
      this.#places = this.pages!.buf.subarray(this.placesAt, this.placesAt + this.placesLength);
    }
    return this.#places;
  }

  /** Double `at` of the places: through the file's shared pool of pages where it is read in pages (paged-file.ts). */
  private place(at: number): number {
    return this.#places ? this.#places.readDoubleLE(at) : this.pages!.f64(this.placesAt + at);
  }

  /** Where the row's entry is in the file, or null once it was removed. */
  span(row: number): FileRange | null {
    const from = this.place(row * PLACE);
    return from < 0 ? null : { from, to: this.place(row * PLACE + 8) };
  }

  gen(row: number): number {
    return this.place(row * PLACE + 16);
  }

  /** The bytes the rows' entries take in the file, each with the blank line before it, less those of rows `except`. */
  liveBytes(except: readonly number[]): number {
    if (this.#live === undefined) {
      const places = this.wholePlaces();
      this.#live = entryBytes(this.size, (i) => places.readDoubleLE(i * 8));
    }
    let n = this.#live;
    for (const row of except) {
      const span = row < this.size ? this.span(row) : null;
      if (span) n -= 1 + span.to - span.from;
    }
    return n;
  }

  /** Copies every row's place into `to` (from, to, generation per row). */
  copyPlaces(to: Float64Array): void {
    const places = this.wholePlaces();
    if (LITTLE_ENDIAN) Buffer.from(to.buffer).set(places);
    else for (let i = 0; i < this.size * 3; i++) to[i] = places.readDoubleLE(i * 8);
  }

  /** The row's entry as the index knows it: its DN, line and place, no attributes (partial). */
  entry(row: number): LdifEntry | null {
    const span = this.span(row);
    if (!span) return null;
    const v = this.rows.value(row);
    const sp = v.indexOf(' ');
    return { dn: v.slice(sp + 1), line: Number(v.slice(0, sp)), attrs: {}, span, partial: true };
  }

  /** The row of the entry with this DN (lower case), or -1. */
  rowOfDn(lowerDn: string): number { return lowerDn ? this.rows.first(stringHash(lowerDn), lowerDn) : -1; }

  /** The row of the entry with this anchor, or -1. */
  rowOfAnchor(anchor: string): number {
    return this.live(this.anchors.get(stringHash(anchor), anchor))[0] ?? -1;
  }

  /** The rows holding `value` (lower case) in `attribute` (lower case). */
  rowsWith(attribute: string, value: string): number[] {
    const key = `${attribute}\0${value}`;
    return this.live(this.values.get(stringHash(key), key));
  }

  /** The rows of `row generation` pairs still as their generation wrote them. */
  live(lists: readonly string[]): number[] {
    const out: number[] = [];
    for (const list of lists) {
      for (const pair of list.split(',')) {
        const sp = pair.indexOf(' ');
        const row = Number(pair.slice(0, sp));
        if (row < this.size && this.gen(row) === Number(pair.slice(sp + 1)) && this.span(row)) out.push(row);
      }
    }
    return out;
  }
}

/**
 * The bytes the entries of `rows` rows take in the file, each with the blank
 * line before it, from their places (`from`, `to`, generation per row, the
 * i-th number given by `at`; a removed row's `from` is -1): what a head's `live` says.
 */
export function entryBytes(rows: number, at: (i: number) => number): number {
  let n = 0;
  for (let row = 0; row < rows; row++) {
    const from = at(row * 3);
    if (from >= 0) n += 1 + at(row * 3 + 1) - from;
  }
  return n;
}

/** Saves the index of `path`, renamed into place whole and fsync'd (see writeFileDurably): a reader sees the old index or the new one. */
export async function writeIndexFile(path: string, { head, tables }: { head: Head; tables: Buffer[] }): Promise<void> {
  await writeFileDurably(indexPath(path), [`${JSON.stringify(head)}\n`, ...tables]);
}
