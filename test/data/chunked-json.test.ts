/** Long lists of strings written in pieces (chunked-json.ts): the same JSON to any reader, read back a piece at a time. */
import test from 'ava';
import { CHUNK, chunkedJson, parseChunked } from '../../data/chunked-json.ts';

const dn = (i: number) => `CN=Person ${i} "quoted" \\ back\r\nline é 😀,OU=People,DC=corp,DC=example,DC=com`;
const members = (n: number, from = 0) => Array.from({ length: n }, (_, i) => dn(from + i));
const bytes = (text: string) => Buffer.from(`xx${text}yy`, 'utf8');
const read = (text: string) => { const b = bytes(text); return parseChunked(b, 2, b.length - 2); };
/** The pieces of a text between its carriage returns. */
const pieces = (text: string) => text.split('\r');

test('a long list is cut into pieces under CHUNK each, and the text is the same JSON value', (t) => {
  const value = ['cs', 'directory', 'id-1', { anchor: 'a', hologram: { member: members(5000), sn: 'x' }, pending: [1, 2] }];
  const text = chunkedJson(value);
  t.true(pieces(text).length >= 8, `${pieces(text).length} pieces`);
  for (const p of pieces(text)) t.true(Buffer.byteLength(p) < 2 * CHUNK, `a piece of ${p.length}`);
  t.deepEqual(JSON.parse(text), value);
  t.deepEqual(read(text), value);
});

test('several long lists, nested ones, and a record with a key named __proto__ read back as written', (t) => {
  const value = JSON.parse(JSON.stringify({ a: members(3000), b: { c: [members(3000, 5000), 'short', members(10)] }, d: members(3000, 9000) })) as Record<string, unknown>;
  Object.defineProperty(value, '__proto__', { value: members(3000, 20000), enumerable: true });
  const text = chunkedJson(value);
  t.true(pieces(text).length > 4 * 3);
  t.deepEqual(read(text), JSON.parse(text));
  t.is(JSON.stringify(read(text)), JSON.stringify(value));
});

test('short lists, lists that hold other than strings, and small values are written as JSON.stringify writes them', (t) => {
  for (const value of [{ a: members(10) }, { a: [...members(5000), 1] }, 'text', 42, null, []]) t.is(chunkedJson(value), JSON.stringify(value));
});

test('the value is not changed by writing it: the lists are cut in a copy', (t) => {
  const list = members(5000);
  const value = { hologram: { member: list } };
  chunkedJson(value);
  t.is(value.hologram.member, list);
  t.is(list.length, 5000);
});

test('a value that reads as the writer\'s mark is kept: the text is written plainly, and read whole', (t) => {
  const value = { a: members(5000), b: '\u0000idsync-chunk:0' };
  const text = chunkedJson(value);
  t.is(text, JSON.stringify(value));
  t.deepEqual(read(text), value);
  // Cut by a writer that did not check, the piece holding the mark is found, and the text read whole.
  const cut = `{"b":["\\u0000idsync-chunk:0"],"a":[\r${JSON.stringify(members(3000)).slice(1, -1)}\r,"x"\r]}`;
  t.deepEqual(read(cut), JSON.parse(cut));
});

test('carriage returns that are not cuts, and text too short to be cut, are read whole', (t) => {
  const spaced = `{\r"a":\r${JSON.stringify(members(3000))}\r}`;
  t.deepEqual(read(spaced), JSON.parse(spaced));
  t.deepEqual(read('{"a":\r[1]}'), { a: [1] });
});

test('a damaged text is an error, as JSON.parse gives it', (t) => {
  const text = chunkedJson({ a: members(5000) });
  const b = bytes(text);
  t.throws(() => parseChunked(b, 2, b.length - 40), { instanceOf: SyntaxError });
  const broken = text.replace('","', '",,"');
  t.throws(() => read(broken), { instanceOf: SyntaxError });
});
