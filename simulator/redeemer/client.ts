// The HTTP exchange of a redemption, as Skupper's redeemers make it (spec §3.1): POST the code over TLS 1.3
// or newer, trusting only the token's CA, with a 10 s deadline for the whole exchange (the handshake, the
// headers and the body: Go's http.Client.Timeout), and never following a redirect. Beyond Skupper, the
// answer is read whole or not at all (an answer cut off before its announced length or last chunk is a
// failure) and up to MAX_ANSWER_BYTES only.
import http from 'node:http';
import https from 'node:https';
import { statusText } from '../go-http.ts';
import { describeTransportError, goQuote } from './go-wording.ts';

export const REDEEM_TIMEOUT_MS = 10_000;

/**
 * The most of an answer the reference reads: 4 MiB. No answer a grant service means comes near it (a
 * Secret holds at most 1 MiB in Kubernetes, a Link a few hundred bytes); one that goes past it is not
 * read further, so a hostile grant service cannot make the redeemer hold tens of MiB.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface RedeemResponse {
  status: number;
  statusText: string;
  /** The answer's body; with `oversized`, its first MAX_ANSWER_BYTES only. */
  body: string;
  /** The Location header of a redirect, which the reference never follows. */
  location?: string;
  /** The answer went on past the bound: it was not read to its end. */
  oversized?: boolean;
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
  /** Loosened reading of the answer: as `tls`, only the deliberately broken implementations pass it. */
  reading?: LoosenedReading;
}

export interface LoosenedReading {
  /** Read at most this much (default MAX_ANSWER_BYTES; Infinity: any size). */
  maxBytes?: number;
  /** The deadline ends once the headers have arrived: a body that never comes is waited for forever. */
  deadlineUntilHeaders?: boolean;
  /** The connection's close ends the answer, whatever it announced: a body cut off is taken as it is. */
  acceptCutOff?: boolean;
}

/** A failure of the exchange: connection, TLS, timeout, a body that did not arrive whole. The message reads like Go's. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/** The headers arrived, then reading the body failed (cut off, reset, the deadline). `status` is the answer's. */
export class BodyError extends TransportError {
  override name = 'BodyError';
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/**
 * POSTs the code and reads the whole answer (up to MAX_ANSWER_BYTES). Resolves with any HTTP answer (3xx
 * included: redirects are not followed); rejects with a TransportError when no answer arrives in time or
 * the connection fails, and with a BodyError when the headers came but the body did not, whole and in time.
 */
export function postCode(options: PostCodeOptions): Promise<RedeemResponse> {
  const { url, code, ca, headers } = options;
  const timeoutMs = options.timeoutMs ?? REDEEM_TIMEOUT_MS;
  const maxBytes = options.reading?.maxBytes ?? MAX_ANSWER_BYTES;
  const prefix = `Post ${goQuote(options.displayUrl ?? url.href)}`;
  return new Promise<RedeemResponse>((resolve, reject) => {
    let settled = false;
    /** The answer's status once its headers arrived. */
    let answered: number | undefined;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(answered === undefined ? new TransportError(`${prefix}: ${message}`) : new BodyError(`${prefix}: ${message}`, answered));
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
      answered = res.statusCode ?? 0;
      if (options.reading?.deadlineUntilHeaders) clearTimeout(timer);
      const chunks: Buffer[] = [];
      let received = 0;
      const finish = (oversized: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (oversized) req.destroy();
        const status = res.statusCode ?? 0;
        const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
        const body = Buffer.concat(chunks).subarray(0, Math.min(received, maxBytes)).toString('utf8');
        resolve({ status, statusText: statusText(status), body, ...(location ? { location } : {}), ...(oversized ? { oversized: true } : {}) });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        received += c.length;
        if (received > maxBytes) finish(true);
      });
      // Node reports an answer that ends before its Content-Length or last chunk as "aborted"
      res.on('error', (err) => (options.reading?.acceptCutOff ? finish(false) : fail(describeBodyError(err))));
      res.on('end', () => finish(false));
    });
    const timer = setTimeout(
      () =>
        fail(
          answered === undefined
            ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
            : 'context deadline exceeded (Client.Timeout or context cancellation while reading body)',
        ),
      timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => fail(describeTransportError(err)));
    req.end(body);
  });
}

/** A body that stopped before its end, in Go's words: the connection closed early is an unexpected EOF. */
function describeBodyError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.message === 'aborted' ? 'unexpected EOF' : describeTransportError(error);
}
