/** The steady-state benchmark at N = 300, so its code keeps working. It asserts the shape of the rows, never a time. */
import test from 'ava';
import { spawnSync } from 'node:child_process';

test('npm run bench:steady -- --n 300 --deltas 2 --json prints the full cycle and each delta, with the journal each opened', (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx/esm', 'test/bench/steady-bench.ts', '--n', '300', '--deltas', '2', '--json'], { encoding: 'utf8', timeout: 120_000 });
  t.is(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>[];
  t.deepEqual(rows.map((x) => x['delta']), [0, 1, 2]);
  for (const row of rows) {
    for (const k of ['n', 'delta', 'journal_mb', 'open_s', 'wall_s', 'cpu_s', 'peak_rss_mb']) t.true(k in row, `${k} in ${JSON.stringify(row)}`);
    t.true(row['open_s']! > 0 && row['open_s']! < row['wall_s']!, 'the open is part of the run');
  }
  // The full cycle at 300 people leaves its journal (below the snapshot's threshold): each delta opens more of it.
  t.is(rows[0]!['journal_mb'], 0);
  t.true(rows[1]!['journal_mb']! > 0 && rows[2]!['journal_mb']! > rows[1]!['journal_mb']!);
  const bad = spawnSync(process.execPath, ['--import', 'tsx/esm', 'test/bench/steady-bench.ts', '--n', 'ten'], { encoding: 'utf8', timeout: 60_000 });
  t.not(bad.status, 0);
  t.regex(bad.stderr, /--n takes a whole number/);
});
