/** The cycle benchmark at N = 1,000, so its code keeps working. It asserts the shape of the rows, never a time. */
import test from 'ava';
import { spawnSync } from 'node:child_process';

test('npm run bench -- --n 1000 --json prints one row per phase, with the documented keys', (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx/esm', 'test/bench/cycle-bench.ts', '--n', '1000', '--json', '--fixed', '30', '--repeat', '2'], { encoding: 'utf8', timeout: 120_000 });
  t.is(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>[];
  t.deepEqual(rows.map((x) => x['phase']), ['lower bound', 'full cycle', 'delta cycle, 1% (10 people)', 'delta cycle, 30 people']);
  for (const row of rows) {
    for (const k of ['n', 'phase', 'wall_s', 'cpu_s', 'peak_rss_mb', 'objects_per_s', 'ratio_to_lower_bound']) t.true(k in row, `${k} in ${JSON.stringify(row)}`);
    t.true((row['wall_s'] as number) > 0);
    t.true((row['peak_rss_mb'] as number) > 0);
  }
  // Each delta is the median of its runs, each on a copy of the same state.
  t.deepEqual(rows.map((x) => x['runs']), [undefined, undefined, 2, 2]);
});
