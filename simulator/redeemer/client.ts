// The HTTP exchange of a redemption, as Skupper's redeemers make it (spec §3.1): POST the code over TLS 1.3
// or newer, trusting only the token's CA, with a 10 s deadline, and never following a redirect.
import http from 'node:http';
import https from 'node:https';
import { statusText } from '../go-http.ts';
import { describeTransportError, goQuote } from './go-wording.ts';

export const REDEEM_TIMEOUT_MS = 10_000;

export interface RedeemResponse {
  status: number;
  statusText: string;
  body: string;
  /** The Location header of a redirect, which the reference never follows. */
  location?: string;
}

export interface PostCodeOptions {
  url: URL;
  /** How error messages name the URL (`Post "<displayUrl>": …`); default url.href. Go prints its own URL.String(). */
  displayUrl?: string;
  code: string;
  ca: string;
  headers: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Loosened TLS settings. The reference never passes them; the deliberately broken implementations
   * (fixtures/broken) do, to show the suite catches an older TLS version or an unchecked host name.
   * Certificate chain verification cannot be switched off here.
   */
  tls?: Pick<https.RequestOptions, 'minVersion' | 'checkServerIdentity'>;
}

/** A failure before any answer arrived: connection, TLS, timeout. The message reads like Go's. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/**
 * POSTs the code and reads the whole answer. Resolves with any HTTP answer (3xx included: redirects are
 * not followed); rejects with a TransportError when no answer arrives in time or the connection fails.
 */
export function postCode(options: PostCodeOptions): Promise<RedeemResponse> {
  const { url, code, ca, headers } = options;
  const timeoutMs = options.timeoutMs ?? REDEEM_TIMEOUT_MS;
  const prefix = `Post ${goQuote(options.displayUrl ?? url.href)}`;
  return new Promise<RedeemResponse>((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(new TransportError(`${prefix}: ${message}`));
    };
    const onAbort = () => fail('context canceled');
    const body = Buffer.from(code, 'utf8');
    const requestOptions: https.RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, 'content-length': String(body.length) },
      agent: false,
      // only the token's CA: `ca` replaces Node's default roots
      ca,
      minVersion: 'TLSv1.3',
      ...options.tls,
    };
    const req = (url.protocol === 'https:' ? https : http).request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => fail(describeTransportError(err)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
        resolve({ status, statusText: statusText(status), body: Buffer.concat(chunks).toString('utf8'), ...(location ? { location } : {}) });
      });
    });
    const timer = setTimeout(
      () => fail('context deadline exceeded (Client.Timeout exceeded while awaiting headers)'),
      timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => fail(describeTransportError(err)));
    req.end(body);
  });
}
