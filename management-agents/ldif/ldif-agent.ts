/**
 * The ldif agent: a directory kept as an LDIF file, as MIM's LDIF agent.
 * Import reads content records; export applies the changes to the file (the
 * "directory") and appends RFC 2849 change records to a change log. The file
 * is rewritten once per export step; until then the batches' changes are in
 * its journal (`<path>.journal`), which every read replays.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AgentOptions, ExportRequest, ExportResult, ImportChange, ImportedObject, ManagementAgent } from '../management-agent.ts';
import { asArray, type Attributes } from '../../data/model.ts';
import { applyChanges } from '../../data/objects.ts';
import { addRecord, deleteRecord, modifyRecord, modrdnRecord, type LdifEntry } from './ldif-format.ts';
import { firstValue, LdifDirectory } from './ldif-directory.ts';

export function createLdifAgent(o: AgentOptions): ManagementAgent {
  const path = resolve(o.baseDir, String(o.settings['path'] ?? ''));
  const changesPath = resolve(o.baseDir, String(o.settings['export-path'] ?? path.replace(/(\.ldif)?$/, '.changes.ldif')));
  const types = o.objectTypes;
  const anchorAttr = (type: string) => types.find((t) => t.name === type)?.anchor[0] ?? 'objectGUID';
  const typeOf = (e: LdifEntry) => {
    const classes = asArray(e.attrs['objectClass']).map((c) => String(c).toLowerCase());
    return types.find((t) => classes.includes(t.name.toLowerCase()))?.name ?? types[0]?.name ?? 'object';
  };
  const anchorOf = (e: LdifEntry) => firstValue(e.attrs[anchorAttr(typeOf(e))]);
  const dir = new LdifDirectory(path, anchorOf, o.name);

  const toObject = (e: LdifEntry): ImportedObject | null => {
    const anchor = anchorOf(e);
    return anchor === '' ? null : { anchor, dn: e.dn, objectType: typeOf(e), attrs: e.attrs };
  };

  function apply(req: ExportRequest, log: string[]): ExportResult {
    const anchorName = anchorAttr(req.objectType);
    if (req.op === 'add') {
      if (dir.find({ dn: req.dn })) return { id: req.id, ok: false, message: `entryAlreadyExists: ${req.dn}`, retryable: false, code: 'already-exists' };
      const attrs: Attributes = { objectClass: req.objectType };
      for (const [k, c] of Object.entries(req.changes)) {
        const v = c.op === 'replace' ? c.value : c.add.length ? [...c.add] : null;
        if (v !== null) attrs[k] = v;
      }
      // The directory assigns the anchor, as AD assigns objectGUID.
      attrs[anchorName] ??= randomUUID();
      dir.change({ dn: req.dn, attrs, line: 0 }, null);
      log.push(addRecord(req.dn, attrs));
      return { id: req.id, ok: true, anchor: String(attrs[anchorName]), dn: req.dn };
    }
    const e = req.anchor !== null ? dir.find({ anchor: req.anchor }) : dir.find({ dn: req.dn });
    if (!e) return { id: req.id, ok: false, message: `noSuchObject: ${req.dn}`, retryable: false, code: 'not-found' };
    if (req.op === 'delete') {
      dir.delete(e.dn);
      log.push(deleteRecord(e.dn));
      return { id: req.id, ok: true };
    }
    const attrs = applyChanges(e.attrs, req.changes);
    if (Object.keys(req.changes).length) log.push(modifyRecord(e.dn, req.changes));
    let dn = e.dn;
    if (req.newDn && req.newDn.toLowerCase() !== e.dn.toLowerCase()) {
      if (dir.find({ dn: req.newDn })) return { id: req.id, ok: false, message: `entryAlreadyExists: ${req.newDn}`, retryable: false };
      log.push(modrdnRecord(e.dn, req.newDn));
      dn = req.newDn;
    }
    dir.change({ dn, attrs, line: 0 }, e.dn);
    return { id: req.id, ok: true, anchor: anchorOf({ dn, attrs, line: 0 }), dn };
  }

  return {
    name: o.name,
    type: 'ldif',
    capabilities: { deltaImport: false, export: true, referencesInSecondPass: false, valueLevelMultiValue: true, rename: true, exportBatchSize: 5000 },
    async *fullImport(): AsyncIterable<ImportChange> {
      await dir.load();
      for (const err of dir.errors) yield { kind: 'error', message: err.message, file: path, line: err.line };
      for (const e of dir.entries()) {
        const obj = toObject(e);
        if (obj) yield { kind: 'object', object: obj };
        else yield { kind: 'error', message: `entry ${e.dn} has no ${anchorAttr(typeOf(e))} (its anchor)`, file: path, line: e.line };
      }
    },
    async export(batch) {
      await dir.load();
      const log: string[] = [];
      const results = batch.map((req) => apply(req, log));
      // Durable before answering: the engine records these results as done.
      await dir.commit();
      if (log.length) await appendFile(changesPath, log.join('\n') + '\n');
      return results;
    },
    endExport: () => dir.fold(),
    async findObject(q) {
      await dir.load(true);
      const e = dir.find({ dn: q.dn, anchor: q.anchor });
      return e ? toObject(e) : null;
    },
    async isValueInUse(_type, attribute, value) {
      await dir.load(true);
      return dir.hasValue(attribute, String(value));
    },
  };
}
