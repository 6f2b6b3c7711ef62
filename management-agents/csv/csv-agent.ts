/**
 * The csv agent: an HR extract as a source (streaming, one bad row is one
 * import error), and a simple app as a target (full file or change rows).
 * An agent that writes the file it imports confirms its exports with a delta
 * import from its own change log (csv-change-log.ts).
 */
import { readFile } from 'node:fs/promises';
import { hash } from 'node:crypto';
import type { AgentOptions, ImportChange, ImportContext, ImportedObject, ManagementAgent } from '../management-agent.ts';
import type { Attributes } from '../../data/model.ts';
import { AgentError } from '../errors.ts';
import { readCsvConfig, type CsvAgentConfig } from './csv-agent-config.ts';
import { sourceRows } from './csv-source.ts';
import { exportCsvChanges, exportCsvFull } from './csv-export.ts';
import { CsvTable } from './csv-table.ts';
import { changeLogPath, logRewrite, netChanges, rewritesSince } from './csv-change-log.ts';
import { fileStamp } from '../journaled-file.ts';
import { logSize, readWatermark, whyNotDelta, writeWatermark } from '../log-watermark.ts';

function toObject(cfg: CsvAgentConfig, anchor: string, record: Readonly<Record<string, string | undefined>>): ImportedObject {
  const attrs: Attributes = {};
  // for-in, not Object.entries: an array per column per row was most of this function's time (an HR extract's rows).
  for (const k in record) {
    const raw = record[k];
    if (k === 'changeType' || raw === undefined) continue;
    const v = raw.trim();
    if (v === '') continue;
    attrs[k] = cfg.multiValued.has(k) ? valuesIn(v, cfg.valueSeparator) : v;
  }
  return { anchor, dn: `${cfg.anchor[0]}=${anchor}`, objectType: cfg.objectType, attrs };
}

/**
 * A multi-valued field's values, each trimmed, empty ones dropped. Split
 * alone where none can need it (no whitespace, no separator doubled or at
 * either end): a department's 10,000 members were 10,000 trims and two lists
 * more at each import of the departments extract.
 */
export function valuesIn(field: string, separator: string): string[] {
  const parts = field.split(separator);
  const untidy = /\s/.test(field) || field.startsWith(separator) || field.endsWith(separator) || field.includes(separator + separator);
  return untidy ? parts.map((x) => x.trim()).filter(Boolean) : parts;
}

const dropFile = (cfg: CsvAgentConfig) => cfg.path.replace(/(\.csv)?$/, '.delta.csv');

/**
 * The drop file's bytes and which drop file it is (a digest: drop files are
 * small), so that a delta import reads each one once and parses the very
 * bytes its watermark names; 'none' when there is none.
 */
async function readDrop(cfg: CsvAgentConfig, agent: string): Promise<{ bytes: Buffer | null; stamp: string }> {
  const file = dropFile(cfg);
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new AgentError(agent, `cannot read ${file}: ${err.message}`);
  });
  return { bytes, stamp: bytes ? hash('sha1', bytes, 'base64') : 'none' };
}

/** The rows of the extract, or (`drop`) of the drop file's bytes already read. */
async function* readRows(cfg: CsvAgentConfig, agent: string, drop: Buffer | null): AsyncIterable<ImportChange> {
  const file = drop ? dropFile(cfg) : cfg.path;
  for await (const rows of sourceRows(cfg, file, drop, agent)) {
    for (const row of rows) {
      if (row.kind === 'error') {
        yield { kind: 'error', message: row.message, file, line: row.line };
        continue;
      }
      const { record, line } = row;
      if (row.wrongLength) {
        yield { kind: 'error', message: `row has a different number of fields than the header (${row.columns})`, file, line };
        continue;
      }
      const missing = cfg.anchor.filter((a) => !record[a]?.trim());
      if (missing.length) {
        yield { kind: 'error', message: `row has no value for anchor column ${missing.join(', ')}`, file, line };
        continue;
      }
      const anchor = cfg.anchor.map((a) => record[a]!.trim()).join('|');
      if (drop && /^delete$/i.test(record['changeType'] ?? '')) {
        yield { kind: 'delete', anchor };
        continue;
      }
      yield { kind: 'object', object: toObject(cfg, anchor, record) };
    }
  }
}

export function createCsvAgent(options: AgentOptions): ManagementAgent {
  const cfg = readCsvConfig(options);
  const table = cfg.exportMode === 'full' ? new CsvTable(cfg, options.name) : null;
  // Writing the file it imports, without drop files: its own change log says what changed.
  const logPath = table && cfg.path === cfg.exportPath && cfg.delta !== 'drop' ? changeLogPath(cfg.path) : null;

  /** Rewrites the file with what exports journaled; with a change log, logs the rewrite. */
  async function fold(): Promise<void> {
    if (!table) return;
    const before = logPath ? await fileStamp(cfg.path) : '';
    if (!(await table.fold())) return;
    const changes = table.takeChanges();
    if (logPath) await logRewrite(logPath, { before, after: await fileStamp(cfg.path), ...changes });
  }

  async function* fullLogged(log: string, ctx: ImportContext): AsyncIterable<ImportChange> {
    // Taken before the rows are read: a delta import from here misses nothing.
    const mark = writeWatermark({ offset: await logSize(log), file: await fileStamp(cfg.path) });
    yield* readRows(cfg, options.name, null);
    ctx.setWatermark(mark);
  }

  /** The rows the log names since the watermark, as the file holds them now; a full import when it cannot say. */
  async function* confirming(log: string, t: CsvTable, ctx: ImportContext): AsyncIterable<ImportChange> {
    const from = readWatermark(ctx.watermark);
    const since = from && (await rewritesSince(log, from.offset));
    const stamp = await fileStamp(cfg.path);
    const why = whyNotDelta(from, since && { unusable: since.unusable, rewrites: since.rewrites.map((r) => [r.before, r.after] as const) }, log, cfg.path, stamp);
    if (why || !since) {
      ctx.note(`${why}: ran a full import`);
      ctx.becameFull?.();
      yield* fullLogged(log, ctx);
      return;
    }
    await t.load();
    const { put, removed } = netChanges(since.rewrites);
    for (const k of removed) if (!t.get(k)) yield { kind: 'delete', anchor: k };
    for (const k of put) {
      const row = t.get(k);
      if (row) yield { kind: 'object', object: toObject(cfg, k, row) };
    }
    ctx.setWatermark(writeWatermark({ offset: since.end, file: stamp }));
  }
  /**
   * An import of the file export writes first folds what an interrupted export
   * journaled. With drop files, the watermark names the drop file read last
   * (a full import counts the one present as read): the next delta import
   * reads the drop file only once the source has replaced it.
   */
  async function* importing(drop: boolean, ctx: ImportContext): AsyncIterable<ImportChange> {
    if (cfg.path === cfg.exportPath) await fold();
    if (logPath && table) {
      yield* drop ? confirming(logPath, table, ctx) : fullLogged(logPath, ctx);
      return;
    }
    const dropped = cfg.delta === 'drop' ? await readDrop(cfg, options.name) : null;
    if (!drop) yield* readRows(cfg, options.name, null);
    else if (dropped?.bytes && dropped.stamp !== ctx.watermark) yield* readRows(cfg, options.name, dropped.bytes);
    if (dropped) ctx.setWatermark(dropped.stamp);
  }
  return {
    name: options.name,
    type: 'csv',
    capabilities: {
      deltaImport: cfg.delta === 'drop' || logPath !== null, export: true, referencesInSecondPass: false, valueLevelMultiValue: false, rename: true,
      // Full mode journals each batch and rewrites the file once per step (endExport).
      ...(cfg.exportMode === 'full' ? { exportBatchSize: 5000 } : {}),
    },
    fullImport: (ctx: ImportContext) => importing(false, ctx),
    deltaImport: (ctx: ImportContext) => importing(true, ctx),
    async export(batch) {
      if (!table) return exportCsvChanges(cfg, batch);
      await table.load();
      return exportCsvFull(cfg, table, batch);
    },
    endExport: fold,
    async findObject(q) {
      // Export objects are named anchorColumn=value; look the row up in the file export writes.
      const wanted = q.anchor ?? (q.dn?.startsWith(`${cfg.anchor[0]}=`) ? q.dn.slice(cfg.anchor[0]!.length + 1) : undefined);
      if (wanted === undefined) return null;
      if (table) {
        await table.load(true);
        const row = table.get(wanted);
        return row ? toObject(cfg, wanted, row) : null;
      }
      for await (const c of readRows({ ...cfg, path: cfg.exportPath }, options.name, null)) {
        if (c.kind === 'object' && c.object.anchor === wanted) return c.object;
      }
      return null;
    },
    async getSchema() {
      return { objectTypes: [{ name: cfg.objectType, attributes: [...cfg.columns] }] };
    },
    async close() {
      table?.close();
    },
    async testConnection() {
      await import('node:fs/promises').then((fs) => fs.access(cfg.path)).catch((err: Error) => {
        throw new AgentError(options.name, `cannot read ${cfg.path}: ${err.message}`);
      });
    },
  };
}
