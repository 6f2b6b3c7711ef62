/**
 * Hybrid: Active Directory (a Samba DC) → metaverse → Entra ID (the Graph
 * emulator). Cloud users that already exist are soft-matched by UPN, which
 * stamps the sourceAnchor; a sync server rebuilt with an empty store then
 * hard-matches them; a cloud-only user with an admin role is never taken over.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { destroySamba, sharedSamba, type SambaDc } from '../helpers/samba.ts';
import { addUser, adminClient, ensureOu } from '../helpers/ad.ts';
import { startGraphEmulator, type GraphEmulator } from '../graph-emulator/graph-server.ts';
import { openProject, runStep } from '../../engine/index.ts';
import type { StepType } from '../../data/model.ts';

let dc: SambaDc;
let owned = false;
let admin: Client;
let emu: GraphEmulator;
const run = randomBytes(3).toString('hex');
const ou = `OU=hy${run},DC=corp,DC=example,DC=com`;
const upn = (n: string) => `${n}.${run}@contoso.example`;

const rules = () => `
object person { upn: string indexed  displayName: string  sourceAnchor: string indexed }
agent ad type ldap {
  url = "${dc.url}"  bind-dn = "${dc.adminDn}"  password = env("IDSYNC_TEST_AD_PASSWORD")  base-dn = "${dc.baseDn}"
  ca-file = "${dc.caFile}"  tls-server-name = "${dc.serverName}"  containers = "${ou}"
  object user { anchor objectGUID attributes objectGUID, userPrincipalName, displayName, mS-DS-ConsistencyGuid }
}
agent entra type entra {
  tenant-id = "${emu.tenantId}"  client-id = "${emu.clientId}"  client-secret = env("IDSYNC_TEST_ENTRA_SECRET")
  authority = "${emu.url}"  graph-url = "${emu.graphUrl}"  ca-file = "${emu.caFile}"
  object user { anchor id attributes id, userPrincipalName, displayName, onPremisesImmutableId, accountEnabled }
}
inbound "ad" from ad.user to person {
  join { group { match [userPrincipalName] to [upn] } }
  project
  flow upn <- [userPrincipalName]
  flow displayName <- [displayName]
  flow sourceAnchor <- IIF(IsPresent([mS-DS-ConsistencyGuid]), [mS-DS-ConsistencyGuid], ConvertToBase64(CGuid([objectGUID])))
}
inbound "entra" from entra.user to person precedence 200 {
  join { group { match [onPremisesImmutableId] to [sourceAnchor] } }
}
outbound "entra" from person to entra.user {
  scope IsPresent([sourceAnchor])
  provision
  dn "users/" & [upn]
  flow userPrincipalName <- [upn]
  flow displayName <- [displayName]
  flow onPremisesImmutableId <- [sourceAnchor] once
}
`;

async function cycle(dir: string) {
  const project = await openProject(dir, { store: join(dir, `.store-${randomBytes(3).toString('hex')}`) });
  const out = [];
  try {
    for (const s of ['ad full-import', 'ad full-sync', 'entra export']) {
      const [agent, type] = s.split(' ') as [string, StepType];
      out.push(await runStep(project.engine, agent, type));
    }
  } finally {
    await project.close();
  }
  return out;
}

test.before(async () => {
  ({ dc, owned } = await sharedSamba());
  admin = await adminClient(dc);
  await ensureOu(admin, ou);
  for (const n of ['alice', 'bob', 'root']) await addUser(admin, `CN=${n},${ou}`, `${n}${run}`.slice(0, 20), { userPrincipalName: upn(n), displayName: n });
  emu = await startGraphEmulator();
  process.env['IDSYNC_TEST_AD_PASSWORD'] = dc.password;
  process.env['IDSYNC_TEST_ENTRA_SECRET'] = emu.clientSecret;
});
test.after.always(async () => {
  await emu?.stop();
  await admin?.unbind().catch(() => {});
  if (owned) await destroySamba(dc);
});

test.serial('soft match by UPN, then hard match after a rebuild; an admin-role cloud user is never taken over', async (t) => {
  const cloudAlice = emu.directory.createUser({ accountEnabled: true, displayName: 'Alice (cloud)', mailNickname: 'alice', userPrincipalName: upn('alice'), passwordProfile: { password: 'x' } });
  const cloudRoot = emu.directory.createUser({ accountEnabled: true, displayName: 'Root (cloud)', mailNickname: 'root', userPrincipalName: upn('root'), passwordProfile: { password: 'x' } });
  emu.directory.admins.add(cloudRoot.id);
  const dir = await mkdtemp(join(tmpdir(), 'idsync-hybrid-'));
  await writeFile(join(dir, 'rules.sync'), rules());
  const first = await cycle(dir);
  const exp = first[2]!;
  t.regex(exp.notes.join(), /0 hard .* 1 soft/, JSON.stringify(exp.notes));
  t.is(exp.counters['export-add'], 2, 'alice taken over, bob created');
  t.is(emu.directory.users.get(cloudAlice.id)!['displayName'], 'alice', 'on-premises values now win');
  t.truthy(emu.directory.users.get(cloudAlice.id)!['onPremisesImmutableId'], 'the soft match stamped the sourceAnchor');
  t.regex(exp.errors.map((e) => e.message).join(), /Existing Admin Role Conflict.*never taken over/);
  t.is(emu.directory.users.get(cloudRoot.id)!['displayName'], 'Root (cloud)', 'the admin was left alone');
  t.is(emu.directory.users.size, 3);
  // A rebuilt sync server (an empty store) re-matches on the sourceAnchor: hard, no duplicates.
  const second = await cycle(dir);
  t.regex(second[2]!.notes.join(), /2 hard .* 0 soft/, JSON.stringify(second[2]!.notes));
  t.is(emu.directory.users.size, 3, 'no duplicate created');
});
