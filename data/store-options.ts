/** A transaction holds at most this many objects in memory before writing them out (`spillAfterObjects`). */
export const SPILL = 5000;
/** Parsed objects kept for reuse (`cacheObjects`): enough for the few reads per object of a sync, small beside any store. */
export const CACHE = 20_000;

/** How the embedded store (json-file-store.ts) is opened and when it writes out. */
export interface OpenOptions {
  /** Wait this long for another run's lock before failing (default 0: fail at once). */
  readonly waitMs?: number;
  /**
   * Write a snapshot when a commit leaves the journal with more ops than this (default: four times the
   * store's objects, at least 50,000). A snapshot rewrites the store and its index tables; at 100,000
   * people a full cycle with the store's own size as the limit took three, of 3–6 s each.
   */
  readonly compactAfterOps?: number;
  /** Closing writes a snapshot when the journal holds more ops than this (default 50,000 or a quarter of the store). */
  readonly compactOnCloseAfterOps?: number;
  /** A transaction writes its objects out, uncommitted, once it holds this many where its caller is settled, or twice this many (default 5,000). */
  readonly spillAfterObjects?: number;
  /** Parsed objects kept in memory for reuse (default 20,000). */
  readonly cacheObjects?: number;
  /** Opening holds metaverse objects parsed from the journal up to this many bytes of lines, then reads the last versions again (default 64 MB). */
  readonly replayHeldBytes?: number;
}
