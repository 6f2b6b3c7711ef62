/**
 * The settings each agent type accepts, shared by the rules compiler (which
 * checks them) and the agents (which read them). Plain data, no behaviour.
 */

export type SettingKind = 'string' | 'number' | 'boolean' | 'secret' | 'duration' | 'list' | 'enum';

export interface SettingSpec {
  readonly kind: SettingKind;
  readonly required?: boolean;
  /** Allowed values of an `enum` setting. */
  readonly values?: readonly string[];
  readonly doc: string;
}

/** Settings every agent accepts, whatever its type. */
export const commonSettings: Record<string, SettingSpec> = {
  recall: { kind: 'boolean', doc: 'Recall attributes this agent contributed when its objects disconnect (default true, as MIM).' },
  'page-size': { kind: 'number', doc: 'Objects per import page (default 500).' },
  'references-by': { kind: 'enum', values: ['dn', 'anchor'], doc: 'How the connected system names referenced objects (default dn).' },
  'references-agent': { kind: 'list', doc: 'Connector spaces that reference values point into, searched in order (default: this agent).' },
};

const fileSettings: Record<string, SettingSpec> = {
  path: { kind: 'string', required: true, doc: 'Source file or folder, relative to the project directory.' },
  'export-path': { kind: 'string', doc: 'File that export writes (defaults to path).' },
  encoding: { kind: 'enum', values: ['utf8', 'utf16le', 'windows-1252'], doc: 'Text encoding (BOMs are detected).' },
};

export const agentTypes: Record<string, Record<string, SettingSpec>> = {
  memory: {
    seed: { kind: 'string', doc: 'Name of a test seed registered by the test harness.' },
  },
  csv: {
    ...fileSettings,
    delimiter: { kind: 'string', doc: 'Field delimiter (default ",").' },
    quote: { kind: 'string', doc: 'Quote character (default ").' },
    'multi-valued': { kind: 'list', doc: 'Columns holding several values.' },
    'value-separator': { kind: 'string', doc: 'Separator inside multi-valued columns (default ";").' },
    'object-type': { kind: 'string', doc: 'Object type of every row (default: the first declared object type).' },
    'header-map': { kind: 'list', doc: 'Renames file columns to attribute names: "Employee ID=employeeId", "First Name=givenName".' },
    delta: { kind: 'enum', values: ['compare', 'drop'], doc: 'compare: delta import diffs with the last file; drop: the file holds only changed rows.' },
    'export-mode': { kind: 'enum', values: ['full', 'changes'], doc: 'full: rewrite the whole file; changes: append change rows.' },
  },
  'workday-xml': {
    ...fileSettings,
    'as-of': { kind: 'string', doc: 'Evaluate effective dates as of this date (default today).' },
    'delta-path': { kind: 'string', doc: 'Folder of change extracts (incremental Get_Workers responses), read in name order by delta imports.' },
  },
  'successfactors-json': { ...fileSettings, 'as-of': { kind: 'string', doc: 'Evaluate effective dates as of this date (default today).' } },
  ldif: { ...fileSettings },
  ldap: {
    url: { kind: 'string', required: true, doc: 'ldaps://host:636 or ldap://host:389 (with start-tls).' },
    'bind-dn': { kind: 'string', doc: 'Account to bind with.' },
    password: { kind: 'secret', doc: 'Bind password: env("…") or file("…").' },
    'base-dn': { kind: 'string', required: true, doc: 'Naming context.' },
    containers: { kind: 'list', doc: 'OUs to import (default: the base DN).' },
    'ca-file': { kind: 'string', doc: 'CA certificate used to verify the server.' },
    'tls-server-name': { kind: 'string', doc: 'Name the server certificate must carry, when it differs from the host in url.' },
    dirsync: { kind: 'boolean', doc: 'Use DirSync for delta imports (default true; falls back to uSNChanged when not granted).' },
    'initial-password': { kind: 'secret', doc: 'Initial password of new users (default: a random one, never stored).' },
    'start-tls': { kind: 'boolean', doc: 'Upgrade ldap:// with StartTLS.' },
    'allow-plain': { kind: 'boolean', doc: 'Allow binds without TLS (never in production).' },
    concurrency: { kind: 'number', doc: 'Parallel export operations.' },
  },
  entra: {
    'tenant-id': { kind: 'string', required: true, doc: 'Directory (tenant) id.' },
    'client-id': { kind: 'string', required: true, doc: 'Application (client) id.' },
    'client-secret': { kind: 'secret', doc: 'Client secret.' },
    certificate: { kind: 'secret', doc: 'PEM certificate and key for client assertion.' },
    authority: { kind: 'string', doc: 'Authority host (default https://login.microsoftonline.com).' },
    'graph-url': { kind: 'string', doc: 'Graph base URL (default https://graph.microsoft.com/v1.0).' },
    'ca-file': { kind: 'string', doc: 'An extra CA to trust (the emulator); verification stays on.' },
    concurrency: { kind: 'number', doc: 'Parallel $batch requests.' },
    'hard-match': { kind: 'boolean', doc: 'Match new users on onPremisesImmutableId (default true).' },
    'soft-match': { kind: 'boolean', doc: 'Then on userPrincipalName or the primary SMTP address (default true).' },
  },
  scim: {
    url: { kind: 'string', required: true, doc: 'SCIM base URL.' },
    token: { kind: 'secret', doc: 'Bearer token.' },
  },
  sql: {
    connection: { kind: 'secret', required: true, doc: 'Connection string.' },
    table: { kind: 'string', required: true, doc: 'Table or view.' },
  },
};

/** Settings of an agent type, common ones included; undefined for an unknown type. */
export function settingsFor(type: string): Record<string, SettingSpec> | undefined {
  const own = agentTypes[type];
  return own ? { ...commonSettings, ...own } : undefined;
}
