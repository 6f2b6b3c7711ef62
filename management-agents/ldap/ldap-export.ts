/**
 * Export to Active Directory: add (with an initial password over TLS, then
 * the new objectGUID read back), modify (replace, or value-level adds and
 * removes in chunks so a large group is never rewritten), rename/move, delete.
 */
import { randomBytes } from 'node:crypto';
import { Attribute, Change, type Client } from 'ldapts';
import type { ExportRequest, ExportResult } from '../management-agent.ts';
import { AgentUnavailableError } from '../errors.ts';
import type { LdapAgentConfig } from './ldap-agent-config.ts';
import { isNetworkError } from './ldap-connection.ts';
import { toAttributes, toWire, unicodePwd } from './ldap-values.ts';

const objectClasses: Record<string, string[]> = {
  user: ['top', 'person', 'organizationalPerson', 'user'],
  group: ['top', 'group'],
  contact: ['top', 'person', 'organizationalPerson', 'contact'],
  computer: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
};
/** Values per modify for value-level changes: a 50,000-member group is changed by value, in chunks. */
const VALUES_PER_MODIFY = 1000;

/** A random password meeting AD's complexity rules; never stored, never logged. */
function randomPassword(): string {
  return `${randomBytes(18).toString('base64url')}aA1!`;
}

/** Operations address objects by GUID where the anchor is known, so a rename elsewhere cannot misdirect them. */
const target = (req: ExportRequest) => (req.anchor ? `<GUID=${req.anchor}>` : req.dn);

const permanent: Record<string, string> = {
  AlreadyExistsError: 'entryAlreadyExists', NoSuchObjectError: 'noSuchObject', ConstraintViolationError: 'constraintViolation',
  InsufficientAccessError: 'insufficientAccessRights', ObjectClassViolationError: 'objectClassViolation', UnwillingToPerformError: 'unwillingToPerform',
  InvalidDNSyntaxError: 'invalidDNSyntax', NamingViolationError: 'namingViolation', UndefinedTypeError: 'undefinedAttributeType',
  InvalidSyntaxError: 'invalidAttributeSyntax', NotAllowedOnNonLeafError: 'notAllowedOnNonLeaf', TypeOrValueExistsError: 'attributeOrValueExists',
};

export function resultFor(req: ExportRequest, err: unknown): ExportResult {
  const e = err as Error;
  const name = permanent[e.name];
  const message = `${name ?? e.name}: ${e.message.split('\n')[0]}`;
  if (e.name === 'AlreadyExistsError') return { id: req.id, ok: false, message, retryable: false, code: 'already-exists' };
  if (e.name === 'NoSuchObjectError') return { id: req.id, ok: false, message, retryable: false, code: 'not-found' };
  if (name) return { id: req.id, ok: false, message, retryable: false, code: 'other' };
  return { id: req.id, ok: false, message, retryable: true, code: 'other' };
}

async function modifyValues(client: Client, dn: string, attr: string, op: 'add' | 'delete', values: readonly (string | number | boolean)[]): Promise<void> {
  for (let i = 0; i < values.length; i += VALUES_PER_MODIFY) {
    const chunk = values.slice(i, i + VALUES_PER_MODIFY);
    const change = (vs: typeof chunk) => new Change({ operation: op, modification: new Attribute({ type: attr, values: toWire(attr, vs) }) });
    try {
      await client.modify(dn, change(chunk));
    } catch (err) {
      const n = (err as Error).name;
      // Re-sent after a crash: some values already there (or gone). Retry one by one, ignoring those.
      // AD answers attributeOrValueExists; Samba answers entryAlreadyExists for linked attributes such as member.
      const exists = ['TypeOrValueExistsError', 'AlreadyExistsError'];
      const absent = ['NoSuchAttributeError', 'UnwillingToPerformError'];
      if ((op === 'add' && exists.includes(n)) || (op === 'delete' && absent.includes(n))) {
        for (const v of chunk) await client.modify(dn, change([v])).catch((e: Error) => { if (!(op === 'add' ? exists : absent).includes(e.name)) throw e; });
      } else throw err;
    }
  }
}

async function exportOne(client: Client, cfg: LdapAgentConfig, req: ExportRequest, secure: boolean): Promise<ExportResult> {
  if (req.op === 'add') {
    const attrs: Attribute[] = [new Attribute({ type: 'objectClass', values: objectClasses[req.objectType] ?? ['top', req.objectType] })];
    for (const [k, c] of Object.entries(req.changes)) {
      const vs = c.op === 'replace' ? c.value : c.add;
      if (vs === null || (Array.isArray(vs) && vs.length === 0)) continue;
      attrs.push(new Attribute({ type: k, values: toWire(k, vs) }));
    }
    if ((req.objectType === 'user' || req.objectType === 'computer') && secure) {
      const password = cfg.initialPassword === 'random' ? randomPassword() : cfg.initialPassword;
      attrs.push(new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }));
    }
    await client.add(req.dn, attrs);
    const back = await client.search(req.dn, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    const anchor = toAttributes(back.searchEntries[0] ?? { dn: '' }, ['objectGUID'])['objectGUID'];
    return { id: req.id, ok: true, anchor: String(anchor), dn: req.dn };
  }
  if (req.op === 'delete') {
    await client.del(target(req));
    return { id: req.id, ok: true };
  }
  const replaces: Change[] = [];
  for (const [k, c] of Object.entries(req.changes)) {
    if (c.op === 'replace') replaces.push(new Change({ operation: 'replace', modification: new Attribute({ type: k, values: c.value === null ? [] : toWire(k, c.value) }) }));
  }
  if (replaces.length) await client.modify(target(req), replaces);
  for (const [k, c] of Object.entries(req.changes)) {
    if (c.op !== 'values') continue;
    if (c.add.length) await modifyValues(client, target(req), k, 'add', c.add);
    if (c.remove.length) await modifyValues(client, target(req), k, 'delete', c.remove);
  }
  let dn = req.dn;
  if (req.newDn && req.newDn.toLowerCase() !== req.dn.toLowerCase()) {
    await client.modifyDN(req.dn, req.newDn);
    dn = req.newDn;
  }
  return { id: req.id, ok: true, ...(req.anchor ? { anchor: req.anchor } : {}), dn };
}

/** Exports a batch with up to `clients.length` operations in flight. A server that goes away stops the batch. */
export async function exportBatch(agent: string, clients: Client[], cfg: LdapAgentConfig, batch: readonly ExportRequest[], secure: boolean): Promise<ExportResult[]> {
  const results: ExportResult[] = new Array(batch.length);
  let next = 0;
  let down: unknown;
  const worker = async (client: Client) => {
    while (next < batch.length && !down) {
      const i = next++;
      const req = batch[i]!;
      try {
        results[i] = await exportOne(client, cfg, req, secure);
      } catch (err) {
        if (isNetworkError(err)) { down = err; return; }
        results[i] = resultFor(req, err);
      }
    }
  };
  await Promise.all(clients.map(worker));
  if (down) throw new AgentUnavailableError(agent, `the directory went away during export: ${(down as Error).message}`, { cause: down });
  return results;
}
