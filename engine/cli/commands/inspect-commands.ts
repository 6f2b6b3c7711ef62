/** `idsync status`, `idsync history`, `idsync mv …`, `idsync cs …`: read-only views of the store. */
import type { Command } from 'commander';
import type { CsObject, MvObject } from '../../../data/objects.ts';
import { asArray } from '../../../data/model.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { projectOptions, wholeNumber, withProject, type ProjectFlags } from '../open.ts';
import { json, printRun, table, type Out } from '../output.ts';
import { explainLineage, statusOf, type LineageRow } from '../../inspect.ts';
import { STAGING_KEY } from '../../export/run-export.ts';

type Flags = ProjectFlags & { json?: boolean; limit?: number; where?: string[]; state?: string; pending?: string; errors?: boolean; lineage?: boolean };

const show = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.join('; ') : String(v));

export function printMv(mv: MvObject, lineage: readonly LineageRow[] | undefined, out: Out): void {
  out(`${mv.objectType} ${mv.id}${mv.deleteAt ? ` (deletion scheduled ${mv.deleteAt})` : ''}`);
  const rows: (string | number)[][] = [];
  for (const [k, v] of Object.entries(mv.attrs).sort(([a], [b]) => a.localeCompare(b))) {
    const l = lineage?.find((x) => x.attribute === k);
    rows.push(l ? ['  ' + k, show(v), `${l.agent}:${l.anchor ?? '?'}`, `'${l.rule}' ${l.where}`, l.expression, l.at] : ['  ' + k, show(v)]);
  }
  if (lineage) rows.unshift(['  attribute', 'value', 'from', 'rule', 'expression', 'changed']);
  table(rows, out);
  out('  connectors: ' + mv.connectors.map((c) => `${c.agent}:${c.csId}`).join(', '));
}

export function printCs(cs: CsObject, out: Out): void {
  out(`${cs.agent} ${cs.objectType} ${cs.dn}`);
  table([
    ['  id', cs.id], ['  anchor', cs.anchor ?? '(not exported yet)'], ['  state', cs.state], ['  joined to', cs.mvId ?? '-'],
    ...(cs.provisionedBy ? [['  provisioned by', cs.provisionedBy]] : []),
    ...(cs.deprovision ? [['  deprovision', `${cs.deprovision.action} at ${cs.deprovision.at}${cs.deprovision.deleteAt ? `, delete at ${cs.deprovision.deleteAt}` : ''}`]] : []),
  ], out);
  out('  hologram:');
  table(Object.entries(cs.hologram).map(([k, v]) => ['    ' + k, show(v)]), out);
  if (cs.pendingImport) out(`  pending import (${cs.pendingImport.op}): ${JSON.stringify(cs.pendingImport.delta)}${cs.pendingImport.dn ? ` dn=${cs.pendingImport.dn}` : ''}`);
  if (cs.pendingExport) out(`  pending export (${cs.pendingExport.op}): ${JSON.stringify(cs.pendingExport.changes)}${cs.pendingExport.newDn ? ` new dn=${cs.pendingExport.newDn}` : ''}`);
  if (cs.unconfirmed) out(`  unconfirmed export: ${JSON.stringify(cs.unconfirmed)}`);
  for (const e of [cs.importError?.message, cs.syncError, cs.exportError?.message]) if (e) out(`  error: ${e}`);
}

function findMv(ref: string, all: () => Iterable<MvObject>, get: (id: string) => MvObject | undefined): MvObject {
  const byId = get(ref);
  if (byId) return byId;
  const m = /^([^:]+):([^=]+)=(.*)$/.exec(ref);
  if (!m) throw new CliError(`no metaverse object '${ref}'; give an id or TYPE:ATTR=VALUE`, ExitCode.Failed);
  const [, type, attr, value] = m as unknown as [string, string, string, string];
  const hits = [...all()].filter((x) => x.objectType === type && asArray(x.attrs[attr]).some((v) => String(v).toLowerCase() === value.toLowerCase()));
  if (hits.length !== 1) throw new CliError(`${hits.length} metaverse objects match ${ref}`, ExitCode.Failed);
  return hits[0]!;
}

export function registerInspectCommands(program: Command, out: Out): void {
  projectOptions(program.command('status').description('agents, connector-space counts, pending work, last runs, run profiles'))
    .option('--json', 'print as JSON')
    .action((o: Flags) => withProject(o, async (p) => {
      const s = statusOf(p);
      if (o.json) return json(s, out);
      table([['agent', 'type', 'objects', 'by state', 'pending import', 'pending export', 'errors', 'last run'],
        ...s.agents.map((a) => [a.name, a.type, a.objects, Object.entries(a.states).map(([k, v]) => `${k} ${v}`).join(', ') || '-', a.pendingImport, a.pendingExport, a.errors, a.lastRun ? `${a.lastRun.step} ${a.lastRun.status} ${a.lastRun.endedAt}` : '-'])], out);
      out(`metaverse: ${s.metaverse.objects} objects${s.staging ? ' — STAGING MODE: exports are not sent' : ''}`);
      out(`run profiles: ${s.profiles.map((x) => `${x.name} (${x.steps.join(', ')})`).join('; ') || 'none'}`);
    }));

  projectOptions(program.command('staging').argument('<on|off>').description('staging mode, as Azure AD Connect: import and sync run, export sends nothing'))
    .action((mode: string, o: Flags) => withProject(o, async (p) => {
      if (mode !== 'on' && mode !== 'off') throw new CliError(`staging takes on or off, not '${mode}'`, ExitCode.Usage);
      const tx = p.store.begin();
      tx.setMeta(STAGING_KEY, mode === 'on' ? true : null);
      await tx.commit();
      out(`staging mode ${mode}${mode === 'on' ? ': exports are computed and shown by idsync plan, never sent' : ''}`);
    }));

  const history = program.command('history').description('run history');
  projectOptions(history.command('list', { isDefault: true }).description('the latest steps'))
    .option('--limit <n>', 'how many', wholeNumber, 20).option('--json', 'print as JSON')
    .action((o: Flags) => withProject(o, async (p) => {
      const runs = p.store.runs().slice(-(o.limit ?? 20)).reverse();
      if (o.json) return json(runs, out);
      table([['id', 'agent', 'step', 'status', 'started', 'errors'], ...runs.map((r) => [r.id, r.agent, r.step, r.status, r.startedAt, r.errors.length])], out);
    }));
  projectOptions(history.command('show').argument('<run>').description('one step with its counters and errors'))
    .option('--json', 'print as JSON')
    .action((id: string, o: Flags) => withProject(o, async (p) => {
      const r = p.store.runs().find((x) => x.id === id || x.id.startsWith(id));
      if (!r) throw new CliError(`no run ${id}`, ExitCode.Failed);
      if (o.json) return json(r, out);
      printRun(r, out);
    }));

  const mv = program.command('mv').description('the metaverse');
  projectOptions(mv.command('search').argument('<type>').description('find metaverse objects'))
    .option('--where <attr=value...>', 'attribute filters (case-insensitive)').option('--limit <n>', 'at most', wholeNumber, 50).option('--json', 'print as JSON')
    .action((type: string, o: Flags) => withProject(o, async (p) => {
      const filters = (o.where ?? []).map((w) => { const i = w.indexOf('='); return [w.slice(0, i), w.slice(i + 1).toLowerCase()] as const; });
      const hits = [...p.store.mvValues()].filter((m) => m.objectType === type && filters.every(([a, v]) => asArray(m.attrs[a]).some((x) => String(x).toLowerCase() === v))).slice(0, o.limit ?? 50);
      if (o.json) return json(hits, out);
      table([['id', 'displayName', 'connectors'], ...hits.map((m) => [m.id, show(m.attrs['displayName'] ?? m.attrs['name']), m.connectors.map((c) => c.agent).join(',')])], out);
    }));
  projectOptions(mv.command('show').argument('<id-or-TYPE:ATTR=VALUE>').description('one metaverse object'))
    .option('--lineage', 'for every attribute: which agent, object, rule and file:line gave it, and when it changed').option('--json', 'print as JSON')
    .action((ref: string, o: Flags) => withProject(o, async (p) => {
      const m = findMv(ref, () => p.store.mvValues(), (id) => p.store.mv(id));
      const lineage = o.lineage ? explainLineage(p.rules, p.store, m) : undefined;
      if (o.json) return json(lineage ? { ...m, lineage } : m, out);
      printMv(m, lineage, out);
    }));

  const cs = program.command('cs').description('connector spaces');
  projectOptions(cs.command('search').argument('<agent>').description('find connector-space objects'))
    .option('--state <state>', 'connector, disconnector, explicit-disconnector, filtered-disconnector, placeholder…')
    .option('--pending <kind>', 'import or export').option('--errors', 'only objects with errors').option('--limit <n>', 'at most', wholeNumber, 50).option('--json', 'print as JSON')
    .action((agent: string, o: Flags) => withProject(o, async (p) => {
      if (!p.rules.agents.has(agent)) throw new CliError(`unknown agent '${agent}'`, ExitCode.Usage);
      const hits = [...p.store.cs(agent).values()].filter((x) =>
        (!o.state || x.state === o.state) && (!o.pending || (o.pending === 'import' ? !!x.pendingImport : !!x.pendingExport)) && (!o.errors || !!(x.importError || x.syncError || x.exportError)),
      ).slice(0, o.limit ?? 50);
      if (o.json) return json(hits, out);
      table([['anchor', 'dn', 'state', 'pending'], ...hits.map((x) => [x.anchor ?? '-', x.dn, x.state, [x.pendingImport ? `import ${x.pendingImport.op}` : '', x.pendingExport ? `export ${x.pendingExport.op}` : ''].filter(Boolean).join(', ') || '-'])], out);
    }));
  projectOptions(cs.command('show').argument('<agent>').argument('<anchor-or-dn>').description('one connector-space object: holograms, pending deltas, join'))
    .option('--json', 'print as JSON')
    .action((agent: string, ref: string, o: Flags) => withProject(o, async (p) => {
      const space = p.store.cs(agent);
      const x = space.byAnchor(ref) ?? space.byDn(ref) ?? space.get(ref);
      if (!x) throw new CliError(`no object '${ref}' in the connector space of ${agent}`, ExitCode.Failed);
      if (o.json) return json(x, out);
      printCs(x, out);
    }));
}
