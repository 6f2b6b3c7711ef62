import { testAgent } from '../helpers/agent-conformance.ts';
import { createMemoryAgent, memorySystem } from '../../management-agents/memory/index.ts';
import { randomUUID } from 'node:crypto';
import type { Attributes } from '../../data/model.ts';

testAgent('memory', async () => {
  const name = randomUUID();
  const sys = memorySystem(name);
  const seeded = new Map<string, Attributes>([['a1', { givenName: 'Ann' }], ['a2', { givenName: 'Bob', proxy: ['x', 'y'] }]]);
  for (const [anchor, attrs] of seeded) sys.put({ anchor, dn: `cn=${anchor}`, objectType: 'person', attrs });
  const agent = createMemoryAgent({ name, settings: {}, objectTypes: [{ name: 'person', anchor: ['id'], attributes: ['givenName'] }], baseDir: '.' });
  return { agent, seeded, newObject: (n) => ({ dn: `cn=new${n}`, attrs: { givenName: `New${n}` } }) };
});
