/**
 * The watermark of a file agent that logs its own rewrites (ldif, and csv
 * writing the file it imports): where in its change log the last import left
 * off, and the file's size and time then. Anything else (an older engine's
 * null, a damaged value) reads as none, and the import runs full.
 */
import { stat } from 'node:fs/promises';

export interface LogWatermark {
  /** Byte offset in the change log. */
  readonly offset: number;
  /** The file's stamp (see fileStamp in journaled-file.ts). */
  readonly file: string;
}

export function readWatermark(w: string | null): LogWatermark | null {
  if (w === null) return null;
  try {
    const v = JSON.parse(w) as Partial<LogWatermark>;
    return Number.isSafeInteger(v.offset) && v.offset! >= 0 && typeof v.file === 'string' ? { offset: v.offset!, file: v.file } : null;
  } catch {
    return null;
  }
}

export const writeWatermark = (w: LogWatermark): string => JSON.stringify(w);

/** The log's length in bytes; 0 before the first export. */
export async function logSize(path: string): Promise<number> {
  return stat(path).then((s) => s.size, (err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return 0; throw err; });
}

/**
 * Whether the file, last seen as `from`, changed since only by the rewrites
 * logged (each the file's stamp before and after): then it is `now`.
 */
const onlyRewritten = (from: string, rewrites: readonly (readonly [string, string])[], now: string): boolean =>
  rewrites.reduce<string | null>((at, [before, after]) => (at === before ? after : null), from) === now;

/** What a change log says since a watermark's offset: null when the log is shorter, so the offset means nothing. */
export interface LogSince {
  /** Why the log cannot serve a delta import (a line it cannot read), or null. */
  readonly unusable: string | null;
  /** The file's stamp before and after each rewrite logged. */
  readonly rewrites: readonly (readonly [string, string])[];
}

/**
 * Why a delta import cannot go on from watermark `from` with the log at
 * `log` as read since (`since`), for the file at `file` now stamped `now`;
 * null when it can. Any reason means a full import.
 */
export function whyNotDelta(from: LogWatermark | null, since: LogSince | null, log: string, file: string, now: string): string | null {
  return !from ? 'the watermark is not one this agent wrote'
    : !since ? `${log} is shorter than at the last import`
    : since.unusable ? `${log}: ${since.unusable}`
    : !onlyRewritten(from.file, since.rewrites, now) ? `${file} was changed other than by this agent's exports` : null;
}
