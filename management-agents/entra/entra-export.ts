/**
 * Export to Entra ID. Each object's changes become Graph requests (POST,
 * PATCH of changed properties only, DELETE, $ref for manager and members,
 * members@odata.bind 20 at a time), sent in $batch envelopes. New users are
 * first matched, as Azure AD Connect does: hard on onPremisesImmutableId,
 * then soft on userPrincipalName or the primary SMTP address; a cloud object
 * holding an admin role is never taken over.
 */
import { randomBytes } from 'node:crypto';
import type { ExportRequest, ExportResult } from '../management-agent.ts';
import type { GraphClient } from './entra-graph-client.ts';
import type { EntraAgentConfig } from './entra-agent-config.ts';
import { pack, pool, sendEnvelope, type Sub, type SubResult } from './entra-batch.ts';
import { describeError, dnOf, pathOf, referenceProps, toGraph } from './entra-values.ts';
import { findMatches } from './entra-match.ts';

type Type = 'user' | 'group' | 'device';
const q = (v: string) => v.replace(/'/g, "''");

function subsFor(req: ExportRequest, i: number, cfg: EntraAgentConfig, anchor: string | null): Sub[] {
  const type = req.objectType as Type;
  const coll = pathOf(type);
  const subs: Sub[] = [];
  const add = (s: Omit<Sub, 'id' | 'dependsOn'>) => subs.push({ ...s, id: `${i}.${subs.length}`, ...(subs.length ? { dependsOn: [`${i}.${subs.length - 1}`] } : {}) });
  if (req.op === 'delete') { add({ method: 'DELETE', url: `/${coll}/${anchor}` }); return subs; }
  const props: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(req.changes)) if (!referenceProps.has(k) && c.op === 'replace') props[k] = toGraph(k, c.value);
  if (!anchor) {
    if (type === 'user') {
      const upn = String(props['userPrincipalName'] ?? '');
      props['mailNickname'] ??= upn.split('@')[0] || `u${randomBytes(4).toString('hex')}`;
      props['accountEnabled'] ??= true;
      // A random initial password: never stored, never logged; users reset it (SSPR, Temporary Access Pass).
      props['passwordProfile'] = { forceChangePasswordNextSignIn: true, password: `${randomBytes(15).toString('base64url')}aA1!` };
    } else if (type === 'group') {
      props['mailNickname'] ??= String(props['displayName'] ?? 'group').replace(/[^A-Za-z0-9]/g, '').slice(0, 60) || `g${randomBytes(4).toString('hex')}`;
      props['securityEnabled'] ??= true;
      props['mailEnabled'] ??= false;
    }
    add({ method: 'POST', url: `/${coll}`, body: props });
    return subs; // References follow in the second pass, once the object has an id.
  }
  if (Object.keys(props).length) add({ method: 'PATCH', url: `/${coll}/${anchor}`, body: props });
  const manager = req.changes['manager'];
  if (manager?.op === 'replace') {
    if (manager.value === null) add({ method: 'DELETE', url: `/users/${anchor}/manager/$ref` });
    else add({ method: 'PUT', url: `/users/${anchor}/manager/$ref`, body: { '@odata.id': `${cfg.graphUrl}/users/${String(manager.value)}` } });
  }
  const member = req.changes['member'];
  if (member) {
    const adds = member.op === 'values' ? member.add : member.value === null ? [] : Array.isArray(member.value) ? member.value : [member.value];
    const removes = member.op === 'values' ? member.remove : [];
    // One member changed is one request: a large group is changed by value, never replaced.
    for (let j = 0; j < adds.length; j += 20) add({ method: 'PATCH', url: `/groups/${anchor}`, body: { 'members@odata.bind': adds.slice(j, j + 20).map((m) => `${cfg.graphUrl}/directoryObjects/${String(m)}`) } });
    for (const m of removes) add({ method: 'DELETE', url: `/groups/${anchor}/members/${String(m)}/$ref` });
  }
  return subs;
}

export async function exportBatch(client: GraphClient, cfg: EntraAgentConfig, batch: readonly ExportRequest[], note: (m: string) => void = () => {}): Promise<ExportResult[]> {
  const results = new Map<string, ExportResult>();
  const matches = await findMatches(client, cfg, batch.filter((r) => r.op === 'add' && r.objectType === 'user'));
  const how = [...matches.values()].filter((m): m is { id: string; how: 'hard' | 'soft' } => 'how' in m);
  if (how.length) note(`matched existing cloud users: ${how.filter((m) => m.how === 'hard').length} hard (onPremisesImmutableId), ${how.filter((m) => m.how === 'soft').length} soft (userPrincipalName or proxyAddresses)`);
  interface Unit { readonly req: ExportRequest; readonly chunks: Sub[][]; readonly anchor: string | null; failed?: SubResult; created?: string }
  // Sub-request ids are "<unit>.<n>": an answer finds its unit without a search.
  const units = new Map<string, Unit>();
  batch.forEach((req, i) => {
    const m = matches.get(req.id);
    if (m && 'error' in m) { results.set(req.id, { id: req.id, ok: false, message: m.error, retryable: m.retryable ?? false }); return; }
    const anchor = m ? m.id : req.anchor;
    const subs = subsFor(req, i, cfg, anchor);
    const chunks: Sub[][] = [];
    for (let j = 0; j < subs.length; j += 20) chunks.push(subs.slice(j, j + 20).map((s, k) => (k === 0 ? { ...s, dependsOn: undefined } as Sub : s)));
    units.set(String(i), { req, chunks, anchor });
  });
  // Wave w sends the w-th chunk of every object still going, so an object's chunks stay in order.
  for (let wave = 0; ; wave++) {
    const live = [...units.values()].filter((u) => u.chunks.length > wave && !u.failed);
    if (!live.length) break;
    await pool(pack(live.map((u) => u.chunks[wave]!)), cfg.concurrency, async (env) => {
      for (const [id, a] of await sendEnvelope(client, cfg.agent, env)) {
        const u = units.get(id.slice(0, id.indexOf('.')))!;
        if (a.status >= 400) u.failed ??= a;
        else if (a.status === 201) u.created ??= (a.body as { id?: string } | undefined)?.id;
      }
    });
  }
  for (const u of units.values()) {
    if (u.failed) {
      const d = describeError(u.failed.status, u.failed.body);
      results.set(u.req.id, { id: u.req.id, ok: false, message: d.message, retryable: d.retryable, code: d.code });
      continue;
    }
    const anchor = u.created ?? u.anchor ?? undefined;
    results.set(u.req.id, anchor ? { id: u.req.id, ok: true, anchor, dn: dnOf(u.req.objectType as Type, anchor) } : { id: u.req.id, ok: true });
  }
  return batch.map((r) => results.get(r.id)!);
}

export { q as odataQuote };
