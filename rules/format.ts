/**
 * `idsync fmt`: one canonical layout. Idempotent, and parse(fmt(x)) compiles
 * to the same model as x. Comments are kept, placed before the declaration
 * that follows them.
 */
import type { Declaration, FlowDecl, RulesDocument, SettingValue } from './ast.ts';
import { format as expr, quote } from './format-expr.ts';

const name = (n: string) => n;
const I = '  ';

function settingValue(v: SettingValue): string {
  switch (v.kind) {
    case 'String': return quote(v.value);
    case 'Number': return String(v.value);
    case 'Duration': return v.text;
    case 'Name': return v.name;
    case 'Secret': return `${v.source}(${quote(v.ref)})`;
  }
}

function flow(f: FlowDecl, indent: string): string {
  const src = f.dnPart !== undefined ? `dn ${f.dnPart}` : f.source ? expr(f.source) : '';
  const opts = [
    f.precedence !== undefined ? `precedence ${f.precedence}` : '',
    f.merge !== undefined ? `merge ${f.merge}` : '',
    f.once ? 'once' : '',
    f.allowNull ? 'allow-null' : '',
  ].filter(Boolean);
  return `${indent}flow ${f.target} <- ${src}${opts.length ? ' ' + opts.join(' ') : ''}`;
}

function header(d: { name: string; precedence: number | undefined; dialect: string | undefined }): string {
  return `${quote(d.name)}`;
}

function ruleOptions(d: { precedence: number | undefined; dialect: string | undefined }): string {
  return `${d.precedence !== undefined ? ` precedence ${d.precedence}` : ''}${d.dialect !== undefined ? ` dialect ${d.dialect}` : ''}`;
}

function declaration(d: Declaration): string {
  switch (d.kind) {
    case 'Dialect': return `dialect ${d.dialect}`;
    case 'Object':
      return [`object ${d.name} {`, ...d.attributes.map((a) =>
        `${I}${a.name}: ${a.type}${a.refType ? `(${a.refType})` : ''}${a.multi ? ' multi' : ''}${a.indexed ? ' indexed' : ''}`), '}'].join('\n');
    case 'Agent':
      return [
        `agent ${d.name} type ${d.type} {`,
        ...d.settings.map((s) => `${I}${s.name} = ${s.values.map(settingValue).join(', ')}`),
        ...d.objects.map((o) => [
          `${I}object ${o.name} {`,
          o.anchor.length ? `${I}${I}anchor ${o.anchor.join(', ')}` : '',
          o.attributes.length ? `${I}${I}attributes ${o.attributes.join(', ')}` : '',
          `${I}}`,
        ].filter(Boolean).join('\n')),
        ...(d.thresholds.length ? [`${I}threshold deletes ${d.thresholds.map((t) => `${t.value}${t.percent ? '%' : ''}`).join(', ')}`] : []),
        '}',
      ].join('\n');
    case 'Inbound':
      return [
        `inbound ${header(d)} from ${d.agent}.${d.objectType} to ${d.mvType}${ruleOptions(d)} {`,
        ...(d.scope ? [`${I}scope ${expr(d.scope)}`] : []),
        ...(d.filter ? [`${I}filter ${expr(d.filter)}`] : []),
        ...(d.joinGroups.length ? [`${I}join {`, ...d.joinGroups.map((g) => [`${I}${I}group {`, ...g.pairs.map((p) => `${I}${I}${I}match ${expr(p.cs)} to ${expr(p.mv)}`), `${I}${I}}`].join('\n')), `${I}}`] : []),
        ...(d.project ? [`${I}project${d.project.when ? ` when ${expr(d.project.when)}` : ''}`] : []),
        ...d.flows.map((f) => flow(f, I)),
        '}',
      ].join('\n');
    case 'Outbound': {
      const dep = d.deprovision;
      return [
        `outbound ${header(d)} from ${d.mvType} to ${d.agent}.${d.objectType}${ruleOptions(d)} {`,
        ...(d.scope ? [`${I}scope ${expr(d.scope)}`] : []),
        ...(d.provision ? [`${I}provision${d.provision.when ? ` when ${expr(d.provision.when)}` : ''}`] : []),
        ...(d.dn ? [`${I}dn ${expr(d.dn)}`] : []),
        ...d.flows.map((f) => flow(f, I)),
        ...(dep ? [`${I}deprovision ${dep.action}${dep.flows.length ? ` {\n${dep.flows.map((f) => flow(f, I + I)).join('\n')}\n${I}}` : ''}${dep.deleteAfter ? ` then delete after ${dep.deleteAfter.text}` : ''}`] : []),
        '}',
      ].join('\n');
    }
    case 'Deletion':
      return `deletion ${d.mvType} when ${d.mode}${d.agents.length ? ' ' + d.agents.map(name).join(', ') : ''}${d.except.length ? ` except ${d.except.join(', ')}` : ''}${d.grace ? ` grace ${d.grace.text}` : ''}`;
    case 'Profile':
      return [`profile ${d.name} {`, ...d.steps.map((s) => `${I}step ${s.agent} ${s.stepType}${s.options.map((o) => ` ${o.name}${o.value !== undefined ? ` ${o.value}` : ''}`).join('')}`), '}'].join('\n');
    case 'Schedule':
      return `schedule ${d.name} run ${d.profile}${d.every ? ` every ${d.every.text}` : ''}${d.cron !== undefined ? ` cron ${quote(d.cron)}` : ''}`;
  }
}

export function formatDocument(doc: RulesDocument): string {
  const comments = [...doc.comments].sort((a, b) => a.line - b.line);
  let ci = 0;
  const blocks: string[] = [];
  for (const d of doc.declarations) {
    const lead: string[] = [];
    while (ci < comments.length && comments[ci]!.line <= d.loc.line) lead.push(comments[ci++]!.text.trimEnd());
    blocks.push([...lead, declaration(d)].join('\n'));
  }
  const rest = comments.slice(ci).map((c) => c.text.trimEnd());
  if (rest.length) blocks.push(rest.join('\n'));
  return blocks.join('\n\n') + '\n';
}
