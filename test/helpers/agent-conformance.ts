/**
 * The conformance suite every management agent passes. Run it against any
 * new agent: `testAgent('csv', async () => ({ agent, seed }))`. Capabilities an
 * agent does not announce are skipped, never faked.
 */
import test from 'ava';
import type { ExportRequest, ImportChange, ManagementAgent } from '../../management-agents/index.ts';
import type { Attributes } from '../../data/model.ts';

export interface ConformanceFixture {
  readonly agent: ManagementAgent;
  /** Objects the fixture seeded, by anchor. */
  readonly seeded: ReadonlyMap<string, Attributes>;
  /** Object type to use for export tests, and a new object's attributes (must carry its anchor when the agent takes it from there). */
  readonly exportType?: string;
  readonly newObject?: (n: number) => { dn: string; attrs: Attributes };
}

async function collect(it: AsyncIterable<ImportChange>): Promise<ImportChange[]> {
  const out: ImportChange[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const ctx = () => {
  let watermark: string | null = null;
  return { pageSize: 10, watermark: null, setWatermark: (w: string | null) => { watermark = w; }, note: () => {}, get stored() { return watermark; } };
};

/** The suite runs serially: its export test adds and removes an object the import tests would see. */
export function testAgent(name: string, make: () => Promise<ConformanceFixture>): void {
  test.serial(`${name}: declares its capabilities as booleans`, async (t) => {
    const { agent } = await make();
    for (const k of ['deltaImport', 'export', 'referencesInSecondPass', 'valueLevelMultiValue', 'rename'] as const) t.is(typeof agent.capabilities[k], 'boolean', k);
    t.is(typeof agent.name, 'string');
    t.is(typeof agent.type, 'string');
    if (agent.capabilities.deltaImport) t.is(typeof agent.deltaImport, 'function');
    if (agent.capabilities.export) t.is(typeof agent.export, 'function');
  });

  test.serial(`${name}: full import streams every seeded object once, with anchor, DN and type`, async (t) => {
    const { agent, seeded } = await make();
    const it = agent.fullImport(ctx());
    t.is(typeof (it as AsyncIterable<ImportChange>)[Symbol.asyncIterator], 'function', 'an async iterable, not an array');
    const objects = (await collect(it)).filter((c) => c.kind === 'object').map((c) => (c as Extract<ImportChange, { kind: 'object' }>).object);
    t.deepEqual(objects.map((o) => o.anchor).sort(), [...seeded.keys()].sort());
    for (const o of objects) {
      t.true(o.dn.length > 0);
      t.true(o.objectType.length > 0);
      for (const [k, v] of Object.entries(seeded.get(o.anchor)!)) t.deepEqual(o.attrs[k], v, `${o.anchor}.${k}`);
    }
  });

  test.serial(`${name}: full import is repeatable`, async (t) => {
    const { agent } = await make();
    const a = await collect(agent.fullImport(ctx()));
    const b = await collect(agent.fullImport(ctx()));
    t.deepEqual(a, b);
  });

  test.serial(`${name}: export answers once per request, and an exported add is imported back`, async (t) => {
    const f = await make();
    if (!f.agent.capabilities.export || !f.newObject) { t.pass('export not supported by this agent'); return; }
    const obj = f.newObject(1);
    const changes = Object.fromEntries(Object.entries(obj.attrs).map(([k, v]) => [k, { op: 'replace' as const, value: v }]));
    const req: ExportRequest = { id: 'x1', op: 'add', objectType: f.exportType ?? 'person', dn: obj.dn, anchor: null, changes };
    const [res] = await f.agent.export!([req], { note: () => {} });
    t.is(res!.id, 'x1');
    t.true(res!.ok, JSON.stringify(res));
    const anchor = res!.ok ? res!.anchor : undefined;
    t.truthy(anchor, 'a successful add returns the new anchor');
    const again = (await collect(f.agent.fullImport(ctx()))).find((c) => c.kind === 'object' && c.object.anchor === anchor);
    t.truthy(again, 'the exported object is there on the next import');
    const [dup] = await f.agent.export!([{ ...req, id: 'x2' }], { note: () => {} });
    // Adding the same object twice is refused as already-exists, or (an agent that matches, as Entra's) answers with the same object.
    if (dup!.ok) t.is(dup!.anchor, anchor, 'a repeated add matches the same object, never a duplicate');
    else t.is(dup!.code, 'already-exists');
    const [del] = await f.agent.export!([{ id: 'x3', op: 'delete', objectType: req.objectType, dn: obj.dn, anchor: anchor!, changes: {} }], { note: () => {} });
    t.true(del!.ok);
    // The engine ends every export step so; what the agent keeps afterwards must agree with its answers.
    await f.agent.endExport?.();
    const after = await collect(f.agent.fullImport(ctx()));
    t.false(after.some((c) => c.kind === 'object' && c.object.anchor === anchor), 'the deleted object is gone after endExport');
    t.is(after.filter((c) => c.kind === 'object').length, f.seeded.size);
  });

  test.serial(`${name}: a delta import from a full import's watermark gives an object exported since`, async (t) => {
    const f = await make();
    if (!f.agent.capabilities.deltaImport || !f.agent.capabilities.export || !f.newObject) { t.pass('delta import or export not supported by this agent'); return; }
    const c = ctx();
    await collect(f.agent.fullImport(c));
    const obj = f.newObject(2);
    const changes = Object.fromEntries(Object.entries(obj.attrs).map(([k, v]) => [k, { op: 'replace' as const, value: v }]));
    const [res] = await f.agent.export!([{ id: 'd1', op: 'add', objectType: f.exportType ?? 'person', dn: obj.dn, anchor: null, changes }], { note: () => {} });
    t.true(res!.ok, JSON.stringify(res));
    await f.agent.endExport?.();
    const anchor = res!.ok ? res!.anchor : undefined;
    const delta = await collect(f.agent.deltaImport!({ ...ctx(), watermark: c.stored }));
    t.true(delta.some((d) => d.kind === 'object' && d.object.anchor === anchor), 'the exported object is in the delta');
    await f.agent.export!([{ id: 'd2', op: 'delete', objectType: f.exportType ?? 'person', dn: obj.dn, anchor: anchor!, changes: {} }], { note: () => {} });
    await f.agent.endExport?.();
  });

  test.serial(`${name}: the connection test passes against a working system`, async (t) => {
    const { agent } = await make();
    if (!agent.testConnection) { t.pass('no connection test'); return; }
    await t.notThrowsAsync(agent.testConnection());
  });
}
