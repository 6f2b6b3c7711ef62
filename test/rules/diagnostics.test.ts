/** Every error case the rules issue names, with its stable code and position. */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { codes, compileOne } from '../helpers/rules.ts';
import { formatDiagnostic } from '../../rules/index.ts';

const base = readFileSync(new URL('../fixtures/rules/full.sync', import.meta.url), 'utf8');
const edit = (from: string, to: string) => {
  if (!base.includes(from)) throw new Error(`fixture lacks ${from}`);
  return base.replace(from, to);
};

test('the full fixture compiles without errors', (t) => {
  const r = compileOne(base);
  t.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  t.truthy(r.model);
});

test('unknown metaverse attribute: file:line:column, code and a suggestion', (t) => {
  const r = compileOne(edit('flow status <- [status]', 'flow displayname <- [status]'), 'hr.sync');
  const d = r.diagnostics.find((x) => x.code === 'IDS0104');
  t.truthy(d);
  t.regex(formatDiagnostic(d!), /^hr\.sync:\d+:8 error IDS0104 unknown metaverse attribute 'displayname' \(did you mean 'displayName'\?\)$/);
});

test('unknown function, with a suggestion', (t) => {
  const r = compileOne(edit('Trim([givenName])', 'Trm([givenName])'));
  t.regex(r.diagnostics.find((d) => d.code === 'IDS0201')!.message, /unknown function 'Trm' \(did you mean 'Trim'\?\)/);
});

test('wrong argument count', (t) => t.true(codes(edit('Left([givenName],1)', 'Left([givenName])')).includes('IDS0202')));

test('certificate functions say they are not supported yet', (t) => t.true(codes(edit('Trim([givenName])', 'CertThumbprint([givenName])')).includes('IDS0203')));

test('type mismatch: a reference flowed into a string function', (t) => {
  const r = compileOne(edit('flow displayName <- [displayName]', 'flow displayName <- Trim([manager])'));
  t.regex(r.diagnostics.find((d) => d.code === 'IDS0204')!.message, /'manager' is a reference/);
});

test('type mismatch: several values into a single-valued attribute', (t) => t.true(codes(edit('flow sn <- [sn]', 'flow sn <- Split([sn], ",")')).includes('IDS0204')));

test('two rules joining the same object pair', (t) => {
  const second = `\ninbound "again" from hr.person to person precedence 20 {\n  join { group { match [employeeId] to [employeeId] } }\n}\n`;
  t.true(codes(base + second).includes('IDS0301'));
});

test('a flow into an attribute the inclusion list lacks', (t) => t.true(codes(edit('flow displayName <- [displayName]', 'flow title <- [displayName]')).includes('IDS0106')));

test('a duplicate precedence rank', (t) => {
  const second = `\ninbound "second source" from hr.person to person precedence 10 {\n  flow sn <- [sn]\n}\n`;
  t.true(codes(base + second).includes('IDS0302'));
});

test('a literal secret where a reference is required', (t) => {
  const agent = `\nagent dir type ldap {\n  url = "ldaps://127.0.0.1"\n  base-dn = "DC=x"\n  password = "hunter2"\n  object user { anchor objectGUID }\n}\n`;
  const r = compileOne(base + agent);
  const d = r.diagnostics.find((x) => x.code === 'IDS0401');
  t.truthy(d);
  t.false(JSON.stringify(r.diagnostics).includes('hunter2'), 'the secret itself never appears in a diagnostic');
});

test('settings are typed per agent type', (t) => {
  t.true(codes(edit('path = "hr.csv"', 'path = 12')).includes('IDS0403'));
  t.true(codes(edit('path = "hr.csv"', 'pth = "hr.csv"')).includes('IDS0402'));
  t.true(codes(edit('agent hr type csv', 'agent hr type cvs')).includes('IDS0405'));
});

test('one run reports every error in a file, syntax errors included', (t) => {
  const broken = edit('flow sn <- [sn]', 'flow sn <- ').replace('Trim([givenName]) & " "', 'Trm([givenName]) & " "') + '\nprofile p { step nope export }\n';
  const r = compileOne(broken);
  const found = new Set(r.diagnostics.map((d) => d.code));
  t.true(found.has('IDS0002'), 'syntax error reported');
  t.true(r.diagnostics.length >= 2, JSON.stringify(r.diagnostics));
});

test('lexing errors carry their position', (t) => {
  const r = compileOne('object person {\n  a: string ¤\n}\n');
  const d = r.diagnostics.find((x) => x.code === 'IDS0001')!;
  t.is(d.line, 2);
  t.is(d.column, 13);
});

test('run profiles and schedules are checked', (t) => {
  t.true(codes(edit('step ad export batch 100', 'step ad exprt batch 100')).includes('IDS0501'));
  t.true(codes(edit('step ad export batch 100', 'step ad export btch 100')).includes('IDS0305'));
  t.true(codes(edit('run delta-cycle every 30m', 'run nightly every 30m')).includes('IDS0502'));
});
