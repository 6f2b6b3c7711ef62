/**
 * What the HR extract agents (Workday XML, SuccessFactors JSON) share: they
 * are read-only, read one file or a folder of pages in name order, and map
 * record by record, so one bad record is an error naming it, not a failed run.
 * `createHrExtractAgent` is the agent itself; each format supplies only how a
 * file becomes records and how a record maps.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AgentCapabilities, AgentOptions, ImportChange, ImportContext, ManagementAgent } from './management-agent.ts';
import { AgentError } from './errors.ts';
import type { Attributes } from '../data/model.ts';

export const readOnlyCapabilities: AgentCapabilities = { deltaImport: false, export: false, referencesInSecondPass: false, valueLevelMultiValue: false, rename: false };

export type Mapped = { readonly anchor: string; readonly attrs: Attributes } | { readonly error: string };

export interface HrExtract {
  readonly path: string;
  /** The effective date for future-dated records: the `as-of` setting, or today. */
  asOf(): string;
  /** The file, or the folder's files with this extension sorted by name. */
  files(): Promise<string[]>;
  testConnection(): Promise<void>;
}

export function hrExtract(o: AgentOptions, extension: string): HrExtract {
  const path = resolve(o.baseDir, String(o.settings['path'] ?? ''));
  const unreadable = (err: unknown) => new AgentError(o.name, `cannot read ${path}: ${(err as Error).message}`);
  return {
    path,
    asOf: () => String(o.settings['as-of'] ?? new Date().toISOString()).slice(0, 10),
    async files() {
      try {
        if (!(await stat(path)).isDirectory()) return [path];
        return (await readdir(path)).filter((f) => f.toLowerCase().endsWith(extension)).sort().map((f) => join(path, f));
      } catch (err) {
        throw unreadable(err);
      }
    },
    async testConnection() {
      await stat(path).catch((err: unknown) => { throw unreadable(err); });
    },
  };
}

/** One file's records as import changes; `label` names a record in errors ("Worker", "record"). */
export function* mapRecords<R>(records: readonly R[], map: (r: R) => Mapped, o: { file: string; label: string; objectType: string; rdn: string }): Iterable<ImportChange> {
  let index = 0;
  for (const r of records) {
    index++;
    const mapped = map(r);
    if ('error' in mapped) yield { kind: 'error', message: `${o.label} #${index}: ${mapped.error}`, file: o.file };
    else yield { kind: 'object', object: { anchor: mapped.anchor, dn: `${o.rdn}=${mapped.anchor}`, objectType: o.objectType, attrs: mapped.attrs } };
  }
}

/** What differs between HR extract formats: how a file becomes records, and how a record maps. */
export interface HrExtractFormat<R> {
  readonly type: string;
  readonly extension: string;
  readonly defaultObjectType: string;
  /** Names a record in errors ("Worker", "record"). */
  readonly label: string;
  /** The attribute the DN is built from (`workerId=…`). */
  readonly rdn: string;
  /** One file's records; throws an AgentError naming the file when it is not of this format. */
  read(file: string, ctx: ImportContext): Promise<readonly R[]>;
  map(record: R, asOf: string): Mapped;
}

/** A read-only agent over one extract file or a folder of pages, in name order. */
export function createHrExtractAgent<R>(o: AgentOptions, format: HrExtractFormat<R>): ManagementAgent {
  const source = hrExtract(o, format.extension);
  const objectType = o.objectTypes[0]?.name ?? format.defaultObjectType;
  return {
    name: o.name,
    type: format.type,
    capabilities: readOnlyCapabilities,
    async *fullImport(ctx): AsyncIterable<ImportChange> {
      const day = source.asOf();
      for (const file of await source.files()) {
        const records = await format.read(file, ctx);
        yield* mapRecords(records, (r) => format.map(r, day), { file, label: format.label, objectType, rdn: format.rdn });
      }
    },
    testConnection: source.testConnection,
  };
}
