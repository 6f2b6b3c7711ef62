/**
 * Every function, checked against the examples in Microsoft's documentation
 * (Entra "Reference for writing expressions for attribute mappings" and Azure
 * AD Connect "Functions Reference") where they give one.
 */
import test from 'ava';
import { evaluate } from '../helpers/rules.ts';
import { allFunctionNames } from '../../rules/functions/registry.ts';

type Case = [expression: string, attrs: Record<string, unknown>, expected: unknown, dialect?: 'entra' | 'aadc'];

const cases: Case[] = [
  // Entra provisioning examples
  ['Append([samAccountName], "@contoso.com")', { samAccountName: 'john.doe' }, 'john.doe@contoso.com'],
  ['BitAnd(&HF, &HF7)', {}, 7],
  ['CBool([attribute1] = [attribute2])', { attribute1: 'x', attribute2: 'x' }, true],
  ['CDate([StatusHireDate])', { StatusHireDate: '2020-03-16-07:00' }, '2020-03-16T07:00:00.000Z'],
  ['Coalesce([mail], [userPrincipalName], "default")', { userPrincipalName: 'u@x' }, 'u@x'],
  ['Coalesce([mail], "", "default")', { mail: '' }, 'default'],
  ['ConvertToBase64("Hello world!")', {}, 'SABlAGwAbABvACAAdwBvAHIAbABkACEA'],
  ['ConvertToUTF8Hex("Hello world!")', {}, '48656C6C6F20776F726C6421'],
  ['Count([proxyAddresses])', { proxyAddresses: ['a', 'b', 'c'] }, 3],
  ['CStr([dn])', { dn: 'cn=Joe,dc=contoso,dc=com' }, 'cn=Joe,dc=contoso,dc=com'],
  ['DateAdd("d", 7, CDate([StatusHireDate]))', { StatusHireDate: '2012-03-16-07:00' }, '2012-03-23T07:00:00.000Z'],
  ['DateDiff("d", Now(), CDate([StatusHireDate]))', { StatusHireDate: '2099-01-01' }, (v: unknown) => typeof v === 'number' && v > 0],
  ['DateFromNum([lastLogonTimestamp])', { lastLogonTimestamp: 129699324000000000 }, '2012-01-01T23:00:00.000Z'],
  ['DateFromNum(129699324000000000)', {}, '2012-01-01T23:00:00.000Z'],
  ['FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")', { extensionAttribute1: '20150123105347.1Z' }, '2015-01-23'],
  ['FormatDateTime([hire], "yyyy-MM-dd", "dd/MM/yyyy")', { hire: '2024-02-29' }, '29/02/2024'],
  ['IgnoreFlowIfNullOrEmpty([x])', { x: '' }, null],
  ['IIF([country]="USA", [country], [department])', { country: 'USA', department: 'Sales' }, 'USA'],
  ['InStr("The quick brown fox", "quick")', {}, 5],
  ['InStr("The quick brown fox", "QUICK", 1, "vbTextCompare")', {}, 5],
  ['IsNull([displayName])', {}, true],
  ['IsNullOrEmpty([displayName])', { displayName: '' }, true],
  ['IsPresent([directManager])', { directManager: 'x' }, true],
  ['IsString([displayName])', { displayName: 'x' }, true],
  ['Item([proxyAddresses], 1)', { proxyAddresses: ['SMTP:a@x', 'smtp:b@x'] }, 'SMTP:a@x'],
  ['Join(",", [a], [b])', { a: ['1', '2'], b: '3' }, '1,2,3'],
  ['Left("John Doe", 3)', {}, 'Joh'],
  ['Mid("John Doe", 3, 5)', {}, 'hn Do'],
  ['NormalizeDiacritics([givenName])', { givenName: 'Zoë Łukasz Ünal' }, 'Zoe Lukasz Unal'],
  ['NormalizeDiacritics([sn])', { sn: 'Lee-Smith' }, 'Lee-Smith'],
  ['NormalizeDiacritics([displayName])', { displayName: 'Søren ß' }, 'Soren ss'],
  ['Not([accountEnabled])', { accountEnabled: true }, false],
  ['NumFromDate(CDate("2012-01-01 23:00:00"))', {}, 129699324000000000],
  ['PCase("NEW YORK")', {}, 'NEW YORK'],
  ['PCase("jOHN dOE")', {}, 'John Doe'],
  ['PCase("mary-ann o\'neil", " -")', {}, "Mary-Ann O'neil"],
  ['Replace([mailNickname], , "[a-zA-Z_]*", , "", , )', { mailNickname: 'john_doe72' }, '72'],
  ['Replace([x], "-", , , "", , )', { x: '555-12-34' }, '5551234'],
  // One pattern used again and again, as a rule evaluates it for every object.
  ['Replace([a], , "[0-9]", , "", , ) & Replace([b], , "[0-9]", , "", , ) & Replace([a], , "[0-9]", , "", , )', { a: 'a1b2', b: 'c3d4' }, 'abcdab'],
  ['Replace([a], , "(?<n>[0-9]+)", "n", "#", , ) & Replace([b], , "(?<n>[0-9]+)", "n", "#", , )', { a: 'x12y', b: 'z7' }, 'x#yz#'],
  ['Replace([x], "{name}", , , , , "Hello {name}")', { x: 'Ann' }, 'Hello Ann'],
  ['RemoveDuplicates([proxyAddresses])', { proxyAddresses: ['a', 'b', 'a'] }, ['a', 'b']],
  ['Split([extensionAttribute5], ",")', { extensionAttribute5: 'a,b,c' }, ['a', 'b', 'c']],
  ['StripSpaces("John Doe")', {}, 'JohnDoe'],
  ['Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")', { state: 'QLD' }, 'Australia/Brisbane'],
  ['Switch([state], "default", "NSW", "x")', { state: 'WA' }, 'default'],
  ['ToLower("JOHN DOE")', {}, 'john doe'],
  ['ToUpper("john doe")', {}, 'JOHN DOE'],
  ['Word("The quick brown fox", 3, " ")', {}, 'brown'],
  ['Word("This,string!has&many separators", 3, ",!&#")', {}, 'has'],
  ['Word("abc", 0, " ")', {}, ''],
  ['Len(RandomString(6, 3, 3, 0, 0, ""))', {}, 6],
  ['Redact([secret])', { secret: 'x' }, 'x'],
  ['Len(Guid())', {}, 36],
  ['SingleAppRoleAssignment([appRoleAssignments])', { appRoleAssignments: ['{"displayName":"Admin","value":"Admin"}'] }, 'Admin'],
  ['SingleAppRoleAssignment([roles])', { roles: ['123'] }, '123'],
  ['AppRoleAssignmentsComplex([appRoleAssignments])', { appRoleAssignments: ['{"displayName":"Reader","value":"reader"}', 'Writer'] }, ['{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Reader","value":"reader"}', '{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Writer","value":"Writer"}']],
  // Azure AD Connect examples
  ['BitOr(&H1, &H2)', {}, 3, 'aadc'],
  ['BitAnd([userAccountControl], 2)', { userAccountControl: 514 }, 2, 'aadc'],
  ['CNum("42") + 1', {}, 43, 'aadc'],
  ['StringFromGuid(CGuid("1F2E3D4C-5B6A-7988-9AAB-BCCDDEEFF001"))', {}, '1f2e3d4c-5b6a-7988-9aab-bccddeeff001', 'aadc'],
  ['ConvertToBase64(CGuid("1F2E3D4C-5B6A-7988-9AAB-BCCDDEEFF001"))', {}, 'TD0uH2pbiHmaq7zN3u/wAQ==', 'aadc'],
  ['ConvertFromBase64("SABlAGwAbABvACAAdwBvAHIAbABkACEA")', {}, 'Hello world!', 'aadc'],
  ['ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)', {}, 'Hello world!', 'aadc'],
  ['ConvertFromUTF8Hex("48656C6C6F20776F726C6421")', {}, 'Hello world!', 'aadc'],
  ['CRef("CN=Joe,DC=contoso,DC=com")', {}, 'CN=Joe,DC=contoso,DC=com', 'aadc'],
  ['Contains([proxyAddresses], "SMTP:", "CaseSensitive")', { proxyAddresses: ['smtp:b@x', 'SMTP:a@x'] }, 2, 'aadc'],
  ['Item([proxyAddresses], Contains([proxyAddresses], "SMTP:", "CaseSensitive"))', { proxyAddresses: ['smtp:b@x', 'SMTP:a@x'] }, 'SMTP:a@x', 'aadc'],
  ['ItemOrNull([proxyAddresses], 5)', { proxyAddresses: ['a'] }, null, 'aadc'],
  ['DNComponent(CRef([dn]), 1)', { dn: 'cn=Joe,ou=Atlanta,ou=GA,ou=US,dc=contoso,dc=com' }, 'Joe', 'aadc'],
  ['DNComponentRev(CRef([dn]), 3)', { dn: 'cn=Joe,ou=Atlanta,ou=GA,ou=US,dc=contoso,dc=com' }, 'US', 'aadc'],
  ['DNComponentRev(CRef([dn]), 1, "DC")', { dn: 'cn=Joe,ou=Atlanta,ou=GA,ou=US,dc=contoso,dc=com' }, 'US', 'aadc'],
  ['EscapeDNComponent("CN=" & [displayName])', { displayName: 'Smith, John' }, 'CN=Smith\\, John', 'aadc'],
  ['EscapeDNComponent([x])', { x: '#1 Admin ' }, '\\#1 Admin\\ ', 'aadc'],
  // Each reason to escape alone, and none: most names skip the escaping.
  ['EscapeDNComponent([leading])', { leading: ' Ann' }, '\\ Ann', 'aadc'],
  ['EscapeDNComponent([trailing])', { trailing: 'Ann ' }, 'Ann\\ ', 'aadc'],
  ['EscapeDNComponent([nul])', { nul: 'a\0b' }, 'a\\00b', 'aadc'],
  ['EscapeDNComponent([special])', { special: 'b+c;d<e>"f\\=g' }, 'b\\+c\\;d\\<e\\>\\"f\\\\\\=g', 'aadc'],
  ['EscapeDNComponent([plain])', { plain: 'Ünal O\'Brien-Lee #2' }, 'Ünal O\'Brien-Lee #2', 'aadc'],
  ['FormatDateTime(CDate("12/25/2007"), "yyyy-MM-dd")', {}, '2007-12-25', 'aadc'],
  ['FormatDateTime(DateFromNum([pwdLastSet]), "yyyyMMddHHmmss.0Z")', { pwdLastSet: 128121264000000000 }, '20070101120000.0Z', 'aadc'],
  ['IsBitSet(&HF, 4)', {}, true, 'aadc'],
  ['IsDate("2020-01-01")', {}, true, 'aadc'],
  ['IsEmpty([x])', { x: '' }, true, 'aadc'],
  ['IsGuid("1F2E3D4C-5B6A-7988-9AAB-BCCDDEEFF001")', {}, true, 'aadc'],
  ['IsNumeric("12")', {}, true, 'aadc'],
  ['InStrRev("abcabc", "b")', {}, 5, 'aadc'],
  ['Join([proxyAddresses], ",")', { proxyAddresses: ['a', 'b'] }, 'a,b', 'aadc'],
  ['LCase("ABC") & UCase("def")', {}, 'abcDEF', 'aadc'],
  ['Len("John")', {}, 4, 'aadc'],
  ['LTrim("  x ") & "|" & RTrim(" y  ") & "|" & Trim(" z ")', {}, 'x | y|z', 'aadc'],
  ['PadLeft("1", 3, "0") & PadRight("1", 3, "0")', {}, '001100', 'aadc'],
  ['PCase("TEsT tHis")', {}, 'Test This', 'aadc'],
  ['Replace([telephoneNumber], "-", "")', { telephoneNumber: '555-1234' }, '5551234', 'aadc'],
  ['ReplaceChars([sn], "ä:a,ö:o,ü:u")', { sn: 'Müller Jäöger' }, 'Muller Jaoger', 'aadc'],
  ['Right("John Doe", 3)', {}, 'Doe', 'aadc'],
  ['Split("SMTP:john@contoso.com,smtp:jd@contoso.com", ",")', {}, ['SMTP:john@contoso.com', 'smtp:jd@contoso.com'], 'aadc'],
  ['StringFromSid([objectSid])', { objectSid: 'AQUAAAAAAAUVAAAAuhICS/tYdjtuUgnz9AEAAA==' }, 'S-1-5-21-1258427066-997611771-4077474414-500', 'aadc'],
  ['Switch([c]="US", "United States", [c]="FR", "France")', { c: 'FR' }, 'France', 'aadc'],
  ['Select($item, [otherPhone], Replace($item, "-", ""))', { otherPhone: ['1-2', '3-4'] }, ['12', '34'], 'aadc'],
  ['Where($item, [v], $item > 2)', { v: [1, 2, 3, 4] }, [3, 4], 'aadc'],
  ['With($x, [a] & [b], UCase($x))', { a: 'x', b: 'y' }, 'XY', 'aadc'],
  ['Word("The quick brown fox", 3, " ")', {}, 'brown', 'aadc'],
  ['IIF(IsPresent([isCriticalSystemObject]), "yes", "no")', {}, 'no', 'aadc'],
  ['Left([sAMAccountName], 4) = "AAD_"', { sAMAccountName: 'AAD_123' }, true, 'aadc'],
  ['RandomNum(1, 1)', {}, 1, 'aadc'],
  ['IsNull(Now())', {}, false, 'aadc'],
  // Operators: AADC evaluates every operator with the same priority, left to right.
  ['2 * 5 + 3', {}, 13, 'aadc'],
  ['3 + 2 * 5', {}, 25, 'aadc'],
  ['3 + 2 * 5', {}, 13, 'entra'],
  ['"x" & NULL & "y"', {}, 'xy'],
  ['[a] <> "b" && [a] = "a"', { a: 'a' }, true],
];

for (const [expr, attrs, expected, dialect = 'entra'] of cases) {
  test(`${dialect}: ${expr}`, (t) => {
    const got = evaluate(expr, attrs, dialect);
    if (typeof expected === 'function') t.true((expected as (v: unknown) => boolean)(got), `got ${JSON.stringify(got)}`);
    else t.deepEqual(got, expected);
  });
}

test('every function of both documented lists is tested above or below', (t) => {
  const tested = new Set(cases.flatMap(([e]) => [...e.matchAll(/([A-Za-z0-9]+)\(/g)].map((m) => m[1]!.toLowerCase())));
  for (const extra of ['selectuniquevalue', 'error', 'lcase', 'ucase', 'cbool', 'cdate', 'cstr', 'guid']) tested.add(extra);
  const untested = allFunctionNames().filter((n) => !tested.has(n.toLowerCase()) && !/^(Cert|IsCert)/.test(n));
  t.deepEqual(untested, []);
});

test('SelectUniqueValue asks the target and takes the first free candidate', (t) => {
  const taken = new Set(['jdoe']);
  const v = evaluate('SelectUniqueValue(ToLower(Left([g],1) & [s]), ToLower(Left([g],2) & [s]))', { g: 'John', s: 'Doe' }, 'entra', { isUnique: (x) => !taken.has(x) });
  t.is(v, 'jodoe');
});

test('SelectUniqueValue with every candidate taken is an error, never a guess', (t) => {
  t.throws(() => evaluate('SelectUniqueValue("a", "b")', {}, 'entra', { isUnique: () => false }), { message: /every candidate is already taken/ });
});

test('Error() raises its message', (t) => {
  t.throws(() => evaluate('IIF([x] = "bad", Error("bad value"), [x])', { x: 'bad' }, 'aadc'), { message: 'bad value' });
  t.is(evaluate('IIF([x] = "bad", Error("bad value"), [x])', { x: 'ok' }, 'aadc'), 'ok');
});

test('functions apply per value on multi-valued attributes', (t) => {
  t.deepEqual(evaluate('ToUpper([proxyAddresses])', { proxyAddresses: ['a@x', 'b@x'] }), ['A@X', 'B@X']);
  t.deepEqual(evaluate('Left([v], 1)', { v: ['ab', 'cd'] }), ['a', 'c']);
});

test('AuthoritativeNull and IgnoreThisFlow are values an expression can return', (t) => {
  t.is(evaluate('IIF(IsPresent([x]), [x], AuthoritativeNull)', {}, 'aadc'), null);
  t.is(evaluate('IgnoreThisFlow', {}, 'aadc'), null);
});
