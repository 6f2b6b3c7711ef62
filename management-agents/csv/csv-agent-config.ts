/** Settings of the csv agent, read from the compiled rules. */
import { resolve } from 'node:path';
import type { AgentOptions } from '../management-agent.ts';
import { AgentError } from '../errors.ts';

export interface CsvAgentConfig {
  readonly path: string;
  readonly exportPath: string;
  readonly delimiter: string;
  readonly quote: string;
  readonly encoding: 'utf8' | 'utf16le' | 'windows-1252' | undefined;
  readonly multiValued: ReadonlySet<string>;
  readonly valueSeparator: string;
  readonly objectType: string;
  readonly anchor: readonly string[];
  readonly columns: readonly string[];
  readonly delta: 'compare' | 'drop';
  readonly exportMode: 'full' | 'changes';
  /** File column → attribute name. */
  readonly headerMap: ReadonlyMap<string, string>;
}

export function readCsvConfig(o: AgentOptions): CsvAgentConfig {
  const s = o.settings;
  const str = (k: string, d?: string) => (s[k] === undefined ? d : String(s[k]));
  const path = str('path');
  if (!path) throw new AgentError(o.name, 'Missing required setting `path`.');
  const typeName = str('object-type') ?? o.objectTypes[0]?.name;
  const type = o.objectTypes.find((t) => t.name === typeName);
  if (!type) throw new AgentError(o.name, `object type '${typeName}' is not declared on this agent`);
  const mv = s['multi-valued'];
  return {
    path: resolve(o.baseDir, path),
    exportPath: resolve(o.baseDir, str('export-path') ?? path),
    delimiter: str('delimiter', ',')!,
    quote: str('quote', '"')!,
    encoding: str('encoding') as CsvAgentConfig['encoding'],
    multiValued: new Set(Array.isArray(mv) ? mv.map(String) : mv === undefined ? [] : [String(mv)]),
    valueSeparator: str('value-separator', ';')!,
    objectType: type.name,
    anchor: type.anchor,
    columns: [...new Set([...type.anchor, ...type.attributes])],
    delta: str('delta') === 'drop' ? 'drop' : 'compare',
    exportMode: str('export-mode') === 'changes' ? 'changes' : 'full',
    headerMap: new Map((Array.isArray(s['header-map']) ? s['header-map'] : s['header-map'] === undefined ? [] : [s['header-map']]).map((m) => {
      const [from, to] = String(m).split('=');
      if (!from || !to) throw new AgentError(o.name, `header-map entry '${String(m)}' must be "File Column=attribute"`);
      return [from.trim(), to.trim()] as const;
    })),
  };
}
