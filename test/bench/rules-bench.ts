/**
 * npm run bench:rules — compile 10,000 lines of rules; evaluate a typical flow
 * expression millions of times. Prints a table; the bars are checked here,
 * never in the tests.
 */
import { compileExpr, compileSources, parseExpression } from '../../rules/index.ts';
import { rulesLexer } from '../../rules/tokens.ts';
import os from 'node:os';

function rulesOfLines(target: number): string {
  const parts: string[] = ['object person {', ...Array.from({ length: 40 }, (_, i) => `  a${i}: string${i < 5 ? ' indexed' : ''}`), '}'];
  let n = 0;
  while (parts.join('\n').split('\n').length < target) {
    parts.push(
      `agent hr${n} type csv {`, `  path = "hr${n}.csv"`, '  object person {', '    anchor id', `    attributes id, givenName, sn, mail, title, dept, manager`, '  }', '}',
      `inbound "hr ${n}" from hr${n}.person to person precedence ${n + 1} {`,
      '  join {', '    group {', '      match [id] to [a0]', '    }', '    group {', '      match ToLower([mail]) to [a1]', '    }', '  }',
      '  project when [title] <> "Test"',
      ...Array.from({ length: 12 }, (_, i) => `  flow a${(i % 35) + 5} <- IIF(IsPresent([givenName]), Trim([givenName]) & " " & Trim([sn]), Coalesce([mail], "${i}"))`),
      '}',
    );
    n++;
  }
  return parts.join('\n') + '\n';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const text = rulesOfLines(10_000);
const lines = text.split('\n').length;
const tokens = rulesLexer.tokenize(text).tokens.length;
const times: number[] = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  const r = compileSources(new Map([['bench.sync', text]]));
  times.push(performance.now() - t0);
  if (!r.model) throw new Error(r.diagnostics.slice(0, 3).map((d) => d.message).join('; '));
}
const compileMs = median(times.slice(2));

const expr = compileExpr(parseExpression('Trim([givenName]) & " " & Trim([sn])', 'entra').value, 'entra');
const rows = Array.from({ length: 1024 }, (_, i) => ({ givenName: ` Given${i} `, sn: `Surname${i} ` }));
let sink = 0;
for (let i = 0; i < 200_000; i++) sink += (expr(rows[i & 1023]!, {}) as string).length;
const N = 5_000_000;
const t0 = performance.now();
for (let i = 0; i < N; i++) sink += (expr(rows[i & 1023]!, {}) as string).length;
const evalS = (performance.now() - t0) / 1000;
const perSecond = N / evalS;

const table = [
  ['measure', 'result', 'bar', 'met'],
  [`compile ${lines} lines (${tokens} tokens), median of 5`, `${compileMs.toFixed(0)} ms`, '< 300 ms', compileMs < 300 ? 'yes' : 'no'],
  ['evaluate Trim([givenName]) & " " & Trim([sn])', `${(perSecond / 1e6).toFixed(2)} M/s`, '>= 2 M/s', perSecond >= 2e6 ? 'yes' : 'no'],
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
process.stdout.write(`idsync rules benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB\n\n`);
for (const [i, r] of table.entries()) {
  process.stdout.write(`| ${r.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |\n`);
  if (i === 0) process.stdout.write(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
}
if (sink === 42) process.stdout.write('\n');
