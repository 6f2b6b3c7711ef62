/**
 * A Microsoft Graph emulator for tests, over HTTPS (msal-node requires it),
 * with a client-credentials token endpoint at its own authority. Only the
 * endpoints and OData features the entra agent uses; see graph-routes.ts.
 */
import { execFileSync } from 'node:child_process';
import { constants, randomBytes, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphDirectory, GraphError } from './graph-directory.ts';
import { GraphRoutes, type Reply } from './graph-routes.ts';

export interface Faults {
  /** Share of Graph requests (batch sub-requests included) answered 429 with Retry-After. */
  throttleRate: number;
  retryAfterSeconds: number;
  /** Share answered 503 without Retry-After. */
  unavailableRate: number;
  /** Requests answered 500 UnknownError, as Graph does now and then: "GET /v1.0/users/{id}" direct, "GET /users/{id}" inside $batch. */
  failing?: (request: string) => boolean;
}

export interface GraphEmulator {
  readonly url: string;
  readonly authority: string;
  readonly graphUrl: string;
  readonly caFile: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** A certificate and key registered for the app, for certificate credentials (PEM, both in one). */
  readonly clientCertificatePem: string;
  readonly directory: GraphDirectory;
  readonly routes: GraphRoutes;
  readonly faults: Faults;
  /** HTTP requests by "METHOD /path", batch envelopes counted once, sub-requests in `subRequests`. */
  readonly stats: { http: number; batches: number; subRequests: string[]; throttled: number; tokens: number };
  stop(): Promise<void>;
}

function certificate(cn = '127.0.0.1'): { key: Buffer; cert: Buffer; caFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'graph-emu-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), caFile: join(dir, 'cert.pem') };
}

/** Verifies a client assertion (RFC 7523) signed with the registered certificate's key: PS256 or RS256. */
function validAssertion(jwt: string, cert: Buffer, clientId: string, audience: string): boolean {
  const [h, p, sig] = jwt.split('.');
  if (!h || !p || !sig) return false;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: string; sub?: string; aud?: string; exp?: number };
  const key = new X509Certificate(cert).publicKey;
  const pss = header.alg === 'PS256';
  const ok = cryptoVerify('sha256', Buffer.from(`${h}.${p}`), pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key, Buffer.from(sig, 'base64url'));
  return ok && payload.iss === clientId && payload.sub === clientId && payload.aud === audience && (payload.exp ?? 0) * 1000 > Date.now();
}

const graphError = (e: GraphError, requestId: string) => ({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}), innerError: { 'request-id': requestId, date: new Date().toISOString() } } });

export async function startGraphEmulator(): Promise<GraphEmulator> {
  const tls = certificate();
  const appCert = certificate('idsync-test-app');
  const tenantId = '7d4a1c3e-0000-4000-8000-00000000e0e0';
  const clientId = '3f1b2c4d-0000-4000-8000-0000000000c1';
  const clientSecret = randomBytes(18).toString('base64url');
  const tokens = new Set<string>();
  const directory = new GraphDirectory();
  const faults: Faults = { throttleRate: 0, retryAfterSeconds: 1, unavailableRate: 0 };
  const stats = { http: 0, batches: 0, subRequests: [] as string[], throttled: 0, tokens: 0 };
  let base = '';
  let routes!: GraphRoutes;

  // Faults from a seeded sequence (mulberry32), so that a test's run of faults is the same on every run:
  // with Math.random, a long enough run of 503s now and then outlasted the agent's retries and failed CI.
  let seed = 0x1d5c;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const fault = (): Reply | undefined => {
    if (faults.throttleRate && random() < faults.throttleRate) {
      stats.throttled++;
      return { status: 429, headers: { 'Retry-After': String(faults.retryAfterSeconds) }, body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } } };
    }
    if (faults.unavailableRate && random() < faults.unavailableRate) return { status: 503, body: { error: { code: 'serviceNotAvailable', message: 'Service unavailable.' } } };
    return undefined;
  };

  const dispatch = (method: string, url: URL, body: Record<string, unknown> | undefined): Reply => {
    const request = `${method} ${url.pathname.replace(/[0-9a-f-]{36}/g, '{id}')}`;
    stats.subRequests.push(request);
    const injected = fault();
    if (injected) return injected;
    if (faults.failing?.(request)) return { status: 500, body: { error: { code: 'UnknownError', message: 'An internal server error occurred.' } } };
    try {
      return routes.handle(method, url, body);
    } catch (err) {
      if (err instanceof GraphError) return { status: err.status, body: graphError(err, randomBytes(8).toString('hex')) };
      throw err;
    }
  };

  const batch = (body: { requests?: { id: string; method: string; url: string; body?: Record<string, unknown>; dependsOn?: string[] }[] }): Reply => {
    const requests = body.requests ?? [];
    if (requests.length > 20) return { status: 400, body: { error: { code: 'BadRequest', message: 'Number of batch requests exceeded the limit of 20.' } } };
    const results = new Map<string, Reply>();
    const responses = requests.map((r) => {
      const failed = (r.dependsOn ?? []).find((d) => (results.get(d)?.status ?? 500) >= 400);
      const reply: Reply = failed ? { status: 424, body: { error: { code: 'FailedDependency', message: `Dependency ${failed} failed.` } } } : dispatch(r.method, new URL(`${base}${r.url.startsWith('/') ? r.url : `/${r.url}`}`), r.body);
      results.set(r.id, reply);
      return { id: r.id, status: reply.status, headers: { 'Content-Type': 'application/json', ...(reply.headers ?? {}) }, ...(reply.body !== undefined ? { body: reply.body } : {}) };
    });
    return { status: 200, body: { responses } };
  };

  const send = (res: ServerResponse, reply: Reply) => {
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...(reply.headers ?? {}) });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  };

  const server = createServer({ key: tls.key, cert: tls.cert }, (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c));
    req.on('end', () => {
      stats.http++;
      const url = new URL(req.url ?? '/', base);
      if (url.pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
        return send(res, { status: 200, body: { token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`, issuer: `${base}/${tenantId}/v2.0`, authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`, jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`, response_types_supported: ['code', 'token'], end_session_endpoint: `${base}/${tenantId}/oauth2/v2.0/logout` } });
      }
      if (url.pathname === `/${tenantId}/oauth2/v2.0/token` && req.method === 'POST') {
        const form = new URLSearchParams(raw);
        const assertion = form.get('client_assertion');
        const byCertificate = !!assertion && form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && validAssertion(assertion, appCert.cert, clientId, `${base}/${tenantId}/oauth2/v2.0/token`);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== clientId || (!byCertificate && form.get('client_secret') !== clientSecret)) {
          return send(res, { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' } });
        }
        const token = randomBytes(24).toString('base64url');
        tokens.add(token);
        stats.tokens++;
        return send(res, { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token } });
      }
      if (!url.pathname.startsWith('/v1.0/')) return send(res, { status: 404, body: { error: 'not_found' } });
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!auth || !tokens.has(auth)) return send(res, { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } } });
      let body: Record<string, unknown> | undefined;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      } catch {
        return send(res, { status: 400, body: { error: { code: 'BadRequest', message: 'Invalid JSON.' } } });
      }
      if (url.pathname === '/v1.0/$batch' && req.method === 'POST') { stats.batches++; return send(res, batch(body as Parameters<typeof batch>[0])); }
      send(res, dispatch(req.method ?? 'GET', url, body));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  base = `https://127.0.0.1:${port}`;
  routes = new GraphRoutes(directory, `${base}/v1.0`);
  return {
    url: base, authority: `${base}/${tenantId}`, graphUrl: `${base}/v1.0`, caFile: tls.caFile, tenantId, clientId, clientSecret,
    clientCertificatePem: `${appCert.cert.toString()}\n${appCert.key.toString()}`,
    directory, routes, faults, stats,
    stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
