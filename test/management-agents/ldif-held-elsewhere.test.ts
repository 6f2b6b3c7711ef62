/**
 * Records another writer made (ldif-held-elsewhere.ts): folded anywhere,
 * base64 where this agent writes plain, no space after the colon, carriage
 * returns, comments, another attribute or another case holding a value. A text
 * edit is made only where it parses as the change made whole.
 */
import test from 'ava';
import { editRecord } from '../../management-agents/ldif/ldif-edit.ts';
import { line as ourLine, parseLdif } from '../../management-agents/ldif/ldif-format.ts';
import { RecordText } from '../../management-agents/ldif/ldif-record-text.ts';
import { applyChanges } from '../../data/objects.ts';
import { prng } from '../../data/demo/people.ts';

const attrsOf = (text: string) => parseLdif(`version: 1\n\n${text}`).entries[0]!.attrs;
// One value or several, in any order: the parse and applyChanges may differ in both.
const sorted = (a: ReturnType<typeof attrsOf>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, (Array.isArray(v) ? [...v] : [v]).map(String).sort()]));
const values = (add: string[], remove: string[]) => ({ member: { op: 'values' as const, add, remove } });

/** One value's line as a foreign writer might write it: the forms a parse reads as the same value. */
function foreignLine(random: () => number, name: string, v: string): string {
  const safe = /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(v) && !v.endsWith(' ');
  const base64 = !safe || random() < 0.2;
  const space = random() < 0.15 ? '' : ' ';
  const whole = `${random() < 0.05 ? name.toUpperCase() : name}:${base64 ? ':' : ''}${space}${base64 ? Buffer.from(v).toString('base64') : v}`;
  const width = random() < 0.4 ? 0 : 2 + Math.floor(random() * 70);
  let out = width ? whole.slice(0, width) : whole;
  for (let i = width; width && i < whole.length; i += width) out += `\n ${whole.slice(i, i + width)}`;
  return out.split('\n').map((l) => (random() < 0.1 ? `${l}\r` : l)).join('\n');
}

const dn = (i: number) => (i % 6 === 0 ? `CN=Zoë Ürban ${i},OU=People,DC=corp,DC=example,DC=com` : `CN=Member ${i},OU=People,DC=corp,DC=example,DC=com`);

test('over records other writers made, every text edit parses as the change made whole, and those it cannot make are left to a parse', (t) => {
  const random = prng(23);
  let edited = 0;
  let refused = 0;
  for (let round = 0; round < 400; round++) {
    const held = Array.from({ length: 5 + Math.floor(random() * 40) }, () => dn(Math.floor(random() * 80)));
    const lines = ['dn: CN=G,DC=corp', 'objectClass: group'];
    for (const v of held) {
      // Most lines as this agent writes them, so that text edits are tried; the others another writer's.
      lines.push(random() < 0.85 ? ourLine('member', v) : foreignLine(random, 'member', v));
      if (random() < 0.03) lines.push(`# a comment naming ${v}`);
      if (random() < 0.02) lines.push(foreignLine(random, 'description', v));
    }
    const text = `${lines.join('\n')}\n`;
    const remove = [...new Set(held)].filter(() => random() < 0.15);
    const add = Array.from({ length: Math.floor(random() * 4) }, () => dn(Math.floor(random() * 100)));
    const changes = values(add, remove);
    // In one piece, and cut after line ends into pieces, as a reader hands a large record.
    const cut = text.split(/(?<=\n)(?! )/);
    const pieces = [cut.slice(0, cut.length >> 1).join(''), cut.slice(cut.length >> 1).join('')].filter(Boolean);
    for (const record of [text, new RecordText(pieces)]) {
      const out = editRecord(record, changes);
      if (out === null) { refused++; continue; }
      edited++;
      t.deepEqual(sorted(attrsOf(out)), sorted(applyChanges(attrsOf(text), changes)), `round ${round}: ${JSON.stringify(text)} ${JSON.stringify(changes)}`);
    }
  }
  t.true(edited > 200 && refused > 100, `both kinds of outcome (${edited} edited, ${refused} left to a parse)`);
});

test('a value held in another form is found however it is written; a comment or a longer value that holds its text is not it', (t) => {
  const v = 'CN=Anna Berg,OU=People,DC=corp,DC=example,DC=com';
  const b64 = Buffer.from(v).toString('base64');
  const rec = (...lines: string[]) => `dn: CN=G,DC=corp\n${lines.join('\n')}\n`;
  const heldAs = [`member:: ${b64}`, `member::${b64}`, `member:${v}`, `member: ${v}\r`, `member: CN=Anna Berg,OU=Pe\n ople,DC=corp,DC=example,DC=com`, `mem\n ber: ${v}`, `member:\n  ${v}`, `member:: ${b64.slice(0, 9)}\r\n ${b64.slice(9)}`, `Member: ${v}`, `manager: ${v}`, `member:\t${v}`];
  for (const line of heldAs) {
    t.is(editRecord(rec(line), values([v], [])), null, `adding, held as ${JSON.stringify(line)}`);
    t.is(editRecord(rec(`member: ${v}`, line), values([], [v])), null, `deleting, also held as ${JSON.stringify(line)}`);
  }
  for (const line of [`# member: ${v}`, `#\n  member: ${v}`, `member: ${v},OU=More`, `description: see ${v}`]) {
    const out = editRecord(rec(line), values([v], []));
    t.not(out, null, `adding, beside ${JSON.stringify(line)}`);
    t.deepEqual(sorted(attrsOf(out!)), sorted(applyChanges(attrsOf(rec(line)), values([v], []))), JSON.stringify(line));
  }
});
