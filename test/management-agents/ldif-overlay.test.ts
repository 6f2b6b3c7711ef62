/**
 * The ldif agent's index with its overlay, against a plain model: seeded
 * sequences of adds, updates, renames (to freed names too) and deletes, each
 * step patched or rewritten, checked in the same process and in the next.
 * Overlays, carried indexes and indexes built afresh all occur in each run.
 */
import test from 'ava';
import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLdifAgent } from '../../management-agents/ldif/index.ts';
import type { ExportRequest, ImportChange, ManagementAgent } from '../../management-agents/index.ts';

const types = [{ name: 'user', anchor: ['objectGUID'], attributes: ['cn', 'description'] }];
const ictx = { pageSize: 100, watermark: null, setWatermark() {}, note() {} };

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const req = (r: Partial<ExportRequest> & Pick<ExportRequest, 'op' | 'dn'>): ExportRequest => ({ id: r.dn, objectType: 'user', anchor: null, changes: {}, ...r });

for (const seed of [7, 8, 9]) {
  test(`lookups, value checks and full imports match the model through overlays, carried and rebuilt indexes (seed ${seed})`, async (t) => {
    const r = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const dir = await mkdtemp(join(tmpdir(), 'idsync-ldif-overlay-'));
    // anchor → [cn, description]; the DN is CN=<cn>,DC=corp.
    const model = new Map<string, [string, string]>();
    for (let i = 0; i < 60; i++) model.set(`g${i}`, [`P${i}`, `d${i}`]);
    await writeFile(join(dir, 'dir.ldif'), `version: 1\n${[...model].map(([g, [cn, d]]) => `\ndn: CN=${cn},DC=corp\nobjectClass: user\nobjectGUID: ${g}\ncn: ${cn}\ndescription: ${d}\n`).join('')}`);
    const make = () => {
      const a = createLdifAgent({ name: 'dir', settings: { path: 'dir.ldif' }, objectTypes: types, baseDir: dir });
      a.expectValueChecks!('user', ['cn']);
      return a;
    };
    const everCn = new Set([...model.values()].map(([cn]) => cn));
    let next = 60;
    // How each step left the index: overlaid, carried (rows changed since it was built), or built afresh.
    const seen = { overlaid: 0, carried: 0, afresh: 0 };
    let lastGen = 0;
    let agent: ManagementAgent = make();
    const check = async (a: ManagementAgent, what: string) => {
      for (const [g, [cn]] of model) {
        t.is((await a.findObject!({ objectType: 'user', anchor: g }))?.dn, `CN=${cn},DC=corp`, `${what}: ${g}`);
        t.is((await a.findObject!({ objectType: 'user', dn: `cn=${cn.toLowerCase()},dc=corp` }))?.anchor, g, `${what}: ${cn}`);
      }
      const live = new Set([...model.values()].map(([cn]) => cn));
      for (const cn of everCn) t.is(await a.isValueInUse!('user', 'cn', cn), live.has(cn), `${what}: cn ${cn}`);
      const imported: string[] = [];
      for await (const c of a.fullImport(ictx) as AsyncIterable<ImportChange>) imported.push(c.kind === 'object' ? `${c.object.anchor} ${c.object.dn} ${String(c.object.attrs['description'])}` : `error ${c.kind}`);
      t.deepEqual(imported.sort(), [...model].map(([g, [cn, d]]) => `${g} CN=${cn},DC=corp ${d}`).sort(), what);
    };
    for (let step = 0; step < 30; step++) {
      const reqs: ExportRequest[] = [];
      const touched = new Set<string>();
      for (let n = 1 + Math.floor(r() * 5); n > 0; n--) {
        const anchors = [...model.keys()].filter((g) => !touched.has(g));
        const roll = r();
        if (roll < 0.25 || !anchors.length) {
          const g = `g${next++}`;
          const cn = `N${g}`;
          model.set(g, [cn, `new ${g}`]);
          everCn.add(cn);
          touched.add(g);
          reqs.push(req({ op: 'add', dn: `CN=${cn},DC=corp`, changes: { cn: { op: 'replace', value: cn }, objectGUID: { op: 'replace', value: g }, description: { op: 'replace', value: `new ${g}` } } }));
          continue;
        }
        const g = pick(anchors);
        const [cn, d] = model.get(g)!;
        touched.add(g);
        if (roll < 0.45) {
          model.delete(g);
          reqs.push(req({ op: 'delete', dn: `CN=${cn},DC=corp`, anchor: g }));
        } else if (roll < 0.7) {
          // A rename, now and then to a name another entry gave up earlier.
          const freed = [...everCn].filter((x) => ![...model.values()].some(([c]) => c === x));
          const to = freed.length && r() < 0.3 ? pick(freed) : `R${step}x${g}`;
          model.set(g, [to, d]);
          everCn.add(to);
          reqs.push(req({ op: 'update', dn: `CN=${cn},DC=corp`, anchor: g, newDn: `CN=${to},DC=corp`, changes: { cn: { op: 'replace', value: to } } }));
        } else {
          model.set(g, [cn, `s${step}`]);
          reqs.push(req({ op: 'update', dn: `CN=${cn},DC=corp`, anchor: g, changes: { description: { op: 'replace', value: `s${step}` } } }));
        }
      }
      for (const res of await agent.export!(reqs, { note() {} })) t.true(res.ok, `step ${step}: ${'message' in res ? res.message : ''}`);
      await agent.endExport!();
      const buf = await readFile(join(dir, 'dir.ldif.index'));
      const head = JSON.parse(buf.toString('utf8', 0, buf.indexOf(10))) as { gen: number; worn: number };
      if (await access(join(dir, 'dir.ldif.index.more')).then(() => true, () => false)) seen.overlaid++;
      else if (head.gen > lastGen && lastGen > 0) seen[head.worn ? 'carried' : 'afresh']++;
      lastGen = head.gen;
      await check(agent, `step ${step}, same process`);
      // Every other step the next process goes on; otherwise the same agent does.
      if (step % 2) agent = make();
      await check(make(), `step ${step}, next process`);
    }
    t.true(seen.overlaid > 0 && seen.carried > 0 && seen.afresh > 0, JSON.stringify(seen));
  });
}
