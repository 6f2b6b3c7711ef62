/**
 * A record read in pieces (ldif-record-text.ts) is edited as the whole string
 * is: the same edits, the same ranges written in place, the same room, the
 * same refusals where a value is held some other way.
 */
import test from 'ava';
import { editInPlace, editRecord, editText, roomOf, withRoom } from '../../management-agents/ldif/ldif-edit.ts';
import { PIECE, readRecord, RecordText } from '../../management-agents/ldif/ldif-record-text.ts';
import { contentRecord } from '../../management-agents/ldif/ldif-format.ts';
import { prng } from '../../data/demo/people.ts';

const name = (i: number) => (i % 7 === 0 ? `CN=Zoë Ürban ${i},OU=People,DC=corp,DC=example,DC=com` : `CN=Member ${i} of a rather long department name,OU=People,DC=corp,DC=example,DC=com`);
const values = (add: string[], remove: string[]) => ({ member: { op: 'values' as const, add, remove } });

/** The record's bytes handed to `take` in parts of random sizes, as a reader hands a range past its block. */
const inParts = (text: string, random: () => number) => readRecord((take) => {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; ) {
    const end = Math.min(bytes.length, at + 1 + Math.floor(random() * 3 * PIECE));
    // Each part in a buffer of its own with bytes around it, as a reader's block has.
    const buf = Buffer.concat([Buffer.from('xx'), bytes.subarray(at, end), Buffer.from('\nyy')]);
    take(buf, 2, 2 + end - at);
    at = end;
  }
});

/** `text` cut after random logical line ends into many small pieces. */
function cutAnywhere(text: string, random: () => number): RecordText {
  const pieces: string[] = [];
  let from = 0;
  for (let nl = text.indexOf('\n'); nl >= 0 && nl + 1 < text.length; nl = text.indexOf('\n', nl + 1)) {
    if (text.charCodeAt(nl + 1) === 32 || random() < 0.7) continue;
    pieces.push(text.slice(from, nl + 1));
    from = nl + 1;
  }
  pieces.push(text.slice(from));
  return new RecordText(pieces);
}

test('a record read in parts is cut into pieces after logical line ends, and joins back to its text', (t) => {
  const random = prng(5);
  for (let round = 0; round < 5; round++) {
    const text = withRoom(contentRecord('CN=G,DC=corp', { objectClass: 'group', member: Array.from({ length: 3000 + round * 500 }, (_, i) => name(i)) }));
    const r = inParts(text, random);
    t.true(r.pieces.length >= 4, `${r.pieces.length} pieces`);
    t.is(r.toString(), text);
    t.is(r.length, text.length);
    r.pieces.forEach((p, i) => {
      if (i > 0) t.not(p.charCodeAt(0), 32, 'no piece starts with a continuation line');
      if (i < r.pieces.length - 1) t.true(p.endsWith('\n') && p.length >= PIECE / 2, `piece ${i} of ${p.length}`);
    });
    for (let i = 0; i < 200; i++) {
      const at = Math.floor(random() * text.length);
      t.is(r.charCodeAt(at), text.charCodeAt(at));
      t.is(r.indexOf('\n', at), text.indexOf('\n', at));
      const b = at + Math.floor(random() * 3 * PIECE);
      t.is(r.slice(at, b), text.slice(at, b));
    }
  }
});

test('edits, in place and anew, and the room are the same for a record in pieces as for its whole text', (t) => {
  const random = prng(11);
  let members = Array.from({ length: 2500 }, (_, i) => name(i));
  for (let round = 0; round < 30; round++) {
    const text = withRoom(contentRecord('CN=G,DC=corp', { objectClass: 'group', member: members }));
    const pieces = round % 2 ? inParts(text, random) : cutAnywhere(text, random);
    // A few values (searched folded) or many (searched unfolded), added and removed, some added that it holds.
    const many = round % 3 === 0 ? 40 : 3;
    const remove = members.filter(() => random() < many / members.length);
    const add = [...Array.from({ length: many }, (_, i) => name(10_000 + round * 100 + i)), ...(round % 4 === 0 ? [members[7]!] : [])];
    const change = values(add, remove);
    t.deepEqual(editInPlace(text, change), editInPlace(pieces.toString(), change));
    t.deepEqual(editText(pieces, change, true), editText(text, change, true), `round ${round}, in place`);
    t.deepEqual(editText(pieces, change, false), editText(text, change, false), `round ${round}, anew`);
    t.is(editRecord(pieces, change), editRecord(text, change));
    t.deepEqual(roomOf(pieces), roomOf(text));
    t.truthy(editText(pieces, change, true)?.dirty, 'in place');
    members = [...members.filter((m) => !remove.includes(m)), ...add.filter((a) => !members.includes(a))];
  }
});

test('a value held some other way (folded elsewhere, or in base64) stops the edit in pieces as in the whole', (t) => {
  const random = prng(2);
  const members = Array.from({ length: 2500 }, (_, i) => name(i));
  const text = withRoom(contentRecord('CN=G,DC=corp', { objectClass: 'group', member: members }));
  // Another writer's line for a new member, folded at another column, far into the record.
  const foreign = `member: ${name(99_999)}`;
  const refolded = `${foreign.slice(0, 30)}\n ${foreign.slice(30)}\n`;
  const at = text.indexOf('\nmember: ', Math.floor(text.length * 0.7)) + 1;
  const held = text.slice(0, at) + refolded + text.slice(at);
  for (const count of [1, 20]) {
    const add = [name(99_999), ...Array.from({ length: count - 1 }, (_, i) => name(50_000 + i))];
    t.is(editText(held, values(add, []), true), null, `${count} values, whole`);
    t.is(editText(cutAnywhere(held, random), values(add, []), true), null, `${count} values, in pieces`);
    t.is(editText(inParts(held, random), values(add, []), true), null, `${count} values, read in parts`);
  }
  // In base64, where this agent writes it plainly.
  const b64 = `${text.slice(0, at)}member:: ${Buffer.from(name(88_888)).toString('base64')}\n${text.slice(at)}`;
  t.is(editText(cutAnywhere(b64, random), values([name(88_888)], []), true), null);
});
