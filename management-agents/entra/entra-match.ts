/**
 * Matching new users to existing cloud users, as Azure AD Connect does: hard
 * match on onPremisesImmutableId, then soft match on userPrincipalName or the
 * primary SMTP address (each can be switched off). Lookups go in $batch.
 */
import type { ExportRequest } from '../management-agent.ts';
import type { GraphClient } from './entra-graph-client.ts';
import type { EntraAgentConfig } from './entra-agent-config.ts';
import { pack, sendEnvelope, type Sub } from './entra-batch.ts';
import { describeError } from './entra-values.ts';

const q = (v: string) => encodeURIComponent(v.replace(/'/g, "''"));
const value = (req: ExportRequest, k: string) => { const c = req.changes[k]; return c?.op === 'replace' && c.value !== null ? String(Array.isArray(c.value) ? c.value[0] : c.value) : undefined; };

export type Match = { id: string; how: 'hard' | 'soft' } | { error: string; retryable?: boolean };

type Failure = { readonly message: string; readonly retryable: boolean };
type Answer = { readonly body: unknown } | { readonly failed: Failure };

async function lookup(client: GraphClient, cfg: EntraAgentConfig, subs: Sub[]): Promise<Map<string, Answer>> {
  const out = new Map<string, Answer>();
  for (const env of pack(subs.map((s) => [s]))) {
    for (const [id, a] of await sendEnvelope(client, cfg.agent, env)) out.set(id, a.status < 300 ? { body: a.body } : { failed: describeError(a.status, a.body) });
  }
  return out;
}

/** Fails closed: an unanswered lookup must not read as "no match" (a duplicate) or "no admin role" (a takeover). */
const failureOf = (...answers: (Answer | undefined)[]): Failure | undefined => answers.flatMap((a) => (a && 'failed' in a ? [a.failed] : []))[0];
const bodyOf = (a: Answer | undefined) => (a && 'body' in a ? a.body : undefined);

const firstId = (body: unknown) => ((body as { value?: { id: string; onPremisesImmutableId?: string }[] } | undefined)?.value ?? [])[0];

export async function findMatches(client: GraphClient, cfg: EntraAgentConfig, adds: readonly ExportRequest[]): Promise<Map<string, Match>> {
  const matches = new Map<string, Match>();
  if (!adds.length || (!cfg.hardMatch && !cfg.softMatch)) return matches;
  const subs: Sub[] = [];
  adds.forEach((r, i) => {
    const immutable = value(r, 'onPremisesImmutableId');
    const upn = value(r, 'userPrincipalName');
    const mail = value(r, 'mail');
    if (cfg.hardMatch && immutable) subs.push({ id: `h${i}`, method: 'GET', url: `/users?$filter=onPremisesImmutableId eq '${q(immutable)}'&$select=id,onPremisesImmutableId` });
    if (cfg.softMatch && upn) subs.push({ id: `u${i}`, method: 'GET', url: `/users?$filter=userPrincipalName eq '${q(upn)}'&$select=id,onPremisesImmutableId` });
    if (cfg.softMatch && mail) subs.push({ id: `p${i}`, method: 'GET', url: `/users?$filter=proxyAddresses/any(p:p eq '${q(`SMTP:${mail}`)}')&$select=id,onPremisesImmutableId` });
  });
  if (!subs.length) return matches;
  const found = await lookup(client, cfg, subs);
  const candidates: { i: number; id: string; how: 'hard' | 'soft' }[] = [];
  adds.forEach((r, i) => {
    const failed = failureOf(found.get(`h${i}`), found.get(`u${i}`), found.get(`p${i}`));
    if (failed) { matches.set(r.id, { error: `matching lookup failed, not created (it could duplicate an existing user): ${failed.message}`, retryable: failed.retryable }); return; }
    const hard = firstId(bodyOf(found.get(`h${i}`)));
    const soft = firstId(bodyOf(found.get(`u${i}`))) ?? firstId(bodyOf(found.get(`p${i}`)));
    if (hard) candidates.push({ i, id: hard.id, how: 'hard' });
    else if (soft) {
      // A soft match never takes over an object already anchored to another on-premises object.
      if (soft.onPremisesImmutableId && soft.onPremisesImmutableId !== value(r, 'onPremisesImmutableId')) matches.set(r.id, { error: `InvalidSoftMatch: ${soft.id} matches on userPrincipalName or proxyAddresses but is anchored to another on-premises object (onPremisesImmutableId ${soft.onPremisesImmutableId})` });
      else candidates.push({ i, id: soft.id, how: 'soft' });
    }
  });
  const roles = await lookup(client, cfg, candidates.map((c) => ({ id: `r${c.i}`, method: 'GET', url: `/users/${c.id}/memberOf/microsoft.graph.directoryRole?$select=id,displayName` })));
  for (const c of candidates) {
    const r = adds[c.i]!;
    const failed = failureOf(roles.get(`r${c.i}`));
    if (failed) { matches.set(r.id, { error: `the admin-role check of ${c.id} (${c.how} match) failed, so it is not taken over: ${failed.message}`, retryable: failed.retryable }); continue; }
    const held = ((bodyOf(roles.get(`r${c.i}`)) as { value?: { displayName?: string }[] } | undefined)?.value ?? []);
    if (held.length) matches.set(r.id, { error: `Existing Admin Role Conflict: ${c.id} (${c.how} match) holds ${held.map((h) => h.displayName).join(', ')}; cloud-only objects with admin roles are never taken over` });
    else matches.set(r.id, { id: c.id, how: c.how });
  }
  return matches;
}
