/**
 * Where an object's latest version is. The embedded store keeps objects in
 * its files and only slots in memory: a slot names the file, offset and
 * length of the object's line, and holds the parsed object while the cache
 * keeps it. An object written in an open transaction is pinned in memory
 * (`file` IN_MEMORY) until the transaction writes it out.
 */
export const IN_MEMORY = -1;

export interface Slot<T> {
  obj: T | undefined;
  file: number;
  off: number;
  len: number;
}

/**
 * The parsed objects kept for reuse: the last `size` slots read or written
 * out. First in, first out; a full sync reads each object a few times in
 * quick succession, which this serves, and an LRU's bookkeeping on every hit
 * costs more than the few misses it saves.
 */
export class SlotCache {
  readonly #ring: (Slot<unknown> | undefined)[];
  #next = 0;
  constructor(readonly size: number) { this.#ring = new Array<Slot<unknown> | undefined>(size); }

  keep(slot: Slot<unknown>): void {
    const old = this.#ring[this.#next];
    // A pinned slot's object is its only copy; a slot kept twice is dropped by its older place.
    if (old && old !== slot && old.file !== IN_MEMORY) old.obj = undefined;
    this.#ring[this.#next] = slot;
    this.#next = (this.#next + 1) % this.size;
  }
}
