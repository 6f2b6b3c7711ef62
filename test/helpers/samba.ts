/**
 * A real Active Directory for tests: Samba's AD domain controller from
 * Debian's packages. `npm test` starts one for the whole run (see
 * test/support/run-tests.ts) and passes it in IDSYNC_TEST_SAMBA; a test file
 * run on its own starts its own. Without Samba and without root, this throws
 * with the command to install it: the AD tests fail, they never pass silently.
 */
import { existsSync } from 'node:fs';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SambaDc {
  readonly url: string;
  readonly caFile: string;
  /** The name the DC's certificate carries: TLS verification stays on. */
  readonly serverName: string;
  readonly baseDn: string;
  readonly adminDn: string;
  readonly password: string;
  readonly dir: string;
}

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

async function ensureInstalled(): Promise<void> {
  // The schema files come in samba-ad-provision: without them samba-tool is there but cannot provision.
  if (have('samba') && have('samba-tool') && existsSync('/usr/share/samba/setup/ad-schema')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('Samba is not installed and this user is not root. Install it with: sudo apt-get install -y samba samba-ad-provision (Debian/Ubuntu), then run the tests again.');
  }
  await run('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 samba samba-ad-provision'], { maxBuffer: 64 * 1024 * 1024 });
}

const portOpen = (port: number) => new Promise<boolean>((resolve) => {
  const s = tcp({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

async function waitFor(port: number, open: boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await portOpen(port)) !== open) {
    if (Date.now() > deadline) throw new Error(`Samba: port ${port} did not ${open ? 'open' : 'close'} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Provisions a DC in a temp folder and starts it on loopback. */
export async function startSamba(): Promise<SambaDc> {
  await ensureInstalled();
  if (await portOpen(636)) throw new Error('something already listens on 127.0.0.1:636; stop it, or describe it in IDSYNC_TEST_SAMBA');
  const dir = await mkdtemp(join(tmpdir(), 'idsync-samba-'));
  const password = `Ids-${randomBytes(9).toString('base64url')}9!`;
  await run('samba-tool', [
    'domain', 'provision', '--realm=CORP.EXAMPLE.COM', '--domain=CORP', '--server-role=dc', '--dns-backend=NONE',
    `--adminpass=${password}`, `--targetdir=${dir}`, '--option=interfaces=lo', '--option=bind interfaces only=yes',
    // winbindd is a separate package, and the LDAP server does not need it.
    '--option=server services=ldap, cldap, kdc, rpc, drepl', `--option=log file=${dir}/log.%m`, `--option=pid directory=${dir}/run`,
    '--option=dsdb:schema update allowed=true', '--option=ldap server require strong auth=no',
  ], { maxBuffer: 16 * 1024 * 1024 });
  // The TLS certificate is written on the first start.
  await startIn(dir);
  return describe(dir, password);
}

async function describe(dir: string, password: string): Promise<SambaDc> {
  const cert = new X509Certificate(await readFile(join(dir, 'private', 'tls', 'cert.pem')));
  const serverName = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? 'localhost';
  return {
    url: 'ldaps://127.0.0.1:636', caFile: join(dir, 'private', 'tls', 'ca.pem'), serverName,
    baseDn: 'DC=corp,DC=example,DC=com', adminDn: 'CN=Administrator,CN=Users,DC=corp,DC=example,DC=com', password, dir,
  };
}

async function startIn(dir: string): Promise<void> {
  await run('samba', ['-s', join(dir, 'etc', 'smb.conf'), '-D']);
  await waitFor(636, true, 30_000);
}

/** Stops the DC (SIGTERM to the master process). */
export async function stopSamba(dc: SambaDc): Promise<void> {
  const pid = Number((await readFile(join(dc.dir, 'run', 'samba.pid'), 'utf8').catch(() => '')).trim());
  if (pid) { try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ } }
  await waitFor(636, false, 30_000);
}

export async function destroySamba(dc: SambaDc): Promise<void> {
  await stopSamba(dc).catch(() => {});
  await rm(dc.dir, { recursive: true, force: true });
}

/** The run's shared DC, or a new one owned by the caller (`owned`). */
export async function sharedSamba(): Promise<{ dc: SambaDc; owned: boolean }> {
  const env = process.env['IDSYNC_TEST_SAMBA'];
  if (env) return { dc: JSON.parse(env) as SambaDc, owned: false };
  return { dc: await startSamba(), owned: true };
}
