/** Checks of schema, agent, deletion, profile and schedule declarations. */
import type { AgentDecl, DeletionDecl, ObjectDecl, ProfileDecl, ScheduleDecl, SettingValue } from './ast.ts';
import { Codes, suggest, type DiagnosticSink } from './diagnostics.ts';
import { agentTypes, settingsFor } from '../data/agent-types.ts';
import { combinedStepTypes, stepTypes } from '../data/model.ts';
import { attributeTypes, type Symbols } from './symbols.ts';

export function checkObject(d: ObjectDecl, accept: DiagnosticSink, sym: Symbols): void {
  const names = new Set<string>();
  for (const a of d.attributes) {
    if (names.has(a.name)) accept('error', Codes.DuplicateDeclaration, `attribute '${a.name}' is declared twice in '${d.name}'`, a.loc);
    names.add(a.name);
    if (!(attributeTypes as readonly string[]).includes(a.type)) {
      accept('error', Codes.UnknownAttributeType, `unknown attribute type '${a.type}'${suggest(a.type, attributeTypes)}`, a.typeLoc);
    }
    if (a.type === 'reference' && (!a.refType || !sym.objects.has(a.refType))) {
      accept('error', Codes.UnknownObjectType, `reference to unknown object type '${a.refType ?? ''}'${suggest(a.refType ?? '', sym.objects.keys())}`, a.typeLoc);
    }
  }
}

function checkSettingValue(name: string, kind: string, values: readonly SettingValue[], enumValues: readonly string[] | undefined, accept: DiagnosticSink): void {
  const v = values[0];
  if (!v) return;
  const bad = (what: string) => accept('error', Codes.BadSettingValue, `setting '${name}' needs ${what}`, v.loc);
  if (kind === 'secret') {
    if (v.kind !== 'Secret') accept('error', Codes.LiteralSecret, `setting '${name}' is a secret: give a reference, env("NAME") or file("/path"), never the value itself`, v.loc);
    return;
  }
  if (v.kind === 'Secret' && kind !== 'string') return bad(`a ${kind}, not a secret reference`);
  if (kind === 'list') return;
  if (values.length > 1) return bad('one value');
  if (kind === 'number' && v.kind !== 'Number') return bad('a number');
  if (kind === 'duration' && v.kind !== 'Duration') return bad('a duration such as 30m or 7d');
  if (kind === 'boolean' && !(v.kind === 'Name' && /^(true|false)$/.test(v.name))) return bad('true or false');
  if (kind === 'string' && v.kind !== 'String' && v.kind !== 'Secret') return bad('a quoted string');
  if (kind === 'enum') {
    const text = v.kind === 'String' ? v.value : v.kind === 'Name' ? v.name : '';
    if (!enumValues?.includes(text)) bad(`one of ${enumValues?.join(', ')}`);
  }
}

export function checkAgent(d: AgentDecl, accept: DiagnosticSink): void {
  const specs = settingsFor(d.type);
  if (!specs) {
    accept('error', Codes.UnknownAgentType, `unknown agent type '${d.type}'${suggest(d.type, Object.keys(agentTypes))}; known types: ${Object.keys(agentTypes).join(', ')}`, d.loc);
    return;
  }
  const given = new Set<string>();
  for (const s of d.settings) {
    given.add(s.name);
    const spec = specs[s.name];
    if (!spec) {
      accept('error', Codes.UnknownSetting, `unknown setting '${s.name}' for a ${d.type} agent${suggest(s.name, Object.keys(specs))}`, s.loc);
      continue;
    }
    checkSettingValue(s.name, spec.kind, s.values, spec.values, accept);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && !given.has(name)) accept('error', Codes.MissingSetting, `a ${d.type} agent needs the setting '${name}' (${spec.doc})`, d.loc);
  }
  if (d.objects.length === 0) accept('error', Codes.MissingSetting, `agent '${d.name}' declares no object type (object NAME { anchor … attributes … })`, d.loc);
  for (const o of d.objects) {
    if (o.anchor.length === 0) accept('error', Codes.MissingSetting, `object type '${o.name}' of agent '${d.name}' has no anchor`, o.loc);
  }
  for (const t of d.thresholds) {
    if (t.percent && (t.value <= 0 || t.value > 100)) accept('error', Codes.BadOption, `a deletion threshold percentage must be between 1 and 100`, t.loc);
  }
}

export function checkDeletion(d: DeletionDecl, accept: DiagnosticSink, sym: Symbols): void {
  if (!sym.objects.has(d.mvType)) accept('error', Codes.UnknownObjectType, `unknown metaverse object type '${d.mvType}'${suggest(d.mvType, sym.objects.keys())}`, d.loc);
  if (d.mode !== 'last-connector' && d.mode !== 'connector-from') {
    accept('error', Codes.BadOption, `deletion mode must be last-connector or connector-from, not '${d.mode}'`, d.loc);
  }
  if (d.mode === 'connector-from' && d.agents.length === 0) accept('error', Codes.BadOption, 'connector-from needs the agents whose disconnection deletes the object', d.loc);
  for (const a of [...d.agents, ...d.except]) {
    if (!sym.agents.has(a)) accept('error', Codes.UnknownAgent, `unknown agent '${a}'${suggest(a, sym.agents.keys())}`, d.loc);
  }
}

export const stepOptions = ['page', 'batch', 'limit', 'force'];

export function checkProfile(d: ProfileDecl, accept: DiagnosticSink, sym: Symbols): void {
  if (d.steps.length === 0) accept('error', Codes.BadProfile, `run profile '${d.name}' has no steps`, d.loc);
  for (const s of d.steps) {
    if (!sym.agents.has(s.agent)) accept('error', Codes.UnknownAgent, `unknown agent '${s.agent}'${suggest(s.agent, sym.agents.keys())}`, s.loc);
    const known = [...stepTypes, ...Object.keys(combinedStepTypes)];
    if (!known.includes(s.stepType)) accept('error', Codes.BadProfile, `unknown step type '${s.stepType}'${suggest(s.stepType, known)}`, s.loc);
    for (const o of s.options) {
      if (!stepOptions.includes(o.name)) accept('error', Codes.BadOption, `unknown step option '${o.name}'${suggest(o.name, stepOptions)}; options: ${stepOptions.join(', ')}`, o.loc);
      else if (o.name !== 'force' && (o.value === undefined || o.value <= 0)) accept('error', Codes.BadOption, `step option '${o.name}' needs a positive number`, o.loc);
    }
  }
}

export function checkSchedule(d: ScheduleDecl, accept: DiagnosticSink, sym: Symbols): void {
  if (!sym.profiles.has(d.profile)) accept('error', Codes.BadSchedule, `unknown run profile '${d.profile}'${suggest(d.profile, sym.profiles.keys())}`, d.loc);
  if (d.cron !== undefined && d.cron.trim().split(/\s+/).length !== 5) accept('error', Codes.BadSchedule, `cron expression '${d.cron}' needs 5 fields (minute hour day month weekday)`, d.loc);
  if (d.every && d.every.ms < 60_000) accept('warning', Codes.BadSchedule, `schedule '${d.name}' runs more often than once a minute`, d.loc);
}
