/** Export of the csv agent: the full state of the app's file, or appended change rows. */
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { ExportRequest, ExportResult } from '../management-agent.ts';
import type { CsvAgentConfig } from './csv-agent-config.ts';
import { neutralizeFormula } from './csv-encoding.ts';

const cell = (v: unknown, cfg: CsvAgentConfig): string => {
  const text = neutralizeFormula(Array.isArray(v) ? v.join(cfg.valueSeparator) : v === null || v === undefined ? '' : String(v));
  return /[",\r\n;]/.test(text) || text.includes(cfg.delimiter) ? `"${text.replace(/"/g, '""')}"` : text;
};

const row = (values: readonly unknown[], cfg: CsvAgentConfig) => values.map((v) => cell(v, cfg)).join(cfg.delimiter) + '\n';

function valueOf(req: ExportRequest, column: string): unknown {
  const c = req.changes[column];
  if (!c) return undefined;
  return c.op === 'replace' ? c.value : c.add;
}

async function readExisting(cfg: CsvAgentConfig): Promise<Map<string, Record<string, string>>> {
  const text = await readFile(cfg.exportPath, 'utf8').catch(() => '');
  const rows = text ? (parse(text, { columns: true, delimiter: cfg.delimiter, skip_empty_lines: true }) as Record<string, string>[]) : [];
  return new Map(rows.map((r) => [cfg.anchor.map((a) => r[a] ?? '').join('|'), r]));
}

export async function exportCsv(cfg: CsvAgentConfig, batch: readonly ExportRequest[]): Promise<ExportResult[]> {
  const results: ExportResult[] = [];
  const anchorOf = (req: ExportRequest, current?: Record<string, string>) =>
    req.anchor ?? cfg.anchor.map((a) => String(valueOf(req, a) ?? current?.[a] ?? '')).join('|');
  if (cfg.exportMode === 'changes') {
    const header = ['changeType', ...cfg.columns];
    const existing = await readFile(cfg.exportPath, 'utf8').catch(() => '');
    let out = existing ? '' : row(header, cfg);
    for (const req of batch) {
      out += row([req.op, ...cfg.columns.map((c) => valueOf(req, c) ?? (cfg.anchor.includes(c) ? anchorOf(req).split('|')[cfg.anchor.indexOf(c)] : ''))], cfg);
      results.push({ id: req.id, ok: true, anchor: anchorOf(req) });
    }
    await appendFile(cfg.exportPath, out);
    return results;
  }
  const rows = await readExisting(cfg);
  for (const req of batch) {
    const current = req.anchor ? rows.get(req.anchor) : undefined;
    const anchor = anchorOf(req, current);
    if (!anchor.replace(/\|/g, '')) {
      results.push({ id: req.id, ok: false, message: `no value for the anchor column(s) ${cfg.anchor.join(', ')}`, retryable: false });
      continue;
    }
    if (req.op === 'delete') {
      rows.delete(anchor);
      results.push({ id: req.id, ok: true });
      continue;
    }
    if (req.op === 'add' && rows.has(anchor)) {
      results.push({ id: req.id, ok: false, message: `a row with anchor ${anchor} already exists`, retryable: false, code: 'already-exists' });
      continue;
    }
    if (req.op === 'update' && !current) {
      results.push({ id: req.id, ok: false, message: `no row with anchor ${anchor}`, retryable: false, code: 'not-found' });
      continue;
    }
    const next: Record<string, string> = { ...(current ?? {}) };
    for (const c of cfg.columns) {
      const v = valueOf(req, c);
      if (v !== undefined) next[c] = v === null ? '' : Array.isArray(v) ? v.join(cfg.valueSeparator) : String(v);
    }
    rows.delete(anchor);
    rows.set(cfg.anchor.map((a) => next[a] ?? '').join('|'), next);
    results.push({ id: req.id, ok: true, anchor: cfg.anchor.map((a) => next[a] ?? '').join('|'), dn: `${cfg.anchor[0]}=${anchor}` });
  }
  // Write to a temp file and rename, so a crash never leaves half a file.
  const tmp = `${cfg.exportPath}.tmp`;
  await writeFile(tmp, row(cfg.columns, cfg) + [...rows.values()].map((r) => row(cfg.columns.map((c) => r[c] ?? ''), cfg)).join(''));
  await rename(tmp, cfg.exportPath);
  return results;
}
