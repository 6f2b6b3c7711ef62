/**
 * JSON text with every non-ASCII character written as a \u escape, for the
 * store's catalog: written once per snapshot, read whole by every open.
 *
 * Decoding UTF-8 is fast while the bytes are ASCII. One accented name in a
 * 16 MB chunk makes the whole chunk a two-byte string and its decoding three
 * times slower: the 100k catalog (99 MB, 0.2% of it non-ASCII) took 180 ms
 * to decode against 60 ms. JSON holds such characters only inside strings,
 * where an escape means the same, so JSON.parse reads either form.
 *
 * Not for every journal line: escaping each one written made the full syncs
 * about 5% slower (measured), more than decoding the journal at the next open
 * costs. Only long lines are (op-lines.ts).
 */
const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_ALL = /[^\x00-\x7f]/g;
/** Escapes made so far (at most one per UTF-16 unit): building one per character took three times as long as finding them (measured). */
const escapes = new Map<string, string>();
function escape(c: string): string {
  let e = escapes.get(c);
  if (e === undefined) escapes.set(c, (e = `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return e;
}

/** JSON.stringify, ASCII only. */
export const asciiJson = (value: unknown): string => asciiText(JSON.stringify(value));

/** JSON text made ASCII only: the same value for JSON.parse. */
export function asciiText(json: string): string {
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, escape) : json;
}
