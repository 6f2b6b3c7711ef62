/** `idsync check`, `idsync eval`, `idsync fmt`: the rules language from the command line. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic, Dialect } from '../../../rules/index.ts';
// From the modules themselves, not index.ts: it loads the parser, which only eval and fmt need (parse-cache.ts).
import { checkExpr } from '../../../rules/validate-expr.ts';
import { compileExpr } from '../../../rules/compile-expr.ts';
import { compileProject, findRuleFiles } from '../../../rules/compile-project.ts';
import { formatDiagnostic } from '../../../rules/diagnostics.ts';
import { formatDocument } from '../../../rules/format.ts';
import { toStored } from '../../../rules/values.ts';
import { CliError, ExitCode } from '../exit-codes.ts';

type Out = (line: string) => void;

export function printDiagnostics(ds: readonly Diagnostic[], json: boolean, out: Out): void {
  if (json) out(JSON.stringify(ds, null, 2));
  else for (const d of ds) out(formatDiagnostic(d));
}

export function registerRulesCommands(program: Command, out: Out, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('compile every *.sync file of the project and report every problem')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'print diagnostics as a JSON array')
    .action(async (o: { project: string; json?: boolean }) => {
      const r = await compileProject(resolve(o.project));
      if (r.files.length === 0) throw new CliError(`no *.sync files under ${resolve(o.project)}`);
      printDiagnostics(r.diagnostics, !!o.json, out);
      const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
      if (!o.json && errors === 0) out(`${r.files.length} file(s) checked, no errors${r.diagnostics.length ? `, ${r.diagnostics.length} warning(s)` : ''}`);
      setExit(errors ? ExitCode.Failed : ExitCode.Ok);
    });

  program
    .command('eval')
    .description('evaluate one expression against an object given as JSON')
    .argument('<expression>')
    .option('--dialect <dialect>', 'entra or aadc', 'entra')
    .option('--attrs <json>', 'attribute name → value or array of values', '{}')
    .option('--json', 'print the result as JSON')
    .action(async (text: string, o: { dialect: string; attrs: string; json?: boolean }) => {
      if (o.dialect !== 'entra' && o.dialect !== 'aadc') throw new CliError(`--dialect must be entra or aadc, not '${o.dialect}'`, ExitCode.Usage);
      let attrs: Record<string, unknown>;
      try {
        attrs = JSON.parse(o.attrs) as Record<string, unknown>;
        if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) throw new Error('not an object');
      } catch (err) {
        throw new CliError(`--attrs is not a JSON object: ${(err as Error).message}`, ExitCode.Usage);
      }
      const dialect = o.dialect as Dialect;
      const { parseExpression } = await import('../../../rules/parse.ts');
      const parsed = parseExpression(text, dialect);
      const ds = [...parsed.diagnostics];
      if (!ds.length) {
        checkExpr(parsed.value, dialect, { what: 'attribute', owner: 'in --attrs', names: undefined }, (severity, code, message, loc) =>
          ds.push({ file: '<expression>', line: loc.line, column: loc.column, length: loc.length, severity, code, message }));
      }
      if (ds.some((d) => d.severity === 'error')) {
        printDiagnostics(ds, !!o.json, out);
        return setExit(ExitCode.Failed);
      }
      try {
        const value = toStored(compileExpr(parsed.value, dialect)(attrs, {}));
        out(o.json ? JSON.stringify({ value }) : value === null ? 'NULL' : Array.isArray(value) ? value.join('\n') : String(value));
        setExit(ExitCode.Ok);
      } catch (err) {
        throw new CliError(`<expression>:1:1 error IDS0210 ${(err as Error).message}`);
      }
    });

  program
    .command('fmt')
    .description('rewrite *.sync files in the canonical layout')
    .argument('[files...]', 'files (default: every *.sync under the current directory)')
    .option('--check', 'exit 1 when a file would change, and change nothing')
    .action(async (files: string[], o: { check?: boolean }) => {
      const targets = files.length ? files : await findRuleFiles(process.cwd());
      let changed = 0;
      const { parseDocument } = await import('../../../rules/parse.ts');
      for (const f of targets) {
        const text = await readFile(f, 'utf8');
        const parsed = parseDocument(f, text);
        if (parsed.diagnostics.some((d) => d.severity === 'error')) {
          printDiagnostics(parsed.diagnostics, false, out);
          throw new CliError(`${f}: not formatted, fix the syntax errors first`);
        }
        const formatted = formatDocument(parsed.value);
        if (formatted === text) continue;
        changed++;
        if (o.check) out(`${f} would be reformatted`);
        else await writeFile(f, formatted);
      }
      setExit(o.check && changed ? ExitCode.Failed : ExitCode.Ok);
    });
}
