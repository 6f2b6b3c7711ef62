/**
 * Compiles a project: every `*.sync` document → one CompiledRules, plus every
 * diagnostic of every file. Validation runs first, through a registry of
 * checks keyed by declaration kind.
 */
import type { Declaration, Dialect, InboundDecl, RulesDocument } from './ast.ts';
import { createSink, type Diagnostic, type DiagnosticSink } from './diagnostics.ts';
import type { AgentConfig, CompiledRules, DeletionRule, RunProfile, RunStep, SettingValue } from './model.ts';
import { buildSymbols, type Symbols } from './symbols.ts';
import { checkAgent, checkDeletion, checkObject, checkProfile, checkSchedule } from './validate-decls.ts';
import { checkAcrossRules, checkInbound, checkOutbound } from './validate-rules.ts';
import { compileInbound, compileOutbound, hasErrors, sourceRef } from './compile-rule.ts';
import { combinedStepTypes, type StepType } from '../data/model.ts';
import { settingsFor } from '../data/agent-types.ts';

type Check<K extends Declaration['kind']> = (d: Extract<Declaration, { kind: K }>, accept: DiagnosticSink, sym: Symbols, dialect: Dialect) => void;
type Checks = { [K in Declaration['kind']]: Check<K>[] };

const checks: Checks = {
  Dialect: [(d, accept) => {
    if (d.dialect !== 'entra' && d.dialect !== 'aadc') accept('error', 'IDS0208', `unknown dialect '${d.dialect}': use entra or aadc`, d.loc);
  }],
  Object: [checkObject],
  Agent: [checkAgent],
  Inbound: [checkInbound],
  Outbound: [checkOutbound],
  Deletion: [checkDeletion],
  Profile: [checkProfile],
  Schedule: [checkSchedule],
};

export function fileDialect(doc: RulesDocument): Dialect {
  const d = doc.declarations.find((x) => x.kind === 'Dialect');
  return d?.kind === 'Dialect' && d.dialect === 'aadc' ? 'aadc' : 'entra';
}

export function validate(docs: readonly RulesDocument[], out: Diagnostic[]): Symbols {
  const sym = buildSymbols(docs, out);
  const inbound: { rule: InboundDecl; file: string }[] = [];
  for (const doc of docs) {
    const accept = createSink(doc.file, out);
    const dialect = fileDialect(doc);
    for (const d of doc.declarations) {
      for (const check of checks[d.kind] as Check<typeof d.kind>[]) check(d as never, accept, sym, dialect);
      if (d.kind === 'Inbound') inbound.push({ rule: d, file: doc.file });
    }
  }
  checkAcrossRules(inbound, out);
  return sym;
}

function settingValue(values: readonly import('./ast.ts').SettingValue[], listKind: boolean): SettingValue {
  const v = values[0]!;
  if (listKind || values.length > 1) return values.map((x) => (x.kind === 'String' ? x.value : x.kind === 'Name' ? x.name : String('value' in x ? x.value : '')));
  switch (v.kind) {
    case 'String': return v.value;
    case 'Number': return v.value;
    case 'Duration': return v.ms;
    case 'Name': return v.name === 'true' ? true : v.name === 'false' ? false : v.name;
    case 'Secret': return { secret: v.source, ref: v.ref };
  }
}

/** Builds the model; call only when `validate` found no errors. */
export function buildModel(docs: readonly RulesDocument[], sym: Symbols): CompiledRules {
  const agents = new Map<string, AgentConfig>();
  const inbound = [];
  const outbound = [];
  const deletion = new Map<string, DeletionRule>();
  const profiles = new Map<string, RunProfile>();
  const schedules = [];
  for (const doc of docs) {
    const dialect = fileDialect(doc);
    for (const d of doc.declarations) {
      if (d.kind === 'Agent') {
        const settings: Record<string, SettingValue> = {};
        for (const s of d.settings) if (s.values.length) settings[s.name] = settingValue(s.values, settingsFor(d.type)?.[s.name]?.kind === 'list');
        const count = d.thresholds.find((t) => !t.percent)?.value;
        const percent = d.thresholds.find((t) => t.percent)?.value;
        agents.set(d.name, {
          name: d.name, type: d.type, settings,
          objectTypes: new Map(d.objects.map((o) => [o.name, { name: o.name, anchor: o.anchor, attributes: o.attributes }])),
          // Azure AD Connect's default: 500 deletes.
          deletionThreshold: { count: count ?? (percent === undefined ? 500 : undefined), percent },
          recall: settings['recall'] !== false,
          source: sourceRef(doc.file, d.loc),
        });
      } else if (d.kind === 'Inbound') inbound.push(compileInbound(d, doc.file, dialect, sym.objects.get(d.mvType)!));
      else if (d.kind === 'Outbound') outbound.push(compileOutbound(d, doc.file, dialect, sym.objects.get(d.mvType)!));
      else if (d.kind === 'Deletion') {
        deletion.set(d.mvType, {
          mvType: d.mvType,
          mode: d.mode === 'connector-from' ? 'connector-from' : 'last-connector',
          agents: d.mode === 'connector-from' ? d.agents : d.except,
          graceMs: d.grace?.ms ?? 0,
        });
      } else if (d.kind === 'Profile') {
        const steps: RunStep[] = d.steps.flatMap((s) => {
          const opt = (n: string) => s.options.find((o) => o.name === n)?.value;
          const types: readonly StepType[] = combinedStepTypes[s.stepType] ?? [s.stepType as StepType];
          return types.map((type) => ({ agent: s.agent, type, pageSize: opt('page'), batchSize: opt('batch'), limit: opt('limit'), force: s.options.some((o) => o.name === 'force') }));
        });
        profiles.set(d.name, { name: d.name, steps });
      } else if (d.kind === 'Schedule') schedules.push({ name: d.name, profile: d.profile, everyMs: d.every?.ms, cron: d.cron });
    }
  }
  return { schema: sym.objects, agents, inbound, outbound, deletion, profiles, schedules };
}

export interface CompileResult {
  readonly model: CompiledRules | undefined;
  readonly diagnostics: Diagnostic[];
}

export function compileDocuments(docs: readonly RulesDocument[], parseDiagnostics: Diagnostic[] = []): CompileResult {
  const diagnostics = [...parseDiagnostics];
  try {
    const sym = validate(docs, diagnostics);
    if (hasErrors(diagnostics)) return { model: undefined, diagnostics };
    return { model: buildModel(docs, sym), diagnostics };
  } catch (err) {
    diagnostics.push({ file: docs[0]?.file ?? '<project>', line: 1, column: 1, length: 0, severity: 'error', code: 'IDS0009', message: `internal compiler error: ${(err as Error).message}` });
    return { model: undefined, diagnostics };
  }
}
