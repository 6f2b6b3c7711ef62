/** Printing helpers shared by the commands: aligned tables, counters, JSON. */
import type { RunRecord } from '../../data/objects.ts';

export type Out = (line: string) => void;

export function table(rows: readonly (readonly (string | number)[])[], out: Out): void {
  if (!rows.length) return;
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  for (const r of rows) out(r.map((c, i) => (i === r.length - 1 ? String(c) : String(c).padEnd(widths[i]!))).join('  ').trimEnd());
}

export function printRun(r: RunRecord, out: Out): void {
  out(`${r.agent} ${r.step}: ${r.status} (${((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(2)} s)`);
  const counters = Object.entries(r.counters).filter(([, v]) => v > 0).sort(([a], [b]) => a.localeCompare(b));
  if (counters.length) table(counters.map(([k, v]) => ['  ' + k, v]), out);
  for (const n of r.notes.slice(0, 20)) out(`  note: ${n}`);
  for (const e of r.errors.slice(0, 20)) out(`  error: ${e.object}${e.file ? ` (${e.file}${e.line ? `:${e.line}` : ''})` : ''}: ${e.message}`);
  if (r.errors.length > 20) out(`  … ${r.errors.length - 20} more errors: idsync history show ${r.id}`);
}

export const json = (v: unknown, out: Out) => out(JSON.stringify(v, null, 2));
