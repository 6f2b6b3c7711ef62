/** Decodes a byte stream to text: UTF-8 with or without BOM, UTF-16 LE (BOM or setting), Windows-1252. */
import { Transform } from 'node:stream';
import { TextDecoder } from 'node:util';

export function decoderStream(encoding: 'utf8' | 'utf16le' | 'windows-1252' | undefined): Transform {
  let decoder: TextDecoder | null = null;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!decoder) {
        // The BOM wins over the setting: a file saved by Excel says what it is.
        const label = chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 'utf-8' : encoding === 'utf16le' ? 'utf-16le' : encoding === 'windows-1252' ? 'windows-1252' : 'utf-8';
        decoder = new TextDecoder(label, { fatal: label === 'utf-8', ignoreBOM: false });
      }
      try {
        cb(null, decoder.decode(chunk, { stream: true }));
      } catch (err) {
        cb(new Error(`the file is not valid UTF-8 (set encoding = "windows-1252" or "utf16le"): ${(err as Error).message}`));
      }
    },
    flush(cb) {
      cb(null, decoder ? decoder.decode() : '');
    },
  });
}

/** Spreadsheet formula injection: a cell starting with = + - @ (or tab, CR) is prefixed with a quote. */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV line: values joined by the delimiter, quoted where needed, formulas neutralised. */
export function csvRow(values: readonly unknown[], cfg: { readonly delimiter: string; readonly valueSeparator: string }): string {
  const cell = (v: unknown): string => {
    const text = neutralizeFormula(Array.isArray(v) ? v.join(cfg.valueSeparator) : v === null || v === undefined ? '' : String(v));
    return /[",\r\n;]/.test(text) || text.includes(cfg.delimiter) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return values.map(cell).join(cfg.delimiter) + '\n';
}
