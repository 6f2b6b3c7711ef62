/**
 * The deletion threshold's percentage, decided from the bounds of a space's
 * size that ask nothing, and from its size only when they cannot tell.
 */
import test from 'ava';
import { overPercent } from '../../engine/export/run-export.ts';
import type { ConnectorSpaceView } from '../../data/store.ts';

/** A space whose size is somewhere in [min, max]; counts how often the size is read. */
function space(min: number, size: number, max: number) {
  const seen = { sizeReads: 0 };
  const view = { sizeRange: () => ({ min, max }), get size() { seen.sizeReads++; return size; } } as unknown as ConnectorSpaceView;
  return { view, seen };
}

/** The rule as it was written before the bounds: any size, read every time. */
const before = (deletes: number, size: number, percent: number) => size > 0 && (deletes / size) * 100 > percent;

test('the same decision as reading the size, for every size the bounds allow, at and around the percentage', (t) => {
  let decided = 0;
  let read = 0;
  for (const percent of [0, 10, 20, 33.3, 100])
    for (let deletes = 1; deletes <= 12; deletes++)
      for (let min = 0; min <= 40; min++)
        for (const extra of [0, 1, 3, 10])
          for (let size = min; size <= min + extra; size++) {
            const { view, seen } = space(min, size, min + extra);
            t.is(overPercent(view, deletes, percent), before(deletes, size, percent), `${deletes} deletes of ${size} (${min}–${min + extra}) at ${percent}%`);
            if (seen.sizeReads) read++;
            else decided++;
          }
  // Both ways are taken: most cases by the bounds, the ones between them by the size.
  t.true(decided > read, `${decided} by the bounds, ${read} by the size`);
  t.true(read > 0);
});

test('a space whose bounds decide is not asked its size', (t) => {
  // A 1% delta's replay at 100,000: 1,000 ids put back, 333 deletes at 20% are clearly under.
  const under = space(100_000, 100_400, 101_000);
  t.false(overPercent(under.view, 333, 20));
  t.is(under.seen.sizeReads, 0);
  const over = space(1_000, 1_200, 1_500);
  t.true(overPercent(over.view, 400, 20));
  t.is(over.seen.sizeReads, 0);
  // 20% of a size between 1,000 and 1,500: 250 deletes are over for 1,000 and under for 1,500.
  const between = space(1_000, 1_200, 1_500);
  t.true(overPercent(between.view, 250, 20));
  t.is(between.seen.sizeReads, 1);
});
