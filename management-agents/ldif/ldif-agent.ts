/**
 * The ldif agent: a directory kept as an LDIF file, as MIM's LDIF agent.
 * Import reads content records; export applies the changes to the file (the
 * "directory") and appends RFC 2849 change records to a change log.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AgentOptions, ExportRequest, ExportResult, ImportChange, ImportedObject, ManagementAgent } from '../management-agent.ts';
import { AgentError } from '../errors.ts';
import { asArray, type Attributes, type Scalar } from '../../data/model.ts';
import { splitDn } from '../../rules/functions/directory.ts';
import { addRecord, contentRecord, deleteRecord, modifyRecord, modrdnRecord, parseLdif, type LdifEntry } from './ldif-format.ts';

export function createLdifAgent(o: AgentOptions): ManagementAgent {
  const path = resolve(o.baseDir, String(o.settings['path'] ?? ''));
  const changesPath = resolve(o.baseDir, String(o.settings['export-path'] ?? path.replace(/(\.ldif)?$/, '.changes.ldif')));
  const types = o.objectTypes;
  const anchorAttr = (type: string) => types.find((t) => t.name === type)?.anchor[0] ?? 'objectGUID';
  const typeOf = (e: LdifEntry) => {
    const classes = asArray(e.attrs['objectClass']).map((c) => String(c).toLowerCase());
    return types.find((t) => classes.includes(t.name.toLowerCase()))?.name ?? types[0]?.name ?? 'object';
  };

  async function load(): Promise<{ entries: LdifEntry[]; errors: { message: string; line: number }[] }> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], errors: [] };
      throw new AgentError(o.name, `cannot read ${path}: ${(err as Error).message}`);
    }
    return parseLdif(text);
  }

  const toObject = (e: LdifEntry): ImportedObject | null => {
    const type = typeOf(e);
    const anchor = e.attrs[anchorAttr(type)];
    return anchor === undefined ? null : { anchor: String(asArray(anchor)[0]), dn: e.dn, objectType: type, attrs: e.attrs };
  };

  async function save(entries: LdifEntry[], log: string[]): Promise<void> {
    const tmp = `${path}.tmp`;
    await writeFile(tmp, 'version: 1\n\n' + entries.map((e) => contentRecord(e.dn, e.attrs)).join('\n'));
    await rename(tmp, path);
    if (log.length) await appendFile(changesPath, log.join('\n') + '\n');
  }

  function apply(entries: LdifEntry[], req: ExportRequest, log: string[]): ExportResult {
    const anchorName = anchorAttr(req.objectType);
    const find = (): number => entries.findIndex((e) => (req.anchor !== null && String(asArray(e.attrs[anchorName])[0]) === req.anchor) || (req.anchor === null && e.dn.toLowerCase() === req.dn.toLowerCase()));
    if (req.op === 'add') {
      if (entries.some((e) => e.dn.toLowerCase() === req.dn.toLowerCase())) return { id: req.id, ok: false, message: `entryAlreadyExists: ${req.dn}`, retryable: false, code: 'already-exists' };
      const attrs: Attributes = { objectClass: req.objectType };
      for (const [k, c] of Object.entries(req.changes)) {
        const v = c.op === 'replace' ? c.value : c.add.length ? [...c.add] : null;
        if (v !== null) attrs[k] = v;
      }
      // The directory assigns the anchor, as AD assigns objectGUID.
      attrs[anchorName] ??= randomUUID();
      entries.push({ dn: req.dn, attrs, line: 0 });
      log.push(addRecord(req.dn, attrs));
      return { id: req.id, ok: true, anchor: String(attrs[anchorName]), dn: req.dn };
    }
    const i = find();
    if (i < 0) return { id: req.id, ok: false, message: `noSuchObject: ${req.dn}`, retryable: false, code: 'not-found' };
    const e = entries[i]!;
    if (req.op === 'delete') {
      entries.splice(i, 1);
      log.push(deleteRecord(e.dn));
      return { id: req.id, ok: true };
    }
    const attrs: Attributes = { ...e.attrs };
    for (const [k, c] of Object.entries(req.changes)) {
      if (c.op === 'replace') { if (c.value === null) delete attrs[k]; else attrs[k] = c.value; continue; }
      const set: Scalar[] = asArray(attrs[k]).filter((v) => !c.remove.includes(v));
      for (const v of c.add) if (!set.includes(v)) set.push(v);
      if (set.length) attrs[k] = set; else delete attrs[k];
    }
    if (Object.keys(req.changes).length) log.push(modifyRecord(e.dn, req.changes));
    let dn = e.dn;
    if (req.newDn && req.newDn.toLowerCase() !== e.dn.toLowerCase()) {
      if (entries.some((x, j) => j !== i && x.dn.toLowerCase() === req.newDn!.toLowerCase())) return { id: req.id, ok: false, message: `entryAlreadyExists: ${req.newDn}`, retryable: false };
      log.push(modrdnRecord(e.dn, req.newDn, splitDn));
      dn = req.newDn;
    }
    entries[i] = { dn, attrs, line: 0 };
    return { id: req.id, ok: true, anchor: String(asArray(attrs[anchorName])[0]), dn };
  }

  return {
    name: o.name,
    type: 'ldif',
    capabilities: { deltaImport: false, export: true, referencesInSecondPass: false, valueLevelMultiValue: true, rename: true },
    async *fullImport(): AsyncIterable<ImportChange> {
      const { entries, errors } = await load();
      for (const err of errors) yield { kind: 'error', message: err.message, file: path, line: err.line };
      for (const e of entries) {
        const obj = toObject(e);
        if (obj) yield { kind: 'object', object: obj };
        else yield { kind: 'error', message: `entry ${e.dn} has no ${anchorAttr(typeOf(e))} (its anchor)`, file: path, line: e.line };
      }
    },
    async export(batch) {
      const { entries } = await load();
      const log: string[] = [];
      const results = batch.map((req) => apply(entries, req, log));
      await save(entries, log);
      return results;
    },
    async findObject(q) {
      const { entries } = await load();
      const e = entries.find((x) => (q.dn && x.dn.toLowerCase() === q.dn.toLowerCase()) || (q.anchor && String(asArray(x.attrs[anchorAttr(typeOf(x))])[0]) === q.anchor));
      return e ? toObject(e) : null;
    },
    async isValueInUse(_type, attribute, value) {
      const { entries } = await load();
      const v = String(value).toLowerCase();
      return entries.some((e) => asArray(e.attrs[attribute]).some((x) => String(x).toLowerCase() === v));
    },
  };
}
