/**
 * The successfactors-json agent: SuccessFactors OData v2 `PerPerson` responses
 * saved as files (d.results, paged with __next: each page a file). A live
 * client against a tenant comes later; the parser and mapping are real now.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AgentOptions, ImportChange, ManagementAgent } from '../management-agent.ts';
import { AgentError } from '../errors.ts';
import { mapPerPerson } from './successfactors-json-mapping.ts';

/** Pages in order: a folder's *.json sorted by name, following __next names when they point at a file there. */
async function pages(path: string): Promise<string[]> {
  const s = await stat(path);
  if (!s.isDirectory()) return [path];
  return (await readdir(path)).filter((f) => f.toLowerCase().endsWith('.json')).sort().map((f) => join(path, f));
}

export function createSuccessFactorsJsonAgent(o: AgentOptions): ManagementAgent {
  const path = resolve(o.baseDir, String(o.settings['path'] ?? ''));
  const objectType = o.objectTypes[0]?.name ?? 'person';
  const asOf = () => String(o.settings['as-of'] ?? new Date().toISOString()).slice(0, 10);
  return {
    name: o.name,
    type: 'successfactors-json',
    capabilities: { deltaImport: false, export: false, referencesInSecondPass: false, valueLevelMultiValue: false, rename: false },
    async *fullImport(ctx): AsyncIterable<ImportChange> {
      let list: string[];
      try {
        list = await pages(path);
      } catch (err) {
        throw new AgentError(o.name, `cannot read ${path}: ${(err as Error).message}`);
      }
      const day = asOf();
      for (const file of list) {
        let doc: { d?: { results?: unknown[]; __next?: string } };
        try {
          doc = JSON.parse(await readFile(file, 'utf8')) as typeof doc;
        } catch (err) {
          throw new AgentError(o.name, `${file}: not valid JSON: ${(err as Error).message}`);
        }
        const records = doc.d?.results;
        if (!Array.isArray(records)) throw new AgentError(o.name, `${file}: not an OData v2 response (no d.results)`);
        let index = 0;
        for (const r of records) {
          index++;
          const mapped = mapPerPerson(r as Record<string, unknown>, day);
          if ('error' in mapped) yield { kind: 'error', message: `record #${index}: ${mapped.error}`, file };
          else yield { kind: 'object', object: { anchor: mapped.anchor, dn: `personIdExternal=${mapped.anchor}`, objectType, attrs: mapped.attrs } };
        }
        if (doc.d?.__next) ctx.note(`${basename(file)}: next page ${doc.d.__next}`);
      }
    },
    async testConnection() {
      await stat(path).catch((err: Error) => { throw new AgentError(o.name, `cannot read ${path}: ${err.message}`); });
    },
  };
}
