/**
 * The function tables of both dialects. Entra provisioning's meaning is the
 * default; `dialect aadc` selects Azure AD Connect's where the names clash.
 * Special forms (IIF, Switch, With, Select, Where, SelectUniqueValue) are
 * compiled by the expression compiler because they evaluate lazily.
 */
import type { Dialect, FunctionDef, FunctionTable } from './types.ts';
import { aadcText, entraText, textFunctions } from './text.ts';
import { convertFunctions } from './convert.ts';
import { aadcDate, dateFunctions, entraDate } from './datetime.ts';
import { directoryFunctions } from './directory.ts';
import { appRoleFunctions } from './app-roles.ts';

const certificateFunctions = [
  'CertExtensionOids', 'CertFormat', 'CertFriendlyName', 'CertHashString', 'CertIssuer', 'CertIssuerDN', 'CertIssuerOid',
  'CertKeyAlgorithm', 'CertKeyAlgorithmParams', 'CertNameInfo', 'CertNotAfter', 'CertNotBefore', 'CertPublicKeyOid',
  'CertPublicKeyParametersOid', 'CertSerialNumber', 'CertSignatureAlgorithmOid', 'CertSubject', 'CertSubjectNameDN',
  'CertSubjectNameOid', 'CertThumbprint', 'CertVersion', 'IsCert',
];

const unsupported = (name: string, why: string): FunctionDef => ({
  name, min: 0, max: Infinity, notSupported: why,
  impl: () => { throw new Error(`${name} is not supported yet`); },
});

/** Special forms: arity is checked here, evaluation lives in the compiler. */
export const specialForms: Record<string, { min: number; max: number }> = {
  IIF: { min: 3, max: 3 },
  Switch: { min: 1, max: Infinity },
  With: { min: 3, max: 3 },
  Select: { min: 3, max: 4 },
  Where: { min: 3, max: 3 },
  SelectUniqueValue: { min: 1, max: Infinity },
};

function table(defs: FunctionDef[]): FunctionTable {
  const t: FunctionTable = {};
  for (const d of defs) t[d.name] = d;
  return t;
}

const shared: FunctionDef[] = [
  ...textFunctions, ...convertFunctions, ...dateFunctions, ...directoryFunctions,
  ...certificateFunctions.map((n) => unsupported(n, 'certificate functions are not supported yet')),
  ...appRoleFunctions,
];

export const functionTables: Record<Dialect, FunctionTable> = {
  entra: table([...shared, ...entraText, ...entraDate]),
  aadc: table([...shared, ...aadcText, ...aadcDate]),
};

/** Function names are matched case-insensitively, as both products do in practice. */
const lowerIndex: Record<Dialect, Map<string, FunctionDef>> = {
  entra: new Map(Object.values(functionTables.entra).map((d) => [d.name.toLowerCase(), d])),
  aadc: new Map(Object.values(functionTables.aadc).map((d) => [d.name.toLowerCase(), d])),
};
const specialLower = new Map(Object.keys(specialForms).map((k) => [k.toLowerCase(), k]));

export function lookupFunction(name: string, dialect: Dialect): FunctionDef | undefined {
  return lowerIndex[dialect].get(name.toLowerCase());
}

export function lookupSpecialForm(name: string): string | undefined {
  return specialLower.get(name.toLowerCase());
}

export function allFunctionNames(): string[] {
  return [...new Set([...Object.keys(functionTables.entra), ...Object.keys(functionTables.aadc), ...Object.keys(specialForms)])].sort();
}
