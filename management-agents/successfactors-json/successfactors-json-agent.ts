/**
 * The successfactors-json agent: SuccessFactors OData v2 `PerPerson` responses
 * saved as files (d.results, paged with __next: each page a file). A live
 * client against a tenant comes later; the parser and mapping are real now.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AgentOptions, ImportChange, ManagementAgent } from '../management-agent.ts';
import { AgentError } from '../errors.ts';
import { hrExtract, mapRecords, readOnlyCapabilities } from '../hr-extract.ts';
import { mapPerPerson } from './successfactors-json-mapping.ts';

export function createSuccessFactorsJsonAgent(o: AgentOptions): ManagementAgent {
  const source = hrExtract(o, '.json');
  const objectType = o.objectTypes[0]?.name ?? 'person';
  return {
    name: o.name,
    type: 'successfactors-json',
    capabilities: readOnlyCapabilities,
    async *fullImport(ctx): AsyncIterable<ImportChange> {
      const list = await source.files();
      const day = source.asOf();
      for (const file of list) {
        let doc: { d?: { results?: unknown[]; __next?: string } };
        try {
          doc = JSON.parse(await readFile(file, 'utf8')) as typeof doc;
        } catch (err) {
          throw new AgentError(o.name, `${file}: not valid JSON: ${(err as Error).message}`);
        }
        const records = doc.d?.results;
        if (!Array.isArray(records)) throw new AgentError(o.name, `${file}: not an OData v2 response (no d.results)`);
        yield* mapRecords(records, (r) => mapPerPerson(r as Record<string, unknown>, day), { file, label: 'record', objectType, rdn: 'personIdExternal' });
        if (doc.d?.__next) ctx.note(`${basename(file)}: next page ${doc.d.__next}`);
      }
    },
    testConnection: source.testConnection,
  };
}
