/**
 * JSON text with every non-ASCII character written as a \u escape, for the
 * store's files and other large JSON lines read back often.
 *
 * Decoding UTF-8 is fast while the bytes are ASCII. One accented name in a
 * 16 MB chunk makes the whole chunk a two-byte string and its decoding three
 * times slower: at 100,000 people about 0.6 s of every open went to decoding
 * the catalog and journal, whose non-ASCII bytes are 0.2% and 1.5% of them.
 * JSON holds such characters only inside strings, where an escape means the
 * same, so JSON.parse reads either form.
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
export function asciiJson(value: unknown): string {
  const text = JSON.stringify(value);
  return NON_ASCII.test(text) ? text.replace(NON_ASCII_ALL, escape) : text;
}
