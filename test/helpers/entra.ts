/** An entra agent wired to a fresh Graph emulator. */
import { createEntraAgent } from '../../management-agents/entra/index.ts';
import { startGraphEmulator, type GraphEmulator } from '../graph-emulator/graph-server.ts';

export function entraSettings(emu: GraphEmulator, extra: Record<string, unknown> = {}) {
  const settings: Record<string, unknown> = { 'tenant-id': emu.tenantId, 'client-id': emu.clientId, 'client-secret': emu.clientSecret, authority: emu.url, 'graph-url': emu.graphUrl, 'ca-file': emu.caFile, ...extra };
  for (const [k, v] of Object.entries(settings)) if (v === undefined) delete settings[k];
  return settings;
}

export const entraTypes = [
  { name: 'user', anchor: ['id'], attributes: ['id', 'userPrincipalName', 'displayName', 'givenName', 'surname', 'mail', 'department', 'jobTitle', 'accountEnabled', 'onPremisesImmutableId', 'proxyAddresses', 'employeeId', 'manager'] },
  { name: 'group', anchor: ['id'], attributes: ['id', 'displayName', 'description', 'member'] },
];

const open: { close(): Promise<void> }[] = [];

export async function entraAgent(extra: Record<string, unknown> = {}, emu?: GraphEmulator) {
  const e = emu ?? (await startGraphEmulator());
  const agent = createEntraAgent({ name: 'entra', settings: entraSettings(e, extra), objectTypes: entraTypes, baseDir: '/' });
  open.push({ close: () => agent.close!() }, { close: () => e.stop() });
  return { emu: e, agent };
}

/** Closes every agent and emulator the helpers made: call from test.after.always. */
export async function closeEntra(): Promise<void> {
  await Promise.all(open.splice(0).map((o) => o.close().catch(() => {})));
}
