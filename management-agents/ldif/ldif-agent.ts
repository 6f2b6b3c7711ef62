/**
 * The ldif agent: a directory kept as an LDIF file, as MIM's LDIF agent.
 * Import reads content records; export applies the changes to the file (the
 * "directory") and appends RFC 2849 change records to a change log. The file
 * is rewritten, or patched in place, once per export step; until then the
 * batches' changes are in its journal (`<path>.journal`), which every read replays.
 *
 * Delta import reads the change log from where the last import left it, and
 * gives the entries it names as the file now holds them, or, for an entry
 * whose records since only added and deleted values, as those values: a
 * confirming import costs what was exported, not the directory's size, nor a
 * group's. When the file was changed other than through the agent, it runs a
 * full import instead.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { AgentOptions, ExportRequest, ExportResult, ImportChange, ImportContext, ImportedObject, ManagementAgent } from '../management-agent.ts';
import { asArray, type Attributes } from '../../data/model.ts';
import { applyChanges } from '../../data/objects.ts';
import { appendDurably } from '../file-journal.ts';
import { fileStamp } from '../journaled-file.ts';
import { addRecord, deleteRecord, modifyRecord, modrdnRecord, type LdifEntry } from './ldif-format.ts';
import { LdifDirectory } from './ldif-directory.ts';
import { anchorComment, changesSince, rewrittenComment, type ValueDelta } from './ldif-change-log.ts';
import { logSize, readWatermark, whyNotDelta, writeWatermark } from '../log-watermark.ts';

const firstValue = (v: unknown) => (v === undefined ? '' : String(asArray(v as never)[0]));

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
  const dir = new LdifDirectory(path, anchorOf, o.name, ['objectClass', 'objectGUID', ...types.map((t) => anchorAttr(t.name))]);

  const toObject = (e: LdifEntry): ImportedObject | null => {
    const anchor = anchorOf(e);
    return anchor === '' ? null : { anchor, dn: e.dn, objectType: typeOf(e), attrs: e.attrs };
  };
  const object = (e: LdifEntry): ImportChange => {
    const obj = toObject(e);
    return obj ? { kind: 'object', object: obj } : { kind: 'error', message: `entry ${e.dn} has no ${anchorAttr(typeOf(e))} (its anchor)`, file: path, line: e.line };
  };

  const valuesOf = (e: LdifEntry, delta: ValueDelta): ImportChange => {
    const valueChanges: Record<string, { add: string[]; remove: string[] }> = {};
    for (const [attr, values] of delta) {
      const c = (valueChanges[attr] = { add: [] as string[], remove: [] as string[] });
      for (const [v, added] of values) (added ? c.add : c.remove).push(v);
    }
    return { kind: 'object', object: { anchor: anchorOf(e), dn: e.dn, objectType: typeOf(e), attrs: {} }, partial: true, valueChanges };
  };

  async function* fullImport(ctx: ImportContext): AsyncIterable<ImportChange> {
    await dir.load();
    // Taken before the entries are read: a delta import from here misses nothing.
    const mark = writeWatermark({ offset: await logSize(changesPath), file: await fileStamp(path) });
    for (const err of dir.errors) yield { kind: 'error', message: err.message, file: path, line: err.line };
    for (const e of dir.entries()) yield object(e);
    ctx.setWatermark(mark);
  }

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
    // Values added and deleted only: made in the record's text, not by reading and writing it whole (a group's members).
    const edited = req.op === 'update' && !req.newDn && req.anchor !== null ? dir.editValues(req.anchor, req.changes) : undefined;
    if (edited) {
      log.push(modifyRecord(edited.dn, req.changes));
      return { id: req.id, ok: true, anchor: req.anchor!, dn: edited.dn };
    }
    const e = req.anchor !== null ? dir.find({ anchor: req.anchor }) : dir.find({ dn: req.dn });
    if (!e) return { id: req.id, ok: false, message: `noSuchObject: ${req.dn}`, retryable: false, code: 'not-found' };
    if (req.op === 'delete') {
      dir.delete(e.dn);
      log.push(anchorComment(anchorOf(e)) + deleteRecord(e.dn));
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
    const anchor = anchorOf({ dn, attrs, line: 0 });
    // Journaled as the changes while they keep the anchor that finds the entry again: a group's few members, not its 10,000.
    dir.change({ dn, attrs, line: 0 }, e.dn, anchor && anchor === anchorOf(e) ? req.changes : undefined);
    return { id: req.id, ok: true, anchor, dn };
  }

  return {
    name: o.name,
    type: 'ldif',
    capabilities: { deltaImport: true, export: true, referencesInSecondPass: false, valueLevelMultiValue: true, rename: true, exportBatchSize: 5000 },
    fullImport,
    async *deltaImport(ctx) {
      await dir.load();
      const from = readWatermark(ctx.watermark);
      const changes = from && (await changesSince(changesPath, from.offset));
      const stamp = await fileStamp(path);
      const why = whyNotDelta(from, changes, changesPath, path, stamp);
      if (why || !changes) {
        ctx.note(`${why}: ran a full import`);
        ctx.becameFull?.();
        yield* fullImport(ctx);
        return;
      }
      for (const anchor of changes.deleted) if (!dir.find({ anchor })) yield { kind: 'delete', anchor };
      for (const [key, dn] of changes.touched) {
        // Only values added and deleted since: given as those (a group's few members), not read whole.
        const delta = changes.values.get(key);
        const head = delta && dir.head(dn);
        if (delta && head && anchorOf(head)) { yield valuesOf(head, delta); continue; }
        const e = dir.find({ dn });
        if (e) yield object(e);
      }
      ctx.setWatermark(writeWatermark({ offset: changes.end, file: stamp }));
    },
    async export(batch) {
      await dir.load();
      const log: string[] = [];
      const results = batch.map((req) => apply(req, log));
      // The log first: a record of a change that then failed to land costs a delta import one look at the entry;
      // a change without its record would be missed.
      if (log.length) await appendDurably(changesPath, log.join('\n') + '\n');
      // Durable before answering: the engine records these results as done.
      await dir.commit();
      return results;
    },
    async endExport() {
      const before = await fileStamp(path);
      if (await dir.fold()) await appendDurably(changesPath, rewrittenComment(before, await fileStamp(path)));
    },
    async findObject(q) {
      await dir.load(true);
      const e = dir.find({ dn: q.dn, anchor: q.anchor });
      return e ? toObject(e) : null;
    },
    expectValueChecks(_type, attributes) {
      for (const a of attributes) dir.expect(a);
    },
    async isValueInUse(_type, attribute, value) {
      await dir.keep(attribute);
      await dir.load(true);
      return dir.hasValue(attribute, String(value));
    },
  };
}
