/** A CSV source's multi-valued fields (csv-agent.ts `valuesIn`): split, each value trimmed, empty ones dropped, whatever the separator. */
import test from 'ava';
import { valuesIn } from '../../management-agents/csv/csv-agent.ts';

// What every field's values were before the split-only path: the rule the fast path must keep.
const reference = (field: string, separator: string) => field.split(separator).map((x) => x.trim()).filter(Boolean);

test('a field with nothing to trim or drop is its split; any other is trimmed and emptied as before', (t) => {
  t.deepEqual(valuesIn('100001;100011;C000042', ';'), ['100001', '100011', 'C000042']);
  t.deepEqual(valuesIn('a ; b;;c;', ';'), ['a', 'b', 'c']);
  t.deepEqual(valuesIn(';a', ';'), ['a']);
  t.deepEqual(valuesIn('a\u00a0;\u2028b', ';'), ['a', 'b'], 'the whitespace trim removes, not only spaces');
  t.deepEqual(valuesIn('a b;c d', ';'), ['a b', 'c d'], 'whitespace inside a value stays');
  t.deepEqual(valuesIn('a.b..c', '.'), ['a', 'b', 'c'], 'a separator that is a pattern character');
  t.deepEqual(valuesIn('a||b|| c', '||'), ['a', 'b', 'c'], 'a separator of two characters');
});

test('for random fields and separators, the same values as splitting, trimming and dropping each', (t) => {
  const pieces = ['a', 'B7', ' ', '\t', '\u00a0', '\u2028', '\ufeff', 'x y', ';', '|', '.', ',', ' ;', '; '];
  let seed = 7;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (const separator of [';', '|', '.', ' ', ', ', '||']) {
    for (let i = 0; i < 2000; i++) {
      let field = '';
      for (let k = next(9); k >= 0; k--) field += next(3) === 0 ? separator : pieces[next(pieces.length)]!;
      field = field.trim();
      if (!field) continue;
      t.deepEqual(valuesIn(field, separator), reference(field, separator), JSON.stringify([field, separator]));
    }
  }
});
