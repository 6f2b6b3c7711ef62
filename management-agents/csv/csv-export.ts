/** Export of the csv agent: the full state of the app's file, or appended change rows. */
import { appendFile, stat } from 'node:fs/promises';
import type { ExportRequest, ExportResult } from '../management-agent.ts';
import type { CsvAgentConfig } from './csv-agent-config.ts';
import { csvRow } from './csv-encoding.ts';
import type { CsvRecord, CsvTable } from './csv-table.ts';

function valueOf(req: ExportRequest, column: string): unknown {
  const c = req.changes[column];
  if (!c) return undefined;
  return c.op === 'replace' ? c.value : c.add;
}

const anchorOf = (cfg: CsvAgentConfig, req: ExportRequest, current?: CsvRecord) =>
  req.anchor ?? cfg.anchor.map((a) => String(valueOf(req, a) ?? current?.[a] ?? '')).join('|');

/** Changes mode: one row per request, appended; the app's own loader applies them. */
export async function exportCsvChanges(cfg: CsvAgentConfig, batch: readonly ExportRequest[]): Promise<ExportResult[]> {
  const results: ExportResult[] = [];
  const exists = await stat(cfg.exportPath).then((s) => s.size > 0, () => false);
  let out = exists ? '' : csvRow(['changeType', ...cfg.columns], cfg);
  for (const req of batch) {
    const anchor = anchorOf(cfg, req);
    out += csvRow([req.op, ...cfg.columns.map((c) => valueOf(req, c) ?? (cfg.anchor.includes(c) ? anchor.split('|')[cfg.anchor.indexOf(c)] : ''))], cfg);
    results.push({ id: req.id, ok: true, anchor });
  }
  await appendFile(cfg.exportPath, out);
  return results;
}

/** Full mode: the file holds every row; changes are journaled per batch (durable before answering). */
export async function exportCsvFull(cfg: CsvAgentConfig, table: CsvTable, batch: readonly ExportRequest[]): Promise<ExportResult[]> {
  const results = batch.map((req) => applyOne(cfg, table, req));
  await table.commit();
  return results;
}

function applyOne(cfg: CsvAgentConfig, table: CsvTable, req: ExportRequest): ExportResult {
  const current = req.anchor ? table.get(req.anchor) : undefined;
  const anchor = anchorOf(cfg, req, current);
  if (!anchor.replace(/\|/g, '')) return { id: req.id, ok: false, message: `no value for the anchor column(s) ${cfg.anchor.join(', ')}`, retryable: false };
  if (req.op === 'delete') {
    table.delete(anchor);
    return { id: req.id, ok: true };
  }
  if (req.op === 'add' && table.get(anchor)) return { id: req.id, ok: false, message: `a row with anchor ${anchor} already exists`, retryable: false, code: 'already-exists' };
  if (req.op === 'update' && !current) return { id: req.id, ok: false, message: `no row with anchor ${anchor}`, retryable: false, code: 'not-found' };
  const next: CsvRecord = { ...(current ?? {}) };
  for (const c of cfg.columns) {
    const v = valueOf(req, c);
    if (v !== undefined) next[c] = v === null ? '' : Array.isArray(v) ? v.join(cfg.valueSeparator) : String(v);
  }
  table.set(next, anchor);
  return { id: req.id, ok: true, anchor: table.keyOf(next), dn: `${cfg.anchor[0]}=${anchor}` };
}
