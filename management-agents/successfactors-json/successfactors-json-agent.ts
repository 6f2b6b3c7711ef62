/**
 * The successfactors-json agent: SuccessFactors OData v2 `PerPerson` responses
 * saved as files (d.results, paged with __next: each page a file). A live
 * client against a tenant comes later; the parser and mapping are real now.
 */
import { basename } from 'node:path';
import type { AgentOptions, ManagementAgent } from '../management-agent.ts';
import { AgentError } from '../errors.ts';
import { createHrExtractAgent, readText } from '../hr-extract.ts';
import { mapPerPerson } from './successfactors-json-mapping.ts';

export function createSuccessFactorsJsonAgent(o: AgentOptions): ManagementAgent {
  return createHrExtractAgent<Record<string, unknown>>(o, {
    type: 'successfactors-json', extension: '.json', defaultObjectType: 'person', label: 'record', rdn: 'personIdExternal',
    async read(file, ctx) {
      let doc: { d?: { results?: unknown[]; __next?: string } };
      try {
        doc = JSON.parse(await readText(file)) as typeof doc;
      } catch (err) {
        throw new AgentError(o.name, `${file}: not valid JSON: ${(err as Error).message}`);
      }
      const records = doc.d?.results;
      if (!Array.isArray(records)) throw new AgentError(o.name, `${file}: not an OData v2 response (no d.results)`);
      if (doc.d?.__next) ctx.note(`${basename(file)}: next page ${doc.d.__next}`);
      return records as Record<string, unknown>[];
    },
    map: mapPerPerson,
  });
}
