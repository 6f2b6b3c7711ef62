/** `idsync preview`, `idsync plan`, `idsync join`, `idsync disconnect`. */
import type { Command } from 'commander';
import { previewObject } from '../../preview.ts';
import { planLines, planOf } from '../../plan.ts';
import { manualDisconnect, manualJoin } from '../../joiner.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { projectOptions, withProject, type ProjectFlags } from '../open.ts';
import { json, type Out } from '../output.ts';

type Flags = ProjectFlags & { json?: boolean; full?: boolean; explicit?: boolean };
const userError = (err: unknown) => new CliError((err as Error).message, ExitCode.Failed);

export function registerJoinerCommands(program: Command, out: Out): void {
  projectOptions(program.command('preview').argument('<agent>').argument('<anchor-or-dn>').description('simulate the sync of one object and explain every decision; commits nothing'))
    .option('--full', 'as a full sync (default: as a delta sync)').option('--json', 'print as JSON')
    .action((agent: string, ref: string, o: Flags) => withProject(o, async (p) => {
      let r;
      try { r = await previewObject(p.engine, agent, ref, !!o.full); } catch (err) { throw userError(err); }
      if (o.json) return json(r, out);
      for (const l of r.lines) out(l);
      if (r.exports.length) out('pending exports it would produce:');
      for (const e of r.exports) out(`  ${e.agent}: ${e.export.op} ${e.dn} ${JSON.stringify(e.export.changes)}`);
      for (const e of r.errors) out(`error: ${e}`);
    }));

  projectOptions(program.command('plan').description('every pending export of every agent, as a diff, before any export'))
    .option('--json', 'print as JSON')
    .action((o: Flags) => withProject(o, async (p) => {
      const plans = [...p.rules.agents.keys()].map((a) => planOf(p.engine, a)).filter((x) => x.objects.length);
      if (o.json) return json(plans, out);
      if (!plans.length) return out('nothing to export');
      for (const plan of plans) {
        out(`${plan.agent}: ${plan.adds} add(s), ${plan.updates} update(s), ${plan.deletes} delete(s) or disable(s)`);
        for (const cs of p.store.cs(plan.agent).withPendingExport()) if (cs.pendingExport) for (const l of planLines(cs)) out(`  ${l}`);
      }
    }));

  projectOptions(program.command('join').argument('<agent>').argument('<anchor-or-dn>').argument('<mv-id>').description('join a connector-space object to a metaverse object by hand (an explicit connector)'))
    .action((agent: string, ref: string, mvId: string, o: Flags) => withProject(o, async (p) => {
      try { await manualJoin(p.engine, agent, ref, mvId); } catch (err) { throw userError(err); }
      out(`${agent} ${ref} joined to ${mvId}`);
    }));

  projectOptions(program.command('disconnect').argument('<agent>').argument('<anchor-or-dn>').description('disconnect an object from the metaverse'))
    .option('--explicit', 'an explicit disconnector: it never joins again on its own')
    .action((agent: string, ref: string, o: Flags) => withProject(o, async (p) => {
      try { await manualDisconnect(p.engine, agent, ref, !!o.explicit); } catch (err) { throw userError(err); }
      out(`${agent} ${ref} disconnected${o.explicit ? ' (explicit disconnector)' : ''}`);
    }));
}
