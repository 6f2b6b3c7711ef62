/**
 * The ldif agent's watermark: where in the change log the last import left
 * off, and the directory file's size and time then. Anything else (an older
 * engine's null, a damaged value) reads as none, and the import runs full.
 */
export interface LdifWatermark {
  /** Byte offset in the change log. */
  readonly offset: number;
  /** The directory file's stamp (see fileStamp in journaled-file.ts). */
  readonly file: string;
}

export function readWatermark(w: string | null): LdifWatermark | null {
  if (w === null) return null;
  try {
    const v = JSON.parse(w) as Partial<LdifWatermark>;
    return Number.isSafeInteger(v.offset) && v.offset! >= 0 && typeof v.file === 'string' ? { offset: v.offset!, file: v.file } : null;
  } catch {
    return null;
  }
}

export const writeWatermark = (w: LdifWatermark): string => JSON.stringify(w);
