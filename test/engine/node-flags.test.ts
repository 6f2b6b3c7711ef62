/** The CLI starts Node with the engine's flags (NODE_FLAGS): the shebang of bin.js carries them. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../engine/heap-policy.ts';

const bin = fileURLToPath(new URL('../../engine/cli/bin.js', import.meta.url));
const printer = fileURLToPath(new URL('./print-exec-argv.mjs', import.meta.url));

test('bin.js run as a program starts Node with every flag of NODE_FLAGS', (t) => {
  t.true(NODE_FLAGS.length > 0);
  // Executed directly, as npx and the package's bin link do: the kernel reads the shebang.
  const r = spawnSync(bin, ['--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--import=${printer}` } });
  t.is(r.status, 0, r.stderr);
  const line = /execArgv=(.*)/.exec(r.stderr)?.[1];
  t.truthy(line, r.stderr);
  const argv = JSON.parse(line!) as string[];
  for (const flag of NODE_FLAGS) t.true(argv.includes(flag), `${flag} missing from ${line}`);
});

test('the shebang holds exactly NODE_FLAGS after node', (t) => {
  const first = readFileSync(bin, 'utf8').split('\n')[0];
  t.is(first, `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
});
