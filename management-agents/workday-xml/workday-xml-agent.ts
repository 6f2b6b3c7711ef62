/**
 * The workday-xml agent: Workday's Get_Workers responses, as files or as a
 * folder of paged responses. DOCTYPE and entities are refused outright: a
 * billion-laughs or external-entity file is an error, never memory or file access.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { AgentOptions, ManagementAgent } from '../management-agent.ts';
import { AgentError } from '../errors.ts';
import { createHrExtractAgent, readText } from '../hr-extract.ts';
import { mapWorker } from './workday-xml-mapping.ts';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  // The callbacks get a matcher rather than a path string built for every tag: isArray reads only the name.
  jPath: false,
  isArray: (name) => ['Worker', 'ID', 'Worker_Job_Data', 'Email_Address_Data', 'Worker_Organization_Data'].includes(name),
});

/** Refuses DTDs before any parser sees the text. */
export function refuseDtd(xml: string): string | null {
  const m = /<!(DOCTYPE|ENTITY)/i.exec(xml);
  if (!m) return null;
  const line = xml.slice(0, m.index).split('\n').length;
  return `line ${line}: <!${m[1]!.toUpperCase()}> is not accepted (entity expansion and external entities are refused)`;
}

export function createWorkdayXmlAgent(o: AgentOptions): ManagementAgent {
  return createHrExtractAgent<Record<string, unknown>>(o, {
    type: 'workday-xml', extension: '.xml', defaultObjectType: 'worker', label: 'Worker', rdn: 'workerId',
    datesChanges: true,
    async read(file) {
      const xml = await readText(file);
      const refused = refuseDtd(xml);
      if (refused) throw new AgentError(o.name, `${file}: ${refused}`);
      const valid = XMLValidator.validate(xml);
      if (valid !== true) throw new AgentError(o.name, `${file}:${valid.err.line}:${valid.err.col}: malformed XML: ${valid.err.msg}`);
      const doc = parser.parse(xml) as Record<string, Record<string, unknown>>;
      const response = doc['Get_Workers_Response'];
      if (!response) throw new AgentError(o.name, `${file}: not a Get_Workers_Response`);
      return ((response['Response_Data'] as Record<string, unknown> | undefined)?.['Worker'] ?? []) as Record<string, unknown>[];
    },
    map: mapWorker,
  });
}
