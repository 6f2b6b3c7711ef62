/**
 * Talking to Microsoft Graph: an app-only token from msal-node (client
 * credentials), fetch with certificate verification (a CA file may be added,
 * never removed), and retries that honour Retry-After on 429 and 503, with
 * exponential backoff and jitter where the answer gives none.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { ConfidentialClientApplication, Configuration } from '@azure/msal-node';
import type { Agent, fetch as undiciFetch } from 'undici';
import { AgentError, AgentUnavailableError } from '../errors.ts';

export interface GraphClientOptions {
  readonly agent: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly certificate: string | undefined;
  readonly authority: string;
  readonly graphUrl: string;
  readonly caFile: string | undefined;
}

export interface GraphResponse { status: number; body: unknown; headers: Record<string, string> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const backoff = (attempt: number) => Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random());

interface Http { readonly fetch: typeof undiciFetch; readonly dispatcher: Agent }

export class GraphClient {
  /** undici, loaded on the first request: about 30 ms of every start, which a run without Entra ID should not pay. */
  private http: Promise<Http> | null = null;
  private readonly ca: Buffer | undefined;
  /** Made on the first token: MSAL takes a third of a second to load, which a run without Entra ID should not pay. */
  private msal: Promise<ConfidentialClientApplication> | null = null;
  private readonly config: Configuration;
  private readonly scope: string;
  /** Milliseconds spent waiting on throttling, for the run history. */
  throttledMs = 0;
  requests = 0;

  constructor(private readonly o: GraphClientOptions) {
    // Read now: a missing CA file is reported when the agent is made, not at its first request.
    this.ca = o.caFile ? readFileSync(o.caFile) : undefined;
    const send = async (method: 'GET' | 'POST', url: string, options?: { headers?: Record<string, string>; body?: string }) => {
      const { fetch, dispatcher } = await this.connection();
      const r = await fetch(url, { method, dispatcher, ...(options?.headers ? { headers: options.headers } : {}), ...(options?.body ? { body: options.body } : {}) });
      return { status: r.status, headers: Object.fromEntries(r.headers), body: (await r.json().catch(() => ({}))) as never };
    };
    const authority = `${o.authority.replace(/\/+$/, '')}/${o.tenantId}`;
    this.config = {
      auth: {
        clientId: o.clientId, authority, knownAuthorities: [new URL(authority).host],
        ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
        ...(o.certificate ? { clientCertificate: certificateCredential(o.agent, o.certificate) } : {}),
      },
      system: { networkClient: { sendGetRequestAsync: (url, opt) => send('GET', url, opt), sendPostRequestAsync: (url, opt) => send('POST', url, opt) } },
    };
    this.scope = `${new URL(o.graphUrl).origin}/.default`;
  }

  private connection(): Promise<Http> {
    const ca = this.ca;
    return (this.http ??= import('undici').then(({ Agent, fetch }) => ({ fetch, dispatcher: new Agent({ connect: { ...(ca ? { ca } : {}), rejectUnauthorized: true }, connections: 32 }) })));
  }

  private async token(): Promise<string> {
    try {
      this.msal ??= import('@azure/msal-node').then(({ ConfidentialClientApplication }) => new ConfidentialClientApplication(this.config));
      const r = await (await this.msal).acquireTokenByClientCredential({ scopes: [this.scope] });
      if (!r?.accessToken) throw new Error('no access token');
      return r.accessToken;
    } catch (err) {
      const e = err as Error & { errorCode?: string };
      // The secret never appears: msal's messages name the error, not the credential.
      if (/invalid_client|7000215|unauthorized_client/i.test(`${e.errorCode ?? ''} ${e.message}`)) throw new AgentError(this.o.agent, `the client credentials of ${this.o.clientId} were refused by ${this.o.authority}`);
      throw new AgentUnavailableError(this.o.agent, `cannot get a token from ${this.o.authority}: ${e.errorCode ?? e.message}`, { cause: err });
    }
  }

  /** One request, retried while throttled or unavailable. `url` is absolute or relative to the Graph base. */
  async request(method: string, url: string, body?: unknown): Promise<GraphResponse> {
    const full = url.startsWith('http') ? url : `${this.o.graphUrl}${url}`;
    for (let attempt = 0; ; attempt++) {
      let r;
      try {
        this.requests++;
        const { fetch, dispatcher } = await this.connection();
        r = await fetch(full, {
          method, dispatcher,
          headers: { Authorization: `Bearer ${await this.token()}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (err) {
        if (err instanceof AgentError) throw err;
        // A kept-alive socket the server closed: safe to send again when the request is idempotent.
        const code = (err as Error & { cause?: { code?: string } }).cause?.code;
        if ((code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') && method !== 'POST' && attempt < 2) continue;
        throw new AgentUnavailableError(this.o.agent, `cannot reach ${new URL(full).origin}: ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`, { cause: err });
      }
      const text = await r.text();
      const headers = Object.fromEntries(r.headers);
      if ((r.status === 429 || r.status === 503 || r.status === 504) && attempt < 8) {
        const wait = retryAfterMs(headers['retry-after']) ?? backoff(attempt);
        this.throttledMs += wait;
        await sleep(wait);
        continue;
      }
      return { status: r.status, headers, body: text ? JSON.parse(text) : undefined };
    }
  }

  async close(): Promise<void> {
    if (this.http) await (await this.http).dispatcher.close();
  }
}

/** `certificate` holds the PEM certificate and its private key; msal-node signs the client assertion with them. */
function certificateCredential(agent: string, pem: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const key = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!cert || !key) throw new AgentError(agent, 'the certificate setting must hold a PEM certificate and its private key');
  return { thumbprintSha256: new X509Certificate(cert).fingerprint256.replace(/:/g, ''), privateKey: key, x5c: cert };
}

export function retryAfterMs(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = Number(v);
  return Number.isFinite(s) ? s * 1000 : undefined;
}

export { sleep };
