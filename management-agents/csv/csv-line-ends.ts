/**
 * Whether a source file's lines all end alike, "\n" throughout or "\r\n"
 * throughout, by a scan of its bytes. Then each line is a record boundary
 * that csv-parse would find too, outside quoted fields, and the file can be
 * read a line at a time (csv-source.ts). csv-parse takes the first line end
 * it meets as the file's: after it, a lone "\r" would end a record, or a
 * "\n" be data inside a field of a "\r\n" file. The scan works on bytes, so
 * only for encodings in which those are single bytes of their own (UTF-8,
 * Windows-1252), not UTF-16.
 */
import type { CsvAgentConfig } from './csv-agent-config.ts';

const CR = 13;
const LF = 10;

export class LineEndScan {
  #possible: boolean;
  #first = true;
  /** The last byte of the chunk before. */
  #prev = -1;
  #cr = 0;
  #lf = 0;
  #crlf = 0;

  constructor(cfg: Pick<CsvAgentConfig, 'quote' | 'delimiter' | 'encoding'>) {
    this.#possible = cfg.quote.length === 1 && cfg.encoding !== 'utf16le' && cfg.delimiter !== '' && !/[\r\n]/.test(cfg.delimiter + cfg.quote);
  }

  /** Whether the bytes pushed, the whole file, can be read a line at a time. */
  get alike(): boolean {
    return this.#possible && (this.#cr === 0 || (this.#cr === this.#crlf && this.#lf === this.#crlf));
  }

  /** The file's next bytes. */
  push(buf: Buffer): void {
    if (!this.#possible || buf.length === 0) return;
    // A UTF-16 byte order mark: the decoder reads UTF-16 whatever the setting says.
    if (this.#first && buf[0] === 0xff && buf[1] === 0xfe) this.#possible = false;
    this.#first = false;
    if (this.#prev === CR && buf[0] === LF) this.#crlf++;
    for (let at = buf.indexOf(CR); at >= 0; at = buf.indexOf(CR, at + 1)) {
      this.#cr++;
      if (buf[at + 1] === LF) this.#crlf++;
    }
    for (let at = buf.indexOf(LF); at >= 0; at = buf.indexOf(LF, at + 1)) this.#lf++;
    this.#prev = buf[buf.length - 1]!;
  }
}
